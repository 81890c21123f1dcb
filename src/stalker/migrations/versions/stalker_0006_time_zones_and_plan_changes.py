"""Studio and user time zones; the last schedule's changes.

Revision ID: stalker_0006
Revises: stalker_0005

Issue 23:

* ``Studios.timezone``: the IANA zone working hours and vacations are meant
  in.  Existing studios get ``UTC``, which is what their hours meant before.
* ``Users.timezone``: a remote artist's own zone; NULL is the studio's.
* ``Studios.last_schedule_changes``: what the last run moved (JSON rows).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "stalker_0006"
down_revision: str | None = "stalker_0005"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    # the model's column order, so a migrated table reads like a created one
    with op.batch_alter_table("Studios") as studios:
        studios.add_column(
            sa.Column(
                "last_schedule_changes", sa.JSON().with_variant(sa.Text(), "sqlite")
            )
        )
        studios.add_column(
            sa.Column(
                "timezone", sa.String(length=64), nullable=False, server_default="UTC"
            )
        )
    with op.batch_alter_table("Users") as users:
        users.add_column(sa.Column("timezone", sa.String(length=64)))


def downgrade() -> None:
    with op.batch_alter_table("Users") as users:
        users.drop_column("timezone")
    with op.batch_alter_table("Studios") as studios:
        studios.drop_column("last_schedule_changes")
        studios.drop_column("timezone")
