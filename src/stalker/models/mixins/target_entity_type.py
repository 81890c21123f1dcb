"""TargetEntityTypeMixin: which class (by name) an object is meant for."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, synonym

from stalker.models.validation import type_error, value_error


class TargetEntityTypeMixin:
    """Stores a class name; read-only once the object is built."""

    __nullable_target__: bool = False
    __unique_target__: bool = False

    @declared_attr
    def _target_entity_type(cls) -> Mapped[str]:
        return mapped_column(
            "target_entity_type",
            String(128),
            nullable=cls.__nullable_target__,
            unique=cls.__unique_target__,
            index=not cls.__unique_target__,
        )

    @declared_attr
    def target_entity_type(cls: Any) -> Mapped[str]:
        getter = cls._get_target_entity_type
        return synonym("_target_entity_type", descriptor=property(getter))

    def __init__(self, target_entity_type: Any = None, **kwargs: Any) -> None:
        self._target_entity_type = self._validate_target_entity_type(target_entity_type)

    def _get_target_entity_type(self) -> str:
        return self._target_entity_type

    def _validate_target_entity_type(self, target: Any) -> str:
        if isinstance(target, type):
            return target.__name__
        if not isinstance(target, str):
            raise type_error(
                self, "target_entity_type", "a class or a class name str", target
            )
        if not target:
            raise value_error(
                self, "target_entity_type", "a non-empty class name", target
            )
        return target
