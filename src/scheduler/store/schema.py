"""The store's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Each record keeps the columns the store looks up or joins on, and the rest of the validated
model as a JSON document (``record``), so a record reads back exactly as it was imported and
is validated again by its pydantic model on the way out. Rosters are versions: the roster and
the horizon's scenario as documents, and their stops and unassigned visits as rows. Times are
stored in UTC (``UtcDateTime``) and read back aware.

The migrations (store/migrations) create these tables; a test checks that they agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """An aware datetime stored as UTC (SQLite keeps no offset) and read back aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive time cannot be stored: {value.isoformat()}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


metadata = sa.MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

# --- the agency ---------------------------------------------------------------------------------

agency = sa.Table(
    "agency",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),  # one row: 1
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("policy", sa.JSON),  # None: the bundled default policy
    sa.Column("continuity_weight", sa.Integer),  # None: the plan default
    sa.Column("imported_at", UtcDateTime, nullable=False),
)

caregivers = sa.Table(
    "caregivers",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("record", sa.JSON, nullable=False),  # credentials, skills, shifts, limits
)

availability = sa.Table(
    "availability",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("caregiver_id", sa.ForeignKey("caregivers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("days", sa.String(32), nullable=False),  # MO;TU;WE
    sa.Column("start_time", sa.Time, nullable=False),
    sa.Column("end_time", sa.Time, nullable=False),
)

time_off = sa.Table(
    "time_off",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("caregiver_id", sa.ForeignKey("caregivers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
)

clients = sa.Table(
    "clients",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("record", sa.JSON, nullable=False),  # where, preferences, exclusions
)

care_plans = sa.Table(
    "care_plans",
    metadata,
    sa.Column("client_id", sa.ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column(
        "client_id", sa.ForeignKey("care_plans.client_id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("position", sa.Integer, nullable=False),  # order within the care plan
    sa.Column("service", sa.String(64), nullable=False),
    sa.Column("record", sa.JSON, nullable=False),  # recurrence, windows, validity
)

caseload = sa.Table(
    "caseload",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("client_id", sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    sa.Column("admitted", UtcDateTime, nullable=False),
    sa.Column("discharged", sa.Date),
    sa.Column("record", sa.JSON, nullable=False),  # holds, authorisation
)

visits = sa.Table(  # one-off visits of an imported day (a scenario, not a plan)
    "visits",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("client_id", sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    sa.Column("first_start", UtcDateTime, nullable=False),  # its earliest window's start
    sa.Column("record", sa.JSON, nullable=False),
)

# --- rosters and what happened ------------------------------------------------------------------

rosters = sa.Table(
    "rosters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("status", sa.String(16), nullable=False),  # draft, published, superseded
    sa.Column("first_day", sa.Date, nullable=False),
    sa.Column("last_day", sa.Date, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("seed", sa.Integer, nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),  # the solve's parameters
    sa.Column("scenario", sa.JSON, nullable=False),  # the horizon's scenario, as solved
    sa.Column("roster", sa.JSON, nullable=False),  # the roster document (roster.json)
    sa.Column("published_at", UtcDateTime),
    sa.Column("superseded_by", sa.ForeignKey("rosters.id")),
    # a repair's draft: the id of the roster it repaired (its events are in ``events``)
    sa.Column("repaired_from", sa.Integer),
    sa.CheckConstraint("status IN ('draft', 'published', 'superseded')", name="status"),
)

roster_stops = sa.Table(
    "roster_stops",
    metadata,
    sa.Column("roster_id", sa.ForeignKey("rosters.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("visit_id", sa.String(64), primary_key=True),
    sa.Column("caregiver_id", sa.String(64), primary_key=True),
    sa.Column("client_id", sa.String(64), nullable=False),
    sa.Column("service", sa.String(64)),
    sa.Column("order_id", sa.String(64)),
    sa.Column("start", UtcDateTime, nullable=False),
    sa.Column("end", UtcDateTime, nullable=False),
)

roster_unassigned = sa.Table(
    "roster_unassigned",
    metadata,
    sa.Column("roster_id", sa.ForeignKey("rosters.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("visit_id", sa.String(64), primary_key=True),
    sa.Column("reason_code", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("roster_id", sa.ForeignKey("rosters.id", ondelete="CASCADE")),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Column("as_of", UtcDateTime),  # the repair's "now": what had started stayed
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("record", sa.JSON, nullable=False),
)

delivered = sa.Table(
    "delivered",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # A visit id names a visit within its horizon (a compliance visit's id recurs in the next
    # one); None: history imported from a plan file.
    sa.Column("visit_id", sa.String(64), index=True),
    sa.Column("roster_id", sa.ForeignKey("rosters.id")),
    sa.Column("client_id", sa.String(64), nullable=False, index=True),
    sa.Column("service", sa.String(64), nullable=False),
    sa.Column("order_id", sa.String(64)),
    sa.Column("caregiver_ids", sa.String(200), nullable=False),  # ;-joined
    sa.Column("planned_start", UtcDateTime, nullable=False),
    sa.Column("planned_end", UtcDateTime),
    sa.Column("actual_start", UtcDateTime),
    sa.Column("actual_end", UtcDateTime),
)

# Replaced by an import, children first (delivered visits and rosters stay).
AGENCY_TABLES = (visits, caseload, orders, care_plans, clients, time_off, availability, caregivers)
