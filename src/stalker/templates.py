"""Safe rendering of user-written Jinja2 templates (decision D12, issue 18).

FilenameTemplate and Structure sources are written by studio users, stored in
the database and rendered by every artist's publish, so a template is treated
as untrusted code:

* It sees **plain data only**: :func:`template_context` and
  :func:`template_value` turn ORM objects into read-only
  :class:`TemplateObject` snapshots holding a documented list of attributes
  (ids, names, codes, numbers), never sessions, queries, relationships or
  methods.  A live session, connection, engine or module reached in any
  other way is refused too.
* It **calls nothing** but an allow-list: a few filters, read-only string
  methods and its own macros.  Everything else is a security error.
* It is **bounded**: output length, loop iterations plus calls, and wall
  time (``defaults.template_max_output_length``, ``template_max_iterations``
  and ``template_time_limit``); operators that could build huge values
  (``*``, ``**``, ``+``, ``%``, ``~``) check the size first.
* Every failure is a :class:`TemplateRenderError` naming the template and
  the reason; nothing else escapes.
* The rendered paths are checked before anyone uses them: no parent segment
  on any OS, no control character, no environment variable or ``~`` other
  than the leading repository variable, nothing absolute outside the
  repository.
"""

from __future__ import annotations

import contextvars
import functools
import os
import posixpath
import re
import string
import time
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
from jinja2.runtime import BlockReference, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import NoInspectionAvailable
from sqlalchemy.orm import Query, Session, scoped_session

from stalker.exceptions import StalkerError

_DRIVE = re.compile(r"^[A-Za-z]:")
_SEPARATORS = re.compile(r"[/\\]")
_SOURCE_PREVIEW = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ENV_DOLLAR = re.compile(r"\$(\{[^}]*\}?|[A-Za-z0-9_]+)")
_ENV_PERCENT = re.compile(r"%[^%/\\]+%")
_LEADING_REPO_VAR = re.compile(r"^\$(?:\{(REPO[A-Za-z0-9_]+)\}|(REPO[A-Za-z0-9_]+))")
_NUMBER = re.compile(r"\d+")
_PERCENT_SPEC = re.compile(
    r"%(?:\([^)]*\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]"
)

#: Largest integer a template may build (bits): enough for any frame number.
_MAX_INT_BITS = 4096


class TemplateRenderError(StalkerError, ValueError):
    """A template could not be rendered (syntax error, failing expression)."""


class TemplateSecurityError(TemplateRenderError, SecurityError):
    """A template tried something the sandbox forbids or exceeded a limit."""


class PathEscapeError(StalkerError, ValueError):
    """A rendered path would leave its repository."""


# -- plain-data snapshots -------------------------------------------------------


class TemplateObject:
    """A read-only snapshot of one object, for templates.

    Attributes and items give the same values (``project.code`` and
    ``project['code']``); an unknown name is undefined, which the strict
    sandbox reports.  ``str()`` gives what ``str()`` of the object gave.
    """

    __slots__ = ("_text", "_values")

    def __init__(self, values: Mapping[str, Any], text: str = "") -> None:
        object.__setattr__(self, "_values", types.MappingProxyType(dict(values)))
        object.__setattr__(self, "_text", text)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"TemplateObject is read-only, cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"TemplateObject is read-only, cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TemplateObject)
            and self._text == other._text
            and self._values == other._values
        )

    def __hash__(self) -> int:
        return hash(self._text)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"TemplateObject({self._text!r})"


#: The attributes a template sees, by class name (a class gets those of
#: every class in its MRO).  Relations are snapshots themselves.
_DOCUMENTED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "SimpleEntity": ("id", "name", "description", "entity_type", "nice_name", "type"),
    "CodeMixin": ("code",),
    "Type": ("code", "target_entity_type"),
    "Repository": (
        "code",
        "path",
        "linux_path",
        "windows_path",
        "macos_path",
        "osx_path",
        "env_var",
    ),
    "Project": ("code", "fps", "repository", "repositories"),
    "Task": ("parent", "bid_timing", "bid_unit", "priority"),
    "Asset": ("code",),
    "Shot": ("code", "cut_in", "cut_out", "cut_duration", "fps"),
    "Sequence": ("code",),
    "Scene": ("code",),
    "Version": (
        "version_number",
        "take_name",
        "is_published",
        "created_with",
        "extension",
        "filename",
    ),
    "User": ("login", "email"),
    "Status": ("code",),
}

