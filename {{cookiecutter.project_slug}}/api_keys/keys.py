"""The keys themselves: how one is made, stored and recognised.

A key is ``<prefix>.<secret>``: 8 and 32 letters and digits. The prefix is public and
unique: it finds the key's row, and people can tell their keys apart by it in lists and
logs. The secret carries about 190 bits, so the whole key is stored as its SHA-512
digest, as djangorestframework-api-key 3.0 does: a password hasher's deliberate slowness
protects guessable secrets, and checking a random one must cost microseconds, not tens of
milliseconds per request. Digests are compared in constant time.
"""

import hashlib
import re
import secrets
import string

ALPHABET = string.ascii_letters + string.digits
PREFIX_LENGTH = 8
SECRET_LENGTH = 32
# The prefix, a dot and the secret (8 and 32 of ALPHABET).
KEY_FORMAT = re.compile(rb"([A-Za-z0-9]{8})\.[A-Za-z0-9]{32}")


def random_text(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_key() -> tuple[str, str]:
    """A new key and its prefix."""
    prefix = random_text(PREFIX_LENGTH)
    return f"{prefix}.{random_text(SECRET_LENGTH)}", prefix


def digest(key: str | bytes) -> str:
    """What is stored of a key: its SHA-512, in hex."""
    data = key.encode() if isinstance(key, str) else key
    return hashlib.sha512(data).hexdigest()


def matches(key: bytes, stored_digest: str) -> bool:
    """Whether ``key`` is the one whose digest is stored, in time independent of where they
    differ."""
    return secrets.compare_digest(digest(key), stored_digest)
