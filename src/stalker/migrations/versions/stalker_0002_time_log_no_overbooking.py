"""PostgreSQL refuses overlapping time logs of one resource.

Revision ID: stalker_0002
Revises: stalker_0001

Adds the exclusion constraint ``time_log_no_overbooking`` (``btree_gist``:
same resource, overlapping ``[start, end)``) to "TimeLogs".  A database that
already holds overlapping logs is refused with the pairs to resolve; nothing
is changed then.  SQLite gets nothing: its writers check under the database
write lock.  The downgrade drops the constraint and leaves the extension
(other schemas may use it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "stalker_0002"
down_revision: str | None = "stalker_0001"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

CONSTRAINT = "time_log_no_overbooking"

_OVERLAPS = sa.text(
    'SELECT a.id, b.id, a.resource_id FROM "TimeLogs" a JOIN "TimeLogs" b '
    "ON a.resource_id = b.resource_id AND a.id < b.id "
    'AND a.start < b."end" AND b.start < a."end" ORDER BY a.id, b.id LIMIT 6'
)


def _refuse_overlaps(connection: sa.Connection) -> None:
    pairs = connection.execute(_OVERLAPS).all()
    if pairs:
        shown = ", ".join(f"{a} and {b} (user {user})" for a, b, user in pairs[:5])
        more = " and more" if len(pairs) > 5 else ""
        raise ValueError(
            f"stalker_0002: the TimeLogs table holds overlapping bookings of one "
            f"resource (ids {shown}{more}); move or delete them, then upgrade"
        )


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    _refuse_overlaps(connection)
    op.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
    op.execute(
        sa.text(
            f'ALTER TABLE "TimeLogs" ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist '
            '(resource_id WITH =, tstzrange(start, "end") WITH &&)'
        )
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(sa.text(f'ALTER TABLE "TimeLogs" DROP CONSTRAINT {CONSTRAINT}'))
