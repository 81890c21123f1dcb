"""Safe rendering of user-written Jinja2 templates (decision D12).

FilenameTemplate and Structure sources are written by studio users and end up
as file-system paths, so:

* they are rendered in an immutable sandbox: attribute tricks such as
  ``''.__class__.__mro__`` and mutating methods raise a security error instead
  of reaching Python internals;
* the rendered paths are checked before anyone uses them: no ``..`` segment
  (also after environment variables are expanded) and no absolute path
  outside the repository.

Every error names the template so a TD knows which source to fix.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from collections.abc import Iterable
from typing import Any

from jinja2 import Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from stalker.exceptions import StalkerError

_DRIVE = re.compile(r"^[A-Za-z]:")
_SEPARATORS = re.compile(r"[/\\]")
_SOURCE_PREVIEW = 80


class TemplateRenderError(StalkerError, ValueError):
    """A template could not be rendered (syntax error, failing expression)."""


class TemplateSecurityError(TemplateRenderError, SecurityError):
    """A template tried something the sandbox forbids."""


class PathEscapeError(StalkerError, ValueError):
    """A rendered path would leave its repository."""


class _StrictSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, failing loudly on every unsafe access.

    Jinja2 answers ``{{ x.__class__ }}`` with an undefined value that prints
    as an empty string; a template doing that is hostile or broken, and a
    silently shortened path is worse than an error.
    """

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} "
            "object is unsafe"
        )


@functools.cache
def sandbox_environment() -> ImmutableSandboxedEnvironment:
    """The one sandbox every template is rendered in (built once).

    Jinja2's defaults are kept (no trim/lstrip blocks, no autoescape, the
    trailing newline dropped) so templates render as they did unsandboxed.
    """
    return _StrictSandbox()


@functools.lru_cache(maxsize=256)
def compiled_template(source: str) -> Template:
    """``source`` compiled in the sandbox, once per distinct source.

    Compiling is by far the dearest part of rendering, and a studio has a
    handful of templates rendered for every version it creates.
    """
    return sandbox_environment().from_string(source)


def _describe(source: str, template_name: str | None) -> str:
    if template_name:
        return template_name
    preview = source if len(source) <= _SOURCE_PREVIEW else f"{source[:77]}..."
    return f"template {preview!r}"


def render_template(
    source: str, /, *, template_name: str | None = None, **variables: Any
) -> str:
    """Render ``source`` with ``variables`` in the sandbox.

    Raises TemplateSecurityError (also a jinja2 SecurityError) for forbidden
    access and TemplateRenderError for any other rendering failure; both name
    the template (``template_name`` or a preview of the source).
    """
    if not isinstance(source, str):
        raise TypeError(
            f"render_template source should be a str, not "
            f"{type(source).__name__}: {source!r}"
        )
    label = _describe(source, template_name)
    try:
        return compiled_template(source).render(**variables)
    except SecurityError as error:
        raise TemplateSecurityError(
            f"{label} tried a forbidden operation: {error}"
        ) from error
    except TemplateError as error:
        raise TemplateRenderError(f"{label} could not be rendered: {error}") from error


def has_parent_segment(path: str) -> bool:
    """Whether ``path`` has a ``..`` segment (``/`` and ``\\`` both separate)."""
    return any(segment == ".." for segment in _SEPARATORS.split(path))


def is_absolute_path(path: str) -> bool:
    """Absolute on any OS: leading ``/`` or ``\\`` (UNC too) or a drive (``C:``)."""
    return path.startswith(("/", "\\")) or bool(_DRIVE.match(path))


def _expanded(path: str) -> str:
    return os.path.expandvars(path)


def _refuse_parent_segments(path: str, label: str) -> None:
    for candidate in (path, _expanded(path)):
        if has_parent_segment(candidate):
            raise PathEscapeError(
                f"{label} gave {path!r}, which has a '..' segment; rendered "
                "paths must stay inside the repository"
            )


def _starts_with_root(path: str, root: str) -> bool:
    """Prefix test on ``/`` paths; drive-letter (Windows) roots ignore case."""
    path = path.replace("\\", "/")
    root = root.replace("\\", "/").rstrip("/") + "/"
    if _DRIVE.match(root) or root.startswith("//"):
        return (path + "/").lower().startswith(root.lower())
    return (path + "/").startswith(root)


def check_relative_path(path: str, *, template_name: str | None = None) -> str:
    """Return ``path`` if it is relative and has no ``..`` segment."""
    label = template_name or "template"
    _refuse_parent_segments(path, label)
    if is_absolute_path(_expanded(path)) or is_absolute_path(path):
        raise PathEscapeError(
            f"{label} gave {path!r}, which is absolute; a relative path is needed"
        )
    return path


def check_rendered_path(
    path: str, roots: Iterable[str], *, template_name: str | None = None
) -> str:
    """Return a rendered directory ``path`` if it stays inside one of ``roots``.

    Relative paths and paths starting with an unexpanded ``$REPO...``
    variable are taken relative to the repository; an absolute path (after
    expanding variables) must start with one of the repository ``roots``.
    """
    label = template_name or "template"
    _refuse_parent_segments(path, label)
    expanded = _expanded(path)
    if not is_absolute_path(expanded):
        return path
    valid_roots = [root for root in roots if root and root not in ("./", ".")]
    if any(_starts_with_root(expanded, root) for root in valid_roots):
        return path
    raise PathEscapeError(
        f"{label} gave {path!r}, an absolute path outside the repository roots "
        f"{valid_roots}"
    )


def check_path_inside(root: str, relative_path: str) -> str:
    """Join ``relative_path`` onto ``root``, refusing anything that escapes it.

    ``relative_path`` may already start with ``root`` (e.g. rendered from
    ``{{project.repository.path}}``); otherwise it must be relative. The
    result uses forward slashes.
    """
    label = f"path {relative_path!r}"
    _refuse_parent_segments(relative_path, label)
    root = root.replace("\\", "/")
    expanded = _expanded(relative_path).replace("\\", "/")
    if is_absolute_path(expanded):
        if not _starts_with_root(expanded, root):
            raise PathEscapeError(
                f"{label} is absolute and outside the repository root {root!r}"
            )
        return expanded
    return posixpath.join(root, expanded)


__all__ = [
    "PathEscapeError",
    "TemplateRenderError",
    "TemplateSecurityError",
    "check_path_inside",
    "check_relative_path",
    "check_rendered_path",
    "compiled_template",
    "has_parent_segment",
    "is_absolute_path",
    "render_template",
    "sandbox_environment",
]
