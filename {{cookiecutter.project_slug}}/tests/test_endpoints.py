"""The function-based views: health, me and vip."""

from django.db.utils import OperationalError
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


class UnreachableDatabase:
    def cursor(self):
        raise OperationalError("connection refused")


def test_health_reports_503_when_the_database_fails(db, monkeypatch):
    monkeypatch.setattr("api.views.connection", UnreachableDatabase())

    response = APIClient().get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


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