_SCALARS = (str, int, float, bool, type(None))


def _documented_attributes(entity: Any) -> list[str]:
    names: list[str] = []
    for cls in type(entity).__mro__:
        for name in _DOCUMENTED_ATTRIBUTES.get(cls.__name__, ()):
            if name not in names:
                names.append(name)
    return names


def _is_mapped(value: Any) -> bool:
    try:
        sa_inspect(value)
    except NoInspectionAvailable:
        return False
    return not isinstance(value, type)


def _snapshot_entity(entity: Any, memo: dict[int, Any]) -> TemplateObject:
    key = id(entity)
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    values: dict[str, Any] = {}
    for name in _documented_attributes(entity):
        try:
            value = getattr(entity, name)
        except Exception:  # unreadable: undefined in templates
            continue
        values[name] = _plain(value, memo)
    snapshot = TemplateObject(values, str(entity))
    memo[key] = snapshot
    return snapshot


_LIVE_TYPES: tuple[type, ...] = (
    Session,
    scoped_session,
    Connection,
    Engine,
    URL,
    Query,
    types.ModuleType,
)


def _is_live(value: Any) -> bool:
    """Database handles and modules: never given to a template."""
    return isinstance(value, _LIVE_TYPES) or (
        isinstance(value, type) and issubclass(value, (Session, Query))
    )


def _plain(value: Any, memo: dict[int, Any]) -> Any:
    if isinstance(value, (*_SCALARS, TemplateObject)):
        return value
    if _is_live(value):
        raise TemplateSecurityError(
            f"a template cannot be given a {type(value).__name__} object"
        )
    if _is_mapped(value):
        return _snapshot_entity(value, memo)
    if isinstance(value, Mapping):  # copies: the immutable sandbox refuses
        return {str(k): _plain(v, memo) for k, v in value.items()}  # changes
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item, memo) for item in value]
    return value


def template_value(value: Any) -> Any:
    """``value`` as a template may see it.

    ORM objects become :class:`TemplateObject` snapshots of their documented
    attributes, lists and mappings become copies; sessions,
    connections, engines, URLs, queries and modules are refused
    (TemplateSecurityError).  Other objects are given as they are: the
    sandbox still keeps templates away from their internals and methods.
    """
    return _plain(value, {})


def template_context(
    task: Any, version: Any = None, **extra: Any
) -> dict[str, TemplateObject | tuple[Any, ...] | Any]:
    """The documented template variables of ``task`` (and ``version``).

    ``project``, ``task`` and its aliases ``sequence``/``shot``/``asset``
    (the task itself, as the original did), ``sequences`` and ``scenes``
    (of a Shot, else empty), ``parent_tasks`` (root first, the task last),
    ``type``; with a version also ``version``, ``extension`` and ``user``
    (who created the version).  All are snapshots (plain data).
    """
    memo: dict[int, Any] = {}
    is_shot = task.entity_type == "Shot"
    task_snapshot = _plain(task, memo)
    context: dict[str, Any] = {
        "project": _plain(task.project, memo),
        "sequences": _plain(list(task.sequences) if is_shot else [], memo),
        "scenes": _plain(list(task.scenes) if is_shot else [], memo),
        "sequence": task_snapshot,
        "shot": task_snapshot,
        "asset": task_snapshot,
        "task": task_snapshot,
        "parent_tasks": _plain([*task.parents, task], memo),
        "type": _plain(task.type, memo),
    }
    if version is not None:
        context.update(
            version=_plain(version, memo),
            type=_plain(version.type, memo),
            extension=version.extension,
            user=_plain(version.created_by, memo),
        )
    context.update({name: _plain(value, memo) for name, value in extra.items()})
    return context


