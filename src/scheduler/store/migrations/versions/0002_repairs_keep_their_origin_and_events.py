"""Repairs: a repaired roster names the version it repaired, and its events their "now".

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 18:10:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain column, no foreign key: SQLite adds a constraint only by rebuilding ``rosters``,
    # and dropping the old table would cascade to the stops of every saved roster.
    op.add_column("rosters", sa.Column("repaired_from", sa.Integer(), nullable=True))
    op.add_column("events", sa.Column("as_of", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("as_of")
    with op.batch_alter_table("rosters", recreate="never") as batch:
        batch.drop_column("repaired_from")
