"""The browsable API offers forms only for what the logged-in user may do, and shows the
start of a long response (api/renderers.py)."""

from django.test import Client

from api import renderers
from tests.actors import note_detail_url, note_list_url
from users.models import User

HTML = {"Accept": "text/html"}
DELETE_BUTTON = 'data-target="#deleteModal">DELETE</button>'


def logged_in(username: str) -> Client:
    # force_login: Client.login() passes no request to authenticate(), which django-axes refuses.
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_owner_sees_the_delete_button_on_their_note(users, note):
    response = logged_in("owner").get(note_detail_url(note.pk), headers=HTML)

    assert response.status_code == 200
    assert DELETE_BUTTON in response.content.decode()


def test_a_404_page_offers_no_delete_button_or_form(users):
    response = logged_in("owner").get(note_detail_url(999_999), headers=HTML)

    assert response.status_code == 404
    assert DELETE_BUTTON not in response.content.decode()
    assert 'id="put-object-form"' not in response.content.decode()


def test_a_form_that_fails_validation_comes_back_with_what_was_posted(users):
    form = {"title": "", "body": "Kept as typed"}

    response = logged_in("owner").post(note_list_url(), form, headers=HTML)

    assert response.status_code == 400
    assert "Kept as typed" in response.content.decode()  # in the form, not the JSON errors


def test_a_long_response_is_cut_short_and_says_where_the_rest_is(users, note, monkeypatch):
    monkeypatch.setattr(renderers, "SHOWN_CHARACTERS", 100)  # the note's body is past it

    page = logged_in("owner").get(note_list_url(), headers=HTML).content.decode()
    whole = logged_in("owner").get(note_list_url(), {"format": "json"}).json()

    assert "more characters: ?format=json shows the whole response" in page
    assert note.body not in page
    assert whole["results"][0]["body"] == note.body
