"""An index on shot codes.

Revision ID: stalker_0005
Revises: stalker_0004

Issue 20: every new shot checks that its code is free in its project; without
an index that lookup scanned the whole ``Shots`` table, so creating a
production of N shots cost N scans.
"""

from __future__ import annotations

from alembic import op

revision: str = "stalker_0005"
down_revision: str | None = "stalker_0004"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_index("ix_Shots_code", "Shots", ["code"])


def downgrade() -> None:
    op.drop_index("ix_Shots_code", table_name="Shots")
