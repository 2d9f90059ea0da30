"""Notes beyond who may call what: ownership, visibility and pagination."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import Note
from tests.actors import new_note, note_detail_url, note_list_url
from tests.note_policy import LIST_SHOWS_OTHERS_NOTES


def test_a_note_reads_as_its_title(note):
    assert str(note) == "Owner's note"  # in the admin and the shell


def test_create_sets_the_requester_as_owner_whatever_the_body_says(client_for, users):
    response = client_for("owner").post(
        note_list_url(), {"title": "Mine", "owner": "other"}, format="json"
    )

    assert response.status_code == 201
    assert response.data["owner"] == "owner"
    assert Note.objects.get(pk=response.data["id"]).owner == users["owner"]


def test_owner_cannot_be_changed_through_the_api(client_for, users, note):
    url = note_detail_url(note.pk)
    client = client_for("owner")

    client.patch(url, {"owner": "other"}, format="json")
    client.put(url, {"title": "Replaced", "body": "", "owner": "other"}, format="json")

    note.refresh_from_db()
    assert note.owner == users["owner"]
    assert note.title == "Replaced"


def test_list_shows_other_users_notes_only_when_the_policy_says_so(client_for, note):
    response = client_for("other").get(note_list_url())

    assert response.status_code == 200
    titles = [item["title"] for item in response.data["results"]]
    assert (note.title in titles) is LIST_SHOWS_OTHERS_NOTES


def test_owner_always_sees_own_notes(client_for, note):
    response = client_for("owner").get(note_list_url())

    assert [item["id"] for item in response.data["results"]] == [note.pk]


def test_list_pages_follow_cursors_newest_first_without_gaps_or_repeats(client_for, users):
    Note.objects.bulk_create(new_note(users["owner"], title=f"n{i}") for i in range(45))
    client = client_for("owner")

    seen, url = [], note_list_url()
    while url:
        page = client.get(url)
        assert page.status_code == 200 and len(page.data["results"]) <= 20
        assert "count" not in page.data  # no count of the table on any page
        seen += [item["id"] for item in page.data["results"]]
        url = page.data["next"]

    newest_first = Note.objects.filter(owner=users["owner"]).order_by("-created_at", "-id")
    assert seen == list(newest_first.values_list("pk", flat=True))
    assert len(seen) == 45


def test_page_size_is_bounded(client_for, users):
    Note.objects.bulk_create(new_note(users["owner"], title=f"n{i}") for i in range(105))
    client = client_for("owner")

    largest_page = client.get(note_list_url(), {"page_size": 1000})

    assert len(largest_page.data["results"]) == 100
    assert largest_page.data["next"] is not None


def test_list_runs_the_same_number_of_queries_for_1_and_500_notes(client_for, users):
    """No N+1: neither the serializer nor the permission checks query per note."""
    client = client_for("owner")
    new_note(users["owner"], title="first").save()
    with CaptureQueriesContext(connection) as one:
        client.get(note_list_url(), {"page_size": 100})
    Note.objects.bulk_create(new_note(users["owner"], title=f"n{i}") for i in range(499))
    with CaptureQueriesContext(connection) as many:
        client.get(note_list_url(), {"page_size": 100})

    assert len(many.captured_queries) == len(one.captured_queries)
