"""What one account may store is bounded, so no page of notes can take a worker down.

A note's body holds at most NOTE_BODY_MAX_LENGTH characters and an account at most
NOTES_PER_USER notes. With 100 notes a page at most, the largest page any client can make the
service render, in JSON or in the browsable API, stays under PAGE_BYTES_BOUND.
"""

import threading
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.conf import settings
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import Note
from api.pagination import BoundedCursorPagination
from tests.actors import new_note, note_detail_url, note_list_url
from tests.concurrency import backends_waiting_once, on_a_connection_of_its_own
from tests.conftest import PASSWORD
from users.models import User

# What SECURITY.md promises for the largest page of notes, in either format.
PAGE_BYTES_BOUND = 8 * 1024 * 1024


def a_body(length: int) -> dict[str, str]:
    return {"title": "Long", "body": "x" * length}


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_a_body_of_the_maximum_length_is_accepted_and_one_character_more_is_a_400(
    client_for, note, method
):
    limit = settings.NOTE_BODY_MAX_LENGTH
    url = note_list_url() if method == "post" else note_detail_url(note.pk)
    send = getattr(client_for("owner"), method)

    at_the_limit = send(url, a_body(limit), format="json")
    over_it = send(url, a_body(limit + 1), format="json")

    assert at_the_limit.status_code in (200, 201)
    assert over_it.status_code == 400
    message = f"Ensure this field has no more than {limit} characters."
    assert over_it.json() == {
        "detail": f"body: {message}",
        "code": "invalid",
        "fields": {"body": [message]},
    }


@override_settings(NOTE_BODY_MAX_LENGTH=50)
def test_the_body_limit_is_read_when_a_note_is_validated(client_for):
    """NOTE_BODY_MAX_LENGTH comes from the environment; nothing caches it at import."""
    response = client_for("owner").post(note_list_url(), a_body(51), format="json")

    assert response.status_code == 400
    assert "no more than 50 characters" in response.json()["fields"]["body"][0]


def relations(note: Note) -> dict[str, object]:
    """The admin form's fields for what ``note`` belongs to (its owner, and whatever else
    tests/actors.py puts a note in), as primary keys."""
    fields = (field for field in Note._meta.concrete_fields if field.is_relation)
    return {field.name: getattr(note, field.attname) for field in fields}


@override_settings(NOTE_BODY_MAX_LENGTH=50)
def test_the_admin_holds_a_body_to_the_same_limit(users):
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password=PASSWORD))
    owner = users["owner"].pk
    form = relations(new_note(users["owner"]))

    over_it = admin.post(reverse("admin:api_note_add"), {**form, **a_body(51)})
    at_the_limit = admin.post(reverse("admin:api_note_add"), {**form, **a_body(50)})

    assert over_it.status_code == 200  # the form again, with the error
    assert "at most 50 characters" in over_it.content.decode()
    assert at_the_limit.status_code == 302
    assert Note.objects.get(owner=owner).body == "x" * 50


def fill_up(user: User, count: int) -> None:
    Note.objects.bulk_create(new_note(user, title=f"n{i}") for i in range(count))


@override_settings(NOTES_PER_USER=3)
def test_a_create_past_the_quota_is_a_403_that_says_why_and_creates_nothing(client_for, users):
    fill_up(users["owner"], 3)

    response = client_for("owner").post(note_list_url(), {"title": "One more"}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You have reached the limit of 3 notes per user. "
        "Delete notes you no longer need to make room for new ones.",
        "code": "quota_exceeded",
    }
    assert Note.objects.filter(owner=users["owner"]).count() == 3


@override_settings(NOTES_PER_USER=3)
def test_the_quota_counts_the_requesters_own_notes_and_a_deleted_one_makes_room(client_for, users):
    fill_up(users["other"], 3)  # someone else's notes leave the owner's quota alone
    fill_up(users["owner"], 2)
    client = client_for("owner")

    third = client.post(note_list_url(), {"title": "Third"}, format="json")
    fourth = client.post(note_list_url(), {"title": "Fourth"}, format="json")
    Note.objects.filter(pk=third.json()["id"]).delete()
    again = client.post(note_list_url(), {"title": "Fourth, again"}, format="json")

    assert [third.status_code, fourth.status_code, again.status_code] == [201, 403, 201]


