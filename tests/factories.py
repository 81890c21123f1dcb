"""Builders of valid objects that many test modules need."""

from typing import Any

from stalker import User


def make_user(login: str = "user", **overrides: Any) -> User:
    """A valid User named and mailed after its login; attributes may be overridden."""
    attributes: dict[str, Any] = {
        "name": login,
        "login": login,
        "email": f"{login}@example.com",
        "password": "pw",
    }
    attributes.update(overrides)
    return User(**attributes)
