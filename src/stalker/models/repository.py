"""Repository: a file-server root with one path per operating system.

The root of the running OS is published as ``$REPO<code>`` (when the
repository has a code) and the legacy ``$REPO<id>`` (once it has an id), so
stored paths such as ``$REPO33/FC/SH001/comp`` work on every workstation.
"""

from __future__ import annotations

import os
import platform
import posixpath
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, synonym, validates

import stalker
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.mixins.code import CodeMixin
from stalker.models.validation import check_str, type_error, value_error

#: ``platform.system()`` value -> the path attribute used on that system.
_PATH_ATTRIBUTE_OF_SYSTEM = {
    "Linux": "linux_path",
    "Windows": "windows_path",
    "Darwin": "macos_path",
}


def current_path_attribute() -> str | None:
    """Name of the path attribute for the running OS (None when unknown).

    Looked up at every call so tests can patch ``platform.system``.
    """
    return _PATH_ATTRIBUTE_OF_SYSTEM.get(platform.system())


# "/x", "\\x", "//server", "C:" or "C:/x", "~/x", "$VAR/x" or "${VAR}/x"
_ABSOLUTE_ROOT = re.compile(r"^(?:[/\\]|[A-Za-z]:|~|\$)")


def normalize_root(path: str) -> str:
    """Forward slashes, POSIX normalisation, exactly one trailing ``/``.

    Independent of the host OS, so a Windows root stored from Linux looks
    the same as one stored from Windows. A leading ``//`` (UNC) is kept.
    """
    normalized = posixpath.normpath(path.replace("\\", "/"))
    stripped = normalized.rstrip("/")
    if not stripped:  # "/" or "//"
        return "/"
    return f"{stripped}/"


def _normalize_any(path: str) -> str:
    """Expand ``~``/variables and normalise to forward slashes, no trailing ``/``."""
    expanded = os.path.expandvars(os.path.expanduser(path))
    return posixpath.normpath(expanded.replace("\\", "/"))


def _is_set(root: str | None) -> bool:
    """An unset root normalises to ``./``; it must never match anything."""
    return bool(root) and root != "./"


def _swap_root(path: str, root: str, replace_with: str) -> str | None:
    if _is_set(root) and path.startswith(root):
        return replace_with + path[len(root) :]
    return None