# -- limits -----------------------------------------------------------------------


class _Budget:
    """What one rendering may still spend (iterations, calls, time, length)."""

    __slots__ = ("deadline", "max_length", "steps_left")

    def __init__(self) -> None:
        import stalker

        defaults = stalker.defaults
        self.max_length = int(defaults.template_max_output_length)
        self.steps_left = int(defaults.template_max_iterations)
        self.deadline = time.monotonic() + float(defaults.template_time_limit)

    def step(self) -> None:
        self.steps_left -= 1
        if self.steps_left < 0:
            raise SecurityError("too many loop iterations or calls")
        if time.monotonic() > self.deadline:
            raise SecurityError("rendering took too long")

    def length(self, size: int) -> None:
        if size > self.max_length:
            raise SecurityError(
                f"a value of {size} characters or items exceeds the limit "
                f"of {self.max_length}"
            )


_BUDGET: contextvars.ContextVar[_Budget] = contextvars.ContextVar("template_budget")


def _budget() -> _Budget:
    try:
        return _BUDGET.get()
    except LookupError:  # generate()/stream() called directly: no limits known
        raise SecurityError(
            "sandboxed templates are rendered with render_template() or "
            "Template.render(), which bound them"
        ) from None


class _BoundedTemplate(Template):
    """``render()`` of a compiled template gets its own budget too."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        token = _BUDGET.set(_Budget())
        try:
            return super().render(*args, **kwargs)
        finally:
            _BUDGET.reset(token)


def _guarded_iter(iterable: Any) -> Iterator[Any]:
    """Every ``{% for %}`` loops through this: one step per iteration."""
    budget = _budget()
    for item in iterable:
        budget.step()
        yield item


def _guarded_concat(*parts: Any) -> str:
    """The ``~`` operator, refusing results longer than the output limit."""
    texts = [str(part) for part in parts]
    _budget().length(sum(map(len, texts)))
    return "".join(texts)


def _guarded_range(*args: int) -> range:
    numbers = range(*args)
    _budget().length(len(numbers))
    return numbers


def _check_widths(spec: str) -> None:
    """Refuse format widths/precisions beyond the output limit (or ``*``)."""
    if "*" in spec or "{" in spec:
        raise SecurityError("computed widths are not allowed in format strings")
    budget = _budget()
    for number in _NUMBER.findall(spec):
        if len(number) > 9:
            raise SecurityError("format width too large")
        budget.length(int(number))


def _check_percent_format(text: str) -> None:
    for spec in _PERCENT_SPEC.findall(text):
        _check_widths(spec)


def _check_brace_format(text: str) -> None:
    for _, field, spec, _ in string.Formatter().parse(text):
        if field is not None and spec:
            _check_widths(spec)


def _size(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        return 0


def _check_int(value: Any) -> Any:
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        raise SecurityError("integer too large")
    return value


# -- the allow-lists --------------------------------------------------------------


class _Allowed:
    """A callable the sandbox lets templates call (wraps a checked function)."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)


def _replace_size(text: str, old: str, new: str, count: int = -1) -> int:
    hits = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * max(0, len(new) - len(old))


def _width_argument(_text: str, width: Any, *_: Any) -> int:
    return int(width) if isinstance(width, int) else 0


def _join_size(separator: str, items: Any) -> int:
    items = list(items) if not isinstance(items, (list, tuple, str)) else items
    return sum(len(str(item)) for item in items) + len(separator) * len(items)


#: Read-only str methods templates may call, with a size estimate of the
#: result checked before the call (None: never longer than the input).
_READ_ONLY_STR_METHODS = (
    "lower", "upper", "title", "capitalize", "casefold", "swapcase",
    "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines",
    "partition", "rpartition", "startswith", "endswith", "count", "find",
    "rfind", "isdigit", "isalpha", "isalnum", "isupper", "islower",
    "isspace", "removeprefix", "removesuffix",
)  # fmt: skip
_STR_METHODS: dict[str, Callable[..., int] | None] = dict.fromkeys(
    _READ_ONLY_STR_METHODS
)
_STR_METHODS.update(
    replace=_replace_size,
    zfill=_width_argument,
    ljust=_width_argument,
    rjust=_width_argument,
    center=_width_argument,
    join=_join_size,
)
_MAPPING_METHODS = frozenset({"get", "keys", "values", "items"})
_SEQUENCE_METHODS = frozenset({"count", "index"})


