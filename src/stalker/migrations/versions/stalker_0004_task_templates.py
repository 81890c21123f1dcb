"""Task templates: named chains of tasks applied to shots and assets.

Revision ID: stalker_0004
Revises: stalker_0003

Issue 22: ``TaskTemplates`` keeps each template's name, target class,
description and its task specs as one JSON list.  A new table only: the
downgrade drops it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "stalker_0004"
down_revision: str | None = "stalker_0003"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "TaskTemplates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("target_entity_type", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tasks", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("TaskTemplates")