class Repository(Entity, CodeMixin):
    """Roots of a file server for Linux, Windows and macOS (``osx_path`` alias)."""

    __tablename__ = "Repositories"
    __auto_name__ = False
    __nullable_code__ = True
    __mapper_args__ = {"polymorphic_identity": "Repository"}

    repository_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    linux_path: Mapped[str] = mapped_column(String(256), default="./")
    windows_path: Mapped[str] = mapped_column(String(256), default="./")
    macos_path: Mapped[str] = mapped_column(String(256), default="./")
    osx_path = synonym("macos_path")

    def __init__(
        self,
        code: str | None = None,
        linux_path: str = "",
        windows_path: str = "",
        macos_path: str = "",
        osx_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        CodeMixin.__init__(self, code=code)
        if osx_path is not None and not macos_path:
            macos_path = osx_path  # D4: macos_path wins when both are given
        self.linux_path = linux_path
        self.windows_path = windows_path
        self.macos_path = macos_path

    @validates("linux_path", "windows_path", "macos_path")
    def _validate_root(self, key: str, path: Any) -> str:
        path = normalize_root(self._check_root(key, check_str(self, key, path)))
        if key == current_path_attribute():
            self._publish(path)
        return path

    def _check_root(self, key: str, path: str) -> str:
        """Refuse a root that would resolve against the working directory.

        ``""`` stays the documented "no root on this OS" (stored as ``"./"``,
        which is read back and may be assigned again); a blank, relative or
        ``..`` root would make every rendered path depend on where the script
        runs, or climb out of the file server.
        """
        if path in ("", "./"):
            return ""
        if not path.strip():
            raise value_error(self, key, "an absolute path or an empty str", path)
        if ".." in path.replace("\\", "/").split("/"):
            raise value_error(self, key, "a root without '..' segments", path)
        if not _ABSOLUTE_ROOT.match(path):
            raise value_error(
                self, key, "an absolute path (/..., X:, //server, ~ or $VAR)", path
            )
        return path

    def _publish(self, path: str | None = None) -> None:
        """Set ``REPO<code>`` (if coded) and ``REPO<id>`` (if flushed) to the root."""
        if path is None:
            path = self.path
        if path is None:
            return
        defaults = stalker.defaults
        if self.code is not None:
            os.environ[defaults.repo_env_var_template % {"code": self.code}] = path
        if self.id is not None:
            os.environ[defaults.repo_env_var_template_old % {"id": self.id}] = path

    @property
    def path(self) -> str | None:
        """The root for the running OS (None on an unknown system)."""
        attribute = current_path_attribute()
        return None if attribute is None else getattr(self, attribute)

    @path.setter
    def path(self, path: Any) -> None:
        attribute = current_path_attribute()
        if attribute is not None:
            setattr(self, attribute, path)

    @property
    def env_var(self) -> str | None:
        """``REPO<code>``, or the legacy ``REPO<id>`` for a repository without code."""
        defaults = stalker.defaults
        if self.code is not None:
            return defaults.repo_env_var_template % {"code": self.code}
        if self.id is not None:
            return defaults.repo_env_var_template_old % {"id": self.id}
        return None

    def _to_path(self, path: Any, replace_with: str | None) -> str:
        if not isinstance(path, str):
            raise type_error(self, "path", "a str", path)
        normalized = _normalize_any(path)
        if replace_with is None:
            return normalized
        for root in (self.windows_path, self.linux_path, self.macos_path):
            swapped = _swap_root(normalized, root, replace_with)
            if swapped is not None:
                return swapped
        return normalized

    def to_linux_path(self, path: str) -> str:
        """``path`` (any OS root, ``$REPO...``, ``~``) with the Linux root."""
        return self._to_path(path, self.linux_path)

    def to_windows_path(self, path: str) -> str:
        """``path`` with the Windows root."""
        return self._to_path(path, self.windows_path)

    def to_macos_path(self, path: str) -> str:
        """``path`` with the macOS root."""
        return self._to_path(path, self.macos_path)

    to_osx_path = to_macos_path

    def to_native_path(self, path: str) -> str:
        """``path`` with the root of the running OS."""
        return self._to_path(path, self.path)

    def is_in_repo(self, path: str) -> bool:
        """Whether ``path`` starts with one of the roots (Windows ignores case).

        No variables are expanded: ``$REPO...`` paths answer False.
        """
        if not isinstance(path, str):
            raise type_error(self, "path", "a str", path)
        return self._matches(path.replace("\\", "/"), native=False)

    def make_relative(self, path: str) -> str:
        """``path`` relative to this repository's root."""
        native = self.to_native_path(path)
        root = self.path if self.path is not None else "/"
        return posixpath.relpath(native, root)

    def _matches(self, path: str, native: bool = True) -> bool:
        """Prefix test against the roots; only the Windows one ignores case."""
        windows, linux, macos = self.windows_path, self.linux_path, self.macos_path
        return (
            (native and _is_set(self.path) and path.startswith(self.path or ""))
            or (_is_set(windows) and path.lower().startswith(windows.lower()))
            or (_is_set(linux) and path.startswith(linux))
            or (_is_set(macos) and path.startswith(macos))
        )

    @classmethod
    def find_repo(cls, path: str) -> Repository | None:
        """The first repository (DB order) whose root ``path`` starts with."""
        if not isinstance(path, str):
            raise type_error(cls, "path", "a str", path)
        path = os.path.expandvars(path).replace("\\", "/")
        for repository in cls.query.order_by(cls.repository_id).all():
            if repository._matches(path):
                return repository
        return None

    @classmethod
    def to_os_independent_path(cls, path: str) -> str:
        """``$REPO<code>/relative`` for a path in a known repository, else ``path``."""
        repository = cls.find_repo(path)
        if repository is None:
            return path
        return f"${repository.env_var}/{repository.make_relative(path)}"

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, Repository)
            and self.linux_path == other.linux_path
            and self.windows_path == other.windows_path
            and self.macos_path == other.macos_path
        )

    __hash__ = SimpleEntity.__hash__


@event.listens_for(Repository, "after_insert")
def _publish_after_insert(mapper: Any, connection: Any, repository: Repository) -> None:
    repository._publish()


@event.listens_for(Repository, "load")
def _publish_on_load(repository: Repository, context: Any) -> None:
    repository._publish()


def repository_roots(repositories: Iterable[Repository]) -> list[str]:
    """Every OS root of ``repositories``: where rendered paths may point."""
    return [
        root
        for repository in repositories
        for root in (
            repository.windows_path,
            repository.linux_path,
            repository.macos_path,
        )
        if root
    ]