def _materialised(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Iterators (``map``, ``select`` ...) as lists: checks must not use them up."""
    return tuple(list(arg) if isinstance(arg, Iterator) else arg for arg in args)


def _filter(function: Callable[..., Any], check: Callable[..., None] | None = None):  # type: ignore[no-untyped-def]
    """A filter counted as one step, its arguments checked first."""

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.step()
        args = _materialised(args)
        if check is not None:
            check(*args, **kwargs)
        result = function(*args, **kwargs)
        budget.length(_size(result) if isinstance(result, str) else 0)
        return result

    return guarded


def _check_format_filter(value: Any, *args: Any, **kwargs: Any) -> None:
    _check_percent_format(str(value))


def _check_replace_filter(
    _eval_ctx: Any, value: Any, old: Any, new: Any, count: Any = None
) -> None:
    _budget().length(_replace_size(str(value), str(old), str(new), count or -1))


def _check_join_filter(_eval_ctx: Any, value: Any, d: Any = "", *_: Any) -> None:
    _budget().length(_join_size(str(d), value))


def _check_center_filter(_value: Any, width: Any = 80) -> None:
    _budget().length(int(width))


_ALLOWED_FILTERS: dict[str, Callable[..., None] | None] = {
    "abs": None,
    "capitalize": None,
    "center": _check_center_filter,
    "count": None,
    "d": None,
    "default": None,
    "first": None,
    "float": None,
    "format": _check_format_filter,
    "int": None,
    "join": _check_join_filter,
    "last": None,
    "length": None,
    "list": None,
    "lower": None,
    "map": None,
    "max": None,
    "min": None,
    "reject": None,
    "rejectattr": None,
    "replace": _check_replace_filter,
    "reverse": None,
    "round": None,
    "select": None,
    "selectattr": None,
    "sort": None,
    "string": None,
    "sum": None,
    "title": None,
    "trim": None,
    "unique": None,
    "upper": None,
}


def _method_allowed(method: Any) -> Callable[..., int] | bool | None:
    """For a bound method: its size check (None) if allowed, else False."""
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if isinstance(owner, str) and name in _STR_METHODS:
        return _STR_METHODS[name]
    if isinstance(owner, Mapping) and name in _MAPPING_METHODS:
        return None
    if isinstance(owner, (tuple, list, str)) and name in _SEQUENCE_METHODS:
        return None
    if isinstance(owner, LoopContext) and name in ("cycle", "changed"):
        return None
    return False


# -- the environment --------------------------------------------------------------

_GUARDS = "stalker.templates"


def _guard_call(name: str, args: list[Any], lineno: int) -> nodes.Call:
    function = nodes.ImportedName(f"{_GUARDS}.{name}", lineno=lineno)
    return nodes.Call(function, args, [], None, None, lineno=lineno)


class _InsertGuards(NodeTransformer):
    """Route loops and ``~`` through the budget (they call nothing otherwise)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _guard_call("_guarded_iter", [node.iter], node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _guard_call("_guarded_concat", list(node.nodes), node.lineno)


_GUARD_FUNCTIONS = (_guarded_iter, _guarded_concat, _guarded_range)


class _StrictSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, calling only what is allowed, bounded.

    Jinja2 answers ``{{ x.__class__ }}`` with an undefined value that prints
    as an empty string; a template doing that is hostile or broken, and a
    silently shortened path is worse than an error, so it raises here.
    """

    intercepted_binops = frozenset({"*", "**", "+", "%", "//", "/"})

    template_class = _BoundedTemplate

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined)
        self.globals.clear()
        self.globals["range"] = _guarded_range
        self.filters = {
            name: _filter(self.filters[name], check)
            for name, check in _ALLOWED_FILTERS.items()
        }

    def _parse(
        self, source: str, name: str | None, filename: str | None
    ) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        return _InsertGuards().visit(tree)  # type: ignore[no-any-return]

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} "
            "object is unsafe"
        )

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if _is_live(value) or _is_live(obj) or (_is_mapped(value)):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        if _is_live(value) or _is_mapped(value):
            raise SecurityError(f"item {argument!r} is a live database object")
        return value

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        text = str(value.__self__)

        def checked(*args: Any, **kwargs: Any) -> str:
            _check_brace_format(text)
            result = wrapper(*args, **kwargs)
            _budget().length(len(result))
            return result

        return _Allowed(checked)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        budget = _budget()
        if operator == "**":
            if isinstance(right, int) and isinstance(left, int):
                bits = max(left.bit_length(), 1) * max(right, 0)
                if bits > _MAX_INT_BITS:
                    raise SecurityError("integer power too large")
        elif operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
                    budget.length(len(sequence) * max(times, 0))
        elif operator == "+" and isinstance(left, (str, list, tuple)):
            budget.length(_size(left) + _size(right))
        elif operator == "%" and isinstance(left, str):
            _check_percent_format(left)
        result = self.binop_table[operator](left, right)
        if isinstance(result, str):
            budget.length(len(result))
        return _check_int(result)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _budget().step()
        if __obj in _GUARD_FUNCTIONS or isinstance(__obj, (_Allowed, Macro)):
            return __context.call(__obj, *args, **kwargs)
        if isinstance(__obj, (LoopContext, BlockReference)):
            return __context.call(__obj, *args, **kwargs)
        check = _method_allowed(__obj)
        if check is False:
            raise SecurityError(
                f"{getattr(__obj, '__name__', type(__obj).__name__)!r} "
                "may not be called in a template"
            )
        if callable(check):
            args = _materialised(args)
            _budget().length(check(__obj.__self__, *args, **kwargs))
        return __context.call(__obj, *args, **kwargs)


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


def _render_bounded(source: str, variables: dict[str, Any]) -> str:
    budget = _Budget()
    token = _BUDGET.set(budget)
    try:
        plain = {name: template_value(value) for name, value in variables.items()}
        chunks: list[str] = []
        size = 0
        for chunk in compiled_template(source).generate(**plain):
            size += len(chunk)
            budget.length(size)
            chunks.append(chunk)
        return "".join(chunks)
    finally:
        _BUDGET.reset(token)


def render_template(
    source: str, /, *, template_name: str | None = None, **variables: Any
) -> str:
    """Render ``source`` with ``variables`` (made plain) in the sandbox.

    Raises TemplateSecurityError (also a jinja2 SecurityError) for forbidden
    access and exceeded limits, TemplateRenderError for any other failure
    (syntax, undefined names, arithmetic, memory, recursion ...); both name
    the template (``template_name`` or a preview of the source).
    """
    if not isinstance(source, str):
        raise TypeError(
            f"render_template source should be a str, not "
            f"{type(source).__name__}: {source!r}"
        )
    label = _describe(source, template_name)
    try:
        return _render_bounded(source, variables)
    except TemplateSecurityError as error:
        raise TemplateSecurityError(f"{label} was refused: {error}") from None
    except SecurityError as error:
        raise TemplateSecurityError(
            f"{label} tried a forbidden operation: {error}"
        ) from None
    except (Exception, MemoryError, RecursionError) as error:
        reason = f"{type(error).__name__}: {error}"[:300]
        raise TemplateRenderError(f"{label} could not be rendered: {reason}") from None


# -- containment --------------------------------------------------------------------


def _is_parent_like(segment: str) -> bool:
    """``..``, ``...``, ``.. `` ...: segments some OS reads as a parent.

    Windows drops trailing dots and spaces, so any segment of only dots and
    spaces other than ``.`` itself is refused.
    """
    return bool(segment) and segment != "." and not segment.strip(". ")


def has_parent_segment(path: str) -> bool:
    """Whether ``path`` has a parent-like segment (``/`` and ``\\`` separate)."""
    return any(_is_parent_like(segment) for segment in _SEPARATORS.split(path))


def is_absolute_path(path: str) -> bool:
    """Absolute on any OS: leading ``/`` or ``\\`` (UNC too) or a drive (``C:``)."""
    return path.startswith(("/", "\\")) or bool(_DRIVE.match(path))


def _leading_variable(path: str, allow_variable: bool) -> tuple[str, str]:
    """Split the leading ``$REPO...``/``${REPO...}`` (if allowed) from the rest."""
    match = _LEADING_REPO_VAR.match(path) if allow_variable else None
    if match is None:
        return "", path
    return match.group(0), path[match.end() :]


def _refuse_unsafe_text(path: str, label: str, allow_variable: bool) -> None:
    """Parent segments, control characters, variables and ``~`` are refused."""

    def refuse(reason: str) -> PathEscapeError:
        return PathEscapeError(
            f"{label} gave {path!r}, which {reason}; rendered paths must stay "
            "inside the repository"
        )

    if _CONTROL.search(path):
        raise refuse("has a NUL or control character")
    variable, rest = _leading_variable(path, allow_variable)
    if _ENV_DOLLAR.search(rest) or _ENV_PERCENT.search(rest):
        raise refuse(
            "has an environment variable (only a leading $REPO<code> is allowed)"
        )
    segments = _SEPARATORS.split(rest)
    if any(segment.startswith("~") for segment in segments):
        raise refuse("has a segment starting with '~'")
    if any(_is_parent_like(segment) for segment in segments):
        raise refuse("has a '..' (parent) segment")
    expanded = os.path.expandvars(path) if variable else path
    if has_parent_segment(expanded):
        raise refuse("has a '..' (parent) segment once expanded")


def _starts_with_root(path: str, root: str) -> bool:
    """Prefix test on ``/`` paths; drive-letter (Windows) roots ignore case."""
    path = path.replace("\\", "/")
    root = root.replace("\\", "/").rstrip("/") + "/"
    if _DRIVE.match(root) or root.startswith("//"):
        return (path + "/").lower().startswith(root.lower())
    return (path + "/").startswith(root)


def check_relative_path(path: str, *, template_name: str | None = None) -> str:
    """Return ``path`` if it is relative, plain and has no parent segment.

    No variable at all is allowed here (file names, structure folders).
    """
    label = template_name or "template"
    _refuse_unsafe_text(path, label, allow_variable=False)
    if is_absolute_path(path):
        raise PathEscapeError(
            f"{label} gave {path!r}, which is absolute; a relative path is needed"
        )
    return path


def check_rendered_path(
    path: str, roots: Iterable[str], *, template_name: str | None = None
) -> str:
    """Return a rendered directory ``path`` if it stays inside one of ``roots``.

    Relative paths and paths starting with the ``$REPO...`` variable are
    taken relative to the repository; an absolute path (after expanding that
    variable) must start with one of the repository ``roots``.  Any other
    variable syntax (``$X``, ``${X}``, ``%X%``), ``~``, parent-like segments
    and control characters are refused.
    """
    label = template_name or "template"
    _refuse_unsafe_text(path, label, allow_variable=True)
    expanded = os.path.expandvars(path)
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
    ``{{project.repository.path}}``) or with the repository variable;
    otherwise it must be relative. The result uses forward slashes.
    """
    label = f"path {relative_path!r}"
    _refuse_unsafe_text(relative_path, label, allow_variable=True)
    root = root.replace("\\", "/")
    expanded = os.path.expandvars(relative_path).replace("\\", "/")
    if is_absolute_path(expanded):
        if not _starts_with_root(expanded, root):
            raise PathEscapeError(
                f"{label} is absolute and outside the repository root {root!r}"
            )
        return expanded
    return posixpath.join(root, expanded)


__all__ = [
    "PathEscapeError",
    "TemplateObject",
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
    "template_context",
    "template_value",
]
