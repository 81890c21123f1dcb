"""Properties of the mapping as a whole (every class at once)."""

from __future__ import annotations

from sqlalchemy import Column
from sqlalchemy.orm import configure_mappers
from sqlalchemy.orm.interfaces import MANYTOONE
from sqlalchemy.sql import visitors

import stalker  # noqa: F401  (every model mapped)
from stalker.db.declarative import Base


def _many_to_ones():
    configure_mappers()
    for mapper in Base.registry.mappers:
        for relationship in mapper.relationships:
            if relationship.direction is MANYTOONE and relationship.parent is mapper:
                yield relationship


def test_every_many_to_one_is_served_from_the_identity_map():
    lazy = (("lazy", "select"),)
    missing = [
        str(relationship)
        for relationship in _many_to_ones()
        if not relationship._get_strategy(lazy).use_get
    ]
    assert missing == []
    assert len(list(_many_to_ones())) > 50


def test_deep_tables_join_their_parent_table_and_the_root_key():
    for mapper in Base.registry.mappers:
        parent = mapper.inherits
        if parent is None or mapper.single:
            continue  # the root, or a subclass without a table of its own
        if parent.local_table is mapper.base_mapper.local_table:
            continue
        columns = {
            element
            for element in visitors.iterate(mapper.inherit_condition)
            if isinstance(element, Column)
        }
        keys = {
            table.primary_key.columns[0]
            for table in (
                mapper.local_table,
                parent.local_table,
                mapper.base_mapper.local_table,
            )
        }
        assert columns == keys, mapper
