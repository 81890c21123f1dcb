"""CodeMixin: a mandatory short code (``FC``, ``SH001``, ``WIP``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, validates

from stalker.models.validation import check_str, type_error


class CodeMixin:
    """Adds ``code``; classes whose code is optional set ``__nullable_code__``."""

    __nullable_code__: bool = False

    @declared_attr
    def code(cls) -> Mapped[str]:
        return mapped_column(String(256), nullable=cls.__nullable_code__)

    def __init__(self, code: str | None = None, **kwargs: Any) -> None:
        self.code = code  # type: ignore[assignment]

    @validates("code")
    def _validate_code(self, key: str, code: Any) -> str | None:
        if code is None:
            if self.__nullable_code__:
                return None
            raise type_error(self, key, "a str", code)
        return check_str(self, key, code, allow_empty=False, allow_blank=False)
