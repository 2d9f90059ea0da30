"""The function-based views: health, me and vip."""

import os
import socket
import time

from django.db import connection, connections, transaction
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from api.utils.permission import IsVIP


def test_health_reports_ok_after_querying_the_database(db):
    response = APIClient().get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_ignores_a_stale_authorization_header(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert client.get(reverse("health")).status_code == 200


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_health_reports_503_when_the_database_is_down(db, monkeypatch):
    database = connections["default"]
    unreachable = {**database.settings_dict, "HOST": "127.0.0.1", "PORT": closed_port()}
    monkeypatch.setattr(database, "settings_dict", unreachable)

    response = APIClient().get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_health_reports_503_when_the_connection_drops_during_the_check(db, monkeypatch):
    database = connections["default"]
    connect = database.get_new_connection

    def dropped(params):
        probe = connect(params)
        with socket.socket(fileno=os.dup(probe.pgconn.socket)) as wire:
            wire.shutdown(socket.SHUT_RDWR)  # the network goes; the probe's socket stays open
        return probe

    monkeypatch.setattr(database, "get_new_connection", dropped)

    response = APIClient().get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@override_settings(HEALTH_CHECK_TIMEOUT=0.2)
def test_health_gives_up_on_a_hung_database_and_recovers_by_itself(db):
    """A statement that never returns: the health query waits on a lock this test holds."""
    client = APIClient()
    with transaction.atomic():
        connection.cursor().execute("LOCK TABLE django_migrations IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        hung = client.get(reverse("health"))
        waited = time.monotonic() - started
        transaction.set_rollback(True)  # back to the savepoint: the lock is released

    assert hung.status_code == 503
    assert waited < 2
    assert client.get(reverse("health")).status_code == 200


def test_me_returns_the_requester(client_for, users):
    response = client_for("vip").get(reverse("me"))

    assert response.json() == {"id": users["vip"].pk, "username": "vip", "tier": "vip"}


def test_vip_endpoint_explains_why_a_standard_user_is_refused(client_for):
    response = client_for("owner").get(reverse("vip"))

    assert response.status_code == 403
    assert response.json() == {"detail": IsVIP.message}


def test_vip_endpoint_welcomes_a_vip(client_for):
    response = client_for("vip").get(reverse("vip"))

    assert response.status_code == 200
    assert "vip" in response.json()["detail"]
