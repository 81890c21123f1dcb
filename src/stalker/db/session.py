"""The scoped session every Stalker call shares (``DBSession``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import scoped_session, sessionmaker


class ExtendedScopedSession(scoped_session):
    """A scoped session with ``save()``: add what is given, then commit."""

    def save(self, data: Any = None) -> None:
        """Add ``data`` (one object or a list of them) and commit the session."""
        if data:
            if hasattr(data, "__getitem__"):
                self.add_all(data)
            else:
                self.add(data)
        self.commit()


DBSession = ExtendedScopedSession(sessionmaker(future=True))
