"""How the API reads a JWT, and the tokens it issues: refresh chains, stored hashed.

A login starts a *chain*: a refresh token, and the tokens that rotating it leads to. Every
token of the chain carries its id (``chain``) and the login's expiry: rotation never moves
``exp``, so a chain ends ``JWT_REFRESH_DAYS`` after its login, however often it refreshes.
A refresh token works once. Presenting one that was already rotated out is the classic
sign that it was stolen (the thief or the owner used it after the other did), so it ends
the whole chain: reuse detection, as the OAuth 2.0 Security Best Current Practice (RFC 9700,
4.14.2) recommends for rotating refresh tokens.

Every token also carries a digest of the user's security stamp (``stamp``): logging out
everywhere, a password change or deactivation changes the stamp and ends every token at
once, access tokens included, at no cost (the user is loaded for each request anyway).

The database keeps each refresh token's id, chain and SHA-256, never the token itself:
``OutstandingToken.token`` holds ``chain=<id> sha256=<hex>``. Using a token and ending its
chain take a lock on the chain (``lock_chain``), so two requests racing with one token, or a
logout racing with a refresh, cannot leave a successor alive.
"""

import hashlib
import uuid
from typing import Self, cast

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework_simplejwt import authentication, tokens
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AuthUser, Token
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

from users.models import User

CHAIN_CLAIM = "chain"
STAMP_CLAIM = "stamp"


def lock_chain(chain: str | None) -> None:
    """Until the transaction ends, no other request uses or ends a token of ``chain``.

    A PostgreSQL advisory lock on the chain: an ending then sees every successor that a
    refresh under way saves, and a refresh that waited for an ending finds its token ended.
    """
    key = int(hashlib.sha256(str(chain).encode()).hexdigest()[:15], 16)  # fits a bigint
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def stamp_of(user: User) -> str:
    """What a token carries of the user's security stamp: enough to compare, not the stamp."""
    return hashlib.sha256(user.security_stamp.encode()).hexdigest()[:16]


class ReusedToken(TokenError):
    """A refresh token that was already rotated out (or logged out) was presented again."""

    def __init__(self, token: "RefreshToken") -> None:
        super().__init__("Token is blacklisted")
        self.token = token


class RefreshToken(tokens.RefreshToken):
    """A refresh token of one chain (see the module docstring)."""

    @classmethod
    def for_user(cls, user: AuthUser) -> Self:
        """A login: the first token of a new chain."""
        account = cast(User, user)  # AUTH_USER_MODEL
        token = cls()
        token[api_settings.USER_ID_CLAIM] = str(account.pk)
        if api_settings.CHECK_REVOKE_TOKEN:
            token[api_settings.REVOKE_TOKEN_CLAIM] = get_md5_hash_password(account.password)
        token[STAMP_CLAIM] = stamp_of(account)
        token[CHAIN_CLAIM] = uuid.uuid4().hex
        token.outstand()
        return token

    def rotated(self) -> Self:
        """The next token of this chain: a new id, the same claims, the same expiry."""
        successor = type(self)(token=None)
        for claim, value in self.payload.items():
            if claim not in (api_settings.JTI_CLAIM, "iat"):
                successor[claim] = value
        successor.outstand()
        return successor

    @property
    def access_token(self) -> tokens.AccessToken:
        access = super().access_token
        # An access token never outlives its chain.
        access["exp"] = min(access["exp"], self["exp"])
        return access

    def stored_form(self) -> str:
        digest = hashlib.sha256(str(self).encode()).hexdigest()
        return f"{CHAIN_CLAIM}={self.get(CHAIN_CLAIM)} sha256={digest}"

    def outstand(self) -> OutstandingToken:
        entry, _ = OutstandingToken.objects.get_or_create(
            jti=self[api_settings.JTI_CLAIM],
            defaults={
                "user_id": self[api_settings.USER_ID_CLAIM],
                "created_at": self.current_time,
                "token": self.stored_form(),
                "expires_at": datetime_from_epoch(self["exp"]),
            },
        )
        return entry

    def blacklist(self) -> tuple[BlacklistedToken, bool]:  # type: ignore[override]
        """Ends this token: (the blacklist entry, whether this call made it)."""
        return BlacklistedToken.objects.get_or_create(token=self.outstand())

    def use(self) -> Self | None:
        """Ends this token and returns its successor; None when another request used it
        first (the caller then ends the chain: a reuse)."""
        with transaction.atomic():
            lock_chain(self.get(CHAIN_CLAIM))
            _, first_use = self.blacklist()
            return self.rotated() if first_use else None

    def check_blacklist(self) -> None:
        if BlacklistedToken.objects.filter(token__jti=self[api_settings.JTI_CLAIM]).exists():
            raise ReusedToken(self)

    def end_chain(self) -> int:
        """Ends every token of this token's chain; how many were still usable (0: it had
        ended already)."""
        with transaction.atomic():
            lock_chain(self.get(CHAIN_CLAIM))
            return end_refresh_tokens(
                OutstandingToken.objects.filter(
                    user_id=self.get(api_settings.USER_ID_CLAIM),
                    token__startswith=f"{CHAIN_CLAIM}={self.get(CHAIN_CLAIM)} ",
                )
            )


def end_refresh_tokens(outstanding: "QuerySet[OutstandingToken]") -> int:
    """Blacklists the refresh tokens of ``outstanding`` that are still usable; how many."""
    unused = outstanding.filter(expires_at__gt=timezone.now(), blacklistedtoken__isnull=True)
    ended = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in unused], ignore_conflicts=True
    )
    return len(ended)


def check_stamp(token: Token, user: User) -> None:
    """AuthenticationFailed unless ``token`` was issued under the user's current stamp."""
    if token.get(STAMP_CLAIM) != stamp_of(user):
        raise AuthenticationFailed(
            "This token was revoked: the user logged out everywhere, changed the password "
            "or was deactivated.",
            code="token_revoked",
        )


class JWTAuthentication(authentication.JWTAuthentication):
    """``Authorization: Bearer <access>``; refused once the user's credentials are revoked."""

    # simplejwt annotates the result with a TypeVar that no argument binds.
    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        user = cast(User, super().get_user(validated_token))  # AUTH_USER_MODEL
        check_stamp(validated_token, user)
        return user
