"""Password hashing: argon2id with its parameters inside the stored string (D9).

The stored form (``$argon2id$v=19$m=...,t=...,p=...$salt$hash``) carries its
own parameters, so they can be raised later and old hashes still verify and
are upgraded on the next successful check. Values written by the original
Stalker (base64 of the password) are accepted once and then replaced.
"""

from __future__ import annotations

import base64
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id minimum: 19 MiB of memory, 2 passes, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_PREFIX = "$argon2"


def hash_password(raw: str) -> str:
    """A new salted argon2id hash of ``raw``."""
    return _hasher.hash(raw)


def is_hashed(stored: str) -> bool:
    """Whether ``stored`` is in our hash format (not a legacy base64 value)."""
    return stored.startswith(_PREFIX)


def verify_password(stored: str, raw: str) -> tuple[bool, bool]:
    """Check ``raw`` against ``stored``; returns ``(matches, needs_rehash)``.

    ``needs_rehash`` is True for a match against a legacy base64 value or a
    hash made with weaker parameters than today's.
    """
    if is_hashed(stored):
        try:
            _hasher.verify(stored, raw)
        except (VerificationError, InvalidHashError):
            return False, False
        return True, _hasher.check_needs_rehash(stored)
    legacy = base64.b64encode(raw.encode("utf-8"))
    matches = hmac.compare_digest(legacy, stored.encode("utf-8"))
    return matches, matches
