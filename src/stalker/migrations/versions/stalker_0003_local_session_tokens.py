"""LocalSession tokens, the database's own id, ids never reused on SQLite.

Revision ID: stalker_0003
Revises: stalker_0002

Issue 18:

* ``LocalSessionTokens`` keeps the SHA-256 of each remembered login's random
  token with its user, expiry and creation time; logout deletes the row.
* ``DatabaseSettings`` (key/value) keeps the database's random id, which a
  session file must name; it is written here for an existing database.
* SQLite: ``SimpleEntities`` is rebuilt with ``AUTOINCREMENT`` (foreign keys
  are off while the runner migrates, and checked afterwards), so an id is
  never handed out twice.  The downgrade drops the two tables and keeps
  AUTOINCREMENT: it changes no data and older code works with it.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision: str = "stalker_0003"
down_revision: str | None = "stalker_0002"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "DatabaseSettings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "LocalSessionTokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["Users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_LocalSessionTokens_token_hash"),
        "LocalSessionTokens",
        ["token_hash"],
        unique=True,
    )
    op.create_index(
        op.f("ix_LocalSessionTokens_user_id"),
        "LocalSessionTokens",
        ["user_id"],
        unique=False,
    )
    if op.get_context().dialect.name == "sqlite":
        with op.batch_alter_table(
            "SimpleEntities",
            recreate="always",
            table_kwargs={"sqlite_autoincrement": True},
        ):
            pass
    has_users = op.get_bind().execute(sa.text('SELECT 1 FROM "Users"')).first()
    if has_users is not None:  # an initialised database: give it its id
        settings = sa.table("DatabaseSettings", sa.column("key"), sa.column("value"))
        op.execute(
            settings.insert().values(key="database_id", value=secrets.token_hex(16))
        )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_LocalSessionTokens_user_id"), table_name="LocalSessionTokens"
    )
    op.drop_index(
        op.f("ix_LocalSessionTokens_token_hash"), table_name="LocalSessionTokens"
    )
    op.drop_table("LocalSessionTokens")
    op.drop_table("DatabaseSettings")
