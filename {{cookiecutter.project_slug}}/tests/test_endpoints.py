"""The function-based views me and vip; /api/health/ has tests/test_health.py."""

from django.urls import reverse

from api.utils.permission import IsVIP


def test_me_returns_the_requester(client_for, users):
    response = client_for("vip").get(reverse("me"))

    requester = {"id": users["vip"].pk, "username": "vip", "tier": "vip"}
    assert requester.items() <= response.json().items()


def test_vip_endpoint_explains_why_a_standard_user_is_refused(client_for):
    response = client_for("owner").get(reverse("vip"))

    assert response.status_code == 403
    assert response.json() == {"detail": IsVIP.message, "code": "permission_denied"}


def test_vip_endpoint_welcomes_a_vip(client_for):
    response = client_for("vip").get(reverse("vip"))

    assert response.status_code == 200
    assert "vip" in response.json()["detail"]
