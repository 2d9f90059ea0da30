"""The note list reads only its page's rows, however large the table: the plans prove it.

Each way the list is scoped has an index in the list's order (Note.Meta.indexes), and the
pagination follows that order with cursors (api/pagination.py). Here every query a list
request runs on the notes table, for the first page and a later one, goes to PostgreSQL's
EXPLAIN with sequential scans and sorts priced out of reach: a plan that still sorts or
still reads the whole table has no index to use, and would slow down as the table grows.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import Note
from tests.actors import new_note, note_list_url

NOTES = Note._meta.db_table


def notes_queries(client, url):
    """The response to ``url`` and the SELECTs it ran on the notes table."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    selects = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and f'FROM "{NOTES}"' in query["sql"]
    ]
    return response, selects


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_every_list_query_is_an_index_scan_in_list_order(client_for, users):
    # Two pages' worth for everyone, so every actor's list, scoped or not, has a next page.
    people = [user for user in users.values() if user is not None]
    Note.objects.bulk_create(
        new_note(user, title=f"{user} {i}") for i in range(6) for user in people
    )
    checked = set()
    for actor in users:
        client = client_for(actor)
        first, queries = notes_queries(client, note_list_url() + "?page_size=5")
        if first.status_code != 200:
            continue  # the policy table covers who may list
        if first.data["next"] is None:
            # Where lists are scoped to the requester, an anonymous list is empty and runs no
            # query at all; everyone with an account has two pages.
            assert users[actor] is None and first.data["results"] == []
            more = []
        else:
            later, more = notes_queries(client, first.data["next"])
            assert later.status_code == 200
        for sql in queries + more:
            explained = plan(sql)
            assert "Sort" not in explained, f"{actor}: {sql}\n{explained}"
            assert f"Seq Scan on {NOTES}" not in explained, f"{actor}: {sql}\n{explained}"
            checked.add(actor)
    assert checked, "no actor could list notes"
