"""Whatever a client puts in the query string gets a 4xx at worst, never a 5xx.

A pagination cursor is meant to be copied from a ``next`` or ``previous`` link; a crafted one
is a 404 "Invalid cursor" (code ``not_found``) (api/pagination.py). And no query parameter, known
to a route or not, makes any route of the project fail.
"""

import base64
from urllib.parse import urlencode

import pytest
from django.urls import get_resolver, reverse

from api.management.commands.permission_report import routes
from api.models import Note
from tests.access_policy import POLICY
from tests.actors import ACTORS, new_note, note_list_url, url_kwargs


def encoded(querystring: str | bytes) -> str:
    """A cursor made of ``querystring`` as it is: base64, like the links' cursors."""
    raw = querystring.encode() if isinstance(querystring, str) else querystring
    return base64.b64encode(raw).decode()


def cursor(**tokens: str) -> str:
    """A cursor as DRF writes one: ``o`` the offset, ``r`` the direction, ``p`` the position."""
    return encoded(urlencode(tokens))


CRAFTED_CURSORS = {
    "base64 cut short": "cD0yMDI",
    "not ASCII": "\u2603",
    "base64 of bytes that are not ASCII": encoded(b"p=\xff\xfe"),
    "a position that is no date": cursor(p="notadate"),
    "a date that does not exist": cursor(p="2026-13-45"),
    "February 30th": cursor(p="2026-02-30 12:00:00+00:00"),
    "a position without a time zone": cursor(p="2026-01-01 12:00:00"),
    "a time zone over a day away": cursor(p="2026-01-01 12:00:00+99:00"),
    "a year past 9999": cursor(p="99999-01-01 00:00:00+00:00"),
    "a year past 9999 in UTC": cursor(p="9999-12-31 23:59:59-23:59"),
    "year zero": cursor(p="0000-01-01 00:00:00+00:00"),
    "a NUL in the position": encoded(b"p=2026-01-01\x00"),
    "a percent-encoded NUL in the position": cursor(p="2026-01-01 12:00:00+00:00\x00"),
    "percent-encoded bytes that are not UTF-8": encoded("p=%ff%fe"),
    "4 KB of position": cursor(p="9" * 4096),
    "a negative offset": cursor(o="-1"),
    "an offset that is no number": cursor(o="many"),
    "an offset too long to be a number": cursor(o="9" * 5000),
    "a direction that is no number": cursor(r="backwards"),
}

# Cursors no link carries, but that name a place in the list: a page, not an error.
ODD_BUT_VALID_CURSORS = {
    "the end of time, backwards": cursor(p="9999-12-31 23:59:59.999999+00:00", r="1"),
    "the beginning of time": cursor(p="0001-01-01 00:00:00+00:00"),
    "a time zone 23:59 away (PostgreSQL's go to 15:59)": cursor(p="2026-06-01 12:00:00-23:59"),
    "an offset of 10**30 (cut to 1000)": cursor(o=str(10**30), p="2026-01-01 12:00:00+00:00"),
}

# What an anonymous client gets from the list, before any cursor is read.
ANONYMOUS_LIST_STATUS = dict(zip(ACTORS, POLICY["note-list", "GET"], strict=True))["anonymous"]


@pytest.mark.parametrize("crafted", CRAFTED_CURSORS.values(), ids=CRAFTED_CURSORS)
def test_a_crafted_cursor_is_a_404_invalid_cursor(subtests, client_for, note, crafted):
    for actor in ("owner", "anonymous"):
        with subtests.test(actor=actor):
            response = client_for(actor).get(note_list_url(), {"cursor": crafted})

            if actor == "anonymous" and ANONYMOUS_LIST_STATUS != 200:
                assert response.status_code == ANONYMOUS_LIST_STATUS  # the policy answers first
            else:
                assert response.status_code == 404
                assert response.json() == {"detail": "Invalid cursor", "code": "not_found"}


@pytest.mark.parametrize("odd", ODD_BUT_VALID_CURSORS.values(), ids=ODD_BUT_VALID_CURSORS)
def test_an_odd_but_valid_cursor_is_a_page(client_for, note, odd):
    response = client_for("owner").get(note_list_url(), {"cursor": odd})

    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_the_cursors_of_the_links_still_work(client_for, users):
    Note.objects.bulk_create(new_note(users["owner"], title=f"n{i}") for i in range(5))
    client = client_for("owner")

    first = client.get(note_list_url(), {"page_size": 2})
    second = client.get(first.json()["next"])
    back = client.get(second.json()["previous"])

    assert second.status_code == back.status_code == 200
    assert back.json()["results"] == first.json()["results"]


FOUR_KB = "x" * 4096
# Junk for the parameters the routes read (pagination, format, login's next, the schema's
# lang and version) and for parameters no route reads.
HOSTILE_QUERY_STRINGS = {
    "a cursor that is no base64": "cursor=%%%",
    "a cursor whose position is no date": f"cursor={cursor(p='notadate')}",
    "page_size=-1": "page_size=-1",
    "page_size=0": "page_size=0",
    "page_size=abc": "page_size=abc",
    "page_size=10**30": f"page_size={10**30}",
    "page_size of 5000 digits": "page_size=" + "9" * 5000,
    "an unknown format": "format=nope",
    "NUL bytes": "cursor=%00&page_size=%00&format=%00&next=%00&lang=%00&version=%00&q=%00",
    "a NUL in a name": "%00=1&page_size%00=2",
    "bytes that are not UTF-8": "cursor=%ff&page_size=%fe&format=%ff&next=%ff&lang=%ff",
    "4 KB values": "&".join(
        f"{name}={FOUR_KB}" for name in ("cursor", "page_size", "format", "next", "lang", "q")
    ),
    "repeated keys": "page_size=1&page_size=abc&cursor=a&cursor=b&format=json&format=api",
    "a key without a value": "cursor&page_size&format",
}


# Every route of the project (the admin has checks of its own).
ROUTES = [name for _, name, _ in routes(get_resolver().url_patterns)]


@pytest.mark.parametrize("route", ROUTES)
def test_no_query_string_makes_a_route_fail(subtests, client_for, note, route):
    client = client_for("owner")
    url = reverse(route, kwargs=url_kwargs(note).get(route))
    for name, query_string in HOSTILE_QUERY_STRINGS.items():
        with subtests.test(query=name):
            response = client.get(f"{url}?{query_string}")

            assert response.status_code < 500, response.content[:500]
