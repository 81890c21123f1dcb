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


def test_every_table_joins_its_parent_table_by_keys_alone():
    """One condition per level (issue 20): the planners join by primary keys."""
    for mapper in Base.registry.mappers:
        parent = mapper.inherits
        if parent is None or mapper.single:
            continue  # the root, or a subclass without a table of its own
        columns = [
            element
            for element in visitors.iterate(mapper.inherit_condition)
            if isinstance(element, Column)
        ]
        assert columns in (
            [
                mapper.local_table.primary_key.columns[0],
                parent.local_table.primary_key.columns[0],
            ],
            [
                parent.local_table.primary_key.columns[0],
                mapper.local_table.primary_key.columns[0],
            ],
        ), mapper


def test_every_table_key_is_known_equal_to_the_root_key():
    configure_mappers()
    for mapper in Base.registry.mappers:
        root_key = mapper.base_mapper.local_table.primary_key.columns[0]
        for table in mapper.tables:
            key = table.primary_key.columns[0]
            if key is not root_key:
                assert root_key in mapper._equivalent_columns[key], (mapper, table)
                assert key in mapper._equivalent_columns[root_key], (mapper, table)
