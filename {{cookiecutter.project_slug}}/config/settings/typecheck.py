"""Type checking: the settings mypy's Django plugin loads to learn the apps and models.

Nothing here serves a request. No database is started or reached, and the key is random.
"""

import secrets

from .base import *  # noqa: F403

SECRET_KEY = secrets.token_hex(32)