@override_settings(NOTES_PER_USER=1)
def test_concurrent_creates_take_turns_and_cannot_overshoot_the_quota(users):
    """Two creates by one user with one note left: one gets it, the other a 403.

    A third connection holds the owner's row while both requests start, so both are sure to
    be inside their create at once: each waits for the lock before it counts. Counting
    without the lock, both would count no note and both would create one.
    """
    owner = users["owner"]  # committed when the test database was set up: the threads see it
    holding, release = threading.Event(), threading.Event()
    statuses: list[int] = []

    def hold_the_owner() -> None:
        with transaction.atomic():
            User.objects.select_for_update(no_key=True).get(pk=owner.pk)
            holding.set()
            release.wait(timeout=10)

    def create(title: str) -> Callable[[], None]:
        def post() -> None:
            client = APIClient()
            client.force_authenticate(owner)  # a token made on this connection, they would not see
            response = client.post(note_list_url(), {"title": title}, format="json")
            statuses.append(response.status_code)

        return post

    creators: list[threading.Thread] = []
    holder = on_a_connection_of_its_own(hold_the_owner)
    try:
        assert holding.wait(timeout=10)
        creators += [on_a_connection_of_its_own(create(title)) for title in ("A", "B")]
        waited = backends_waiting_once(2)
    finally:
        release.set()
        holder.join(timeout=10)
    for creator in creators:
        creator.join(timeout=10)
    committed = list(Note.objects.filter(owner=owner).values_list("title", flat=True))
    on_a_connection_of_its_own(Note.objects.filter(owner=owner).delete).join(timeout=10)

    assert waited == 2  # both creates were waiting for the owner's row at once
    assert sorted(statuses) == [201, 403]
    assert len(committed) == 1


# The characters that cost the most bytes in a response. JSON escapes a control character to
# 6 bytes (\u0001), the most any character costs there; a character outside the BMP takes 4
# bytes in UTF-8. The browsable API turns a "www." word into a link with the word
# percent-encoded in it: 16 bytes for each 4-byte character (api/renderers.py cuts its pages
# short for that).
WORST_CASE_TEXT = {
    "control characters": "\x01",
    "4-byte characters": "\U0001f600",
    "links of 4-byte characters": "www." + "\U0001f600" * 2000 + " ",
}


def worst_case(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def longest(model: type[models.Model], name: str) -> int:
    """The most characters the field ``name`` of ``model`` holds."""
    length = cast("models.Field[Any, Any]", model._meta.get_field(name)).max_length
    assert length is not None
    return length


@pytest.mark.parametrize("kind", WORST_CASE_TEXT)
def test_the_largest_page_of_notes_stays_under_the_bound(subtests, client_for, users, kind):
    """A full page of full notes, the longest title and the longest username there can be,
    all of the costliest characters, as JSON and in the browsable API."""
    unit, owner = WORST_CASE_TEXT[kind], users["owner"]
    owner.username = worst_case("\U0001d400", longest(User, "username"))
    owner.save(update_fields=["username"])
    page_size = BoundedCursorPagination.max_page_size
    Note.objects.bulk_create(
        new_note(
            owner,
            title=worst_case(unit, longest(Note, "title")),
            body=worst_case(unit, settings.NOTE_BODY_MAX_LENGTH),
        )
        for _ in range(page_size + 1)  # and a next page, so that the page links to it
    )
    client = client_for("owner")

    for page_format in ("json", "api"):
        with subtests.test(format=page_format):
            query = {"page_size": page_size, "format": page_format}
            response = client.get(note_list_url(), query)

            assert response.status_code == 200
            assert len(response.content) < PAGE_BYTES_BOUND, f"{len(response.content):,} bytes"
