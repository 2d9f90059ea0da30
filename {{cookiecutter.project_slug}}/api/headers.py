"""Response headers that tell browsers and caches what they may do with the service's answers.

Django's SecurityMiddleware sends HSTS, nosniff, Referrer-Policy and
Cross-Origin-Opener-Policy, and the Content-Security-Policy middleware says where scripts
may come from. This adds what neither sends:

* ``Permissions-Policy``: no page here uses a camera, a microphone, the location or any other
  powerful browser feature, so none may, not even a script that gets injected into a page.
* ``Cross-Origin-Resource-Policy: same-origin``: another site's page cannot embed a response
  (``<img>``, ``<script>``), which is how side channels such as Spectre read one.
* ``Cache-Control: no-store, private`` on a logged-in user's API responses and on every
  answer of the credential endpoints (tokens, CSRF tokens): no browser cache, shared
  proxy or CDN keeps a copy of one user's data for the next person to read.

In production WhiteNoise answers for the static files before this runs: they are public, and
no page, so neither policy has anything to guard there.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers

# The powerful features browsers let a page ask for; "=()" allows them to no origin.
# Features that pages here do use (clipboard: Swagger UI's copy buttons) stay allowed.
DENIED_FEATURES = (
    "accelerometer",
    "ambient-light-sensor",
    "autoplay",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)

# api/credentials.py names every credential route (log in, refresh, log out, change the
# password) "auth-...", whatever the authentication option.
CREDENTIAL_ROUTE_PREFIX = "auth-"


def is_credential_route(request: HttpRequest) -> bool:
    match = request.resolver_match  # None when no route matched (a 404)
    return match is not None and (match.url_name or "").startswith(CREDENTIAL_ROUTE_PREFIX)


def made_for_a_user(request: HttpRequest) -> bool:
    """True when the response was made for a logged-in user of the API.

    Asked once the view has run: DRF puts the user its authentication found on the Django
    request, so a token or JWT counts as well as a session.
    """
    if not request.path.startswith("/api/"):
        return False  # and a session's user is never loaded for nothing
    user = getattr(request, "user", None)
    return user is not None and bool(user.is_authenticated)


class SecurityHeadersMiddleware:
    """Permissions-Policy and Cross-Origin-Resource-Policy on every response; no-store on the
    API's answers to a logged-in user and on every answer of the credential endpoints."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if is_credential_route(request) or made_for_a_user(request):
            add_never_cache_headers(response)  # no-store and private, among others
        return response
