"""How a client gets its credential: a session cookie.

GET /api/auth/login/ sets the CSRF cookie; POST username and password with the
``X-CSRFToken`` header starts the session. Every later unsafe request sends the
header too: SessionAuthentication enforces CSRF for logged-in users.
Browsers log in at /api-auth/login/; the docs UI then sends the cookie and the CSRF
header by itself.
"""

from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_protect
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.utils.permission import IsAuthenticated


class DetailSerializer(serializers.Serializer):
    """The body of a successful login or logout: {"detail": "..."}."""

    detail = serializers.CharField(read_only=True)


class LoginSerializer(serializers.Serializer):
    """In: username and password. Out: a message and the CSRF token to send from now on."""

    username = serializers.CharField(write_only=True)
    password = serializers.CharField(
        write_only=True, style={"input_type": "password"}, trim_whitespace=False
    )
    detail = serializers.CharField(read_only=True)
    csrftoken = serializers.CharField(read_only=True)

    def validate(self, attrs):
        user = authenticate(self.context["request"], **attrs)
        if user is None:
            raise serializers.ValidationError("Unable to log in with the provided credentials.")
        attrs["user"] = user
        return attrs


@method_decorator(csrf_protect, name="post")
class Login(APIView):
    """GET -> the CSRF token; POST {"username", "password"} -> session cookie. Throttled."""

    authentication_classes = []
    permission_classes = []
    throttle_scope = "credentials"
    serializer_class = LoginSerializer

    def get(self, request):
        detail = "POST username and password with this token in the X-CSRFToken header."
        return Response({"detail": detail, "csrftoken": get_token(request)})

    def post(self, request):
        serializer = LoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        login(request._request, serializer.validated_data["user"])
        # Django rotates the CSRF token at login: hand the client the new one.
        return Response({"detail": "Logged in.", "csrftoken": get_token(request)})


class Logout(APIView):
    """POST -> ends the session."""

    permission_classes = [IsAuthenticated]
    serializer_class = DetailSerializer

    def post(self, request):
        logout(request._request)
        return Response({"detail": "Logged out."})


urlpatterns = [
    path("auth/login/", Login.as_view(), name="auth-login"),
    path("auth/logout/", Logout.as_view(), name="auth-logout"),
]
