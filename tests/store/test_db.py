"""The store's schema: migrations from an empty database and back, and the tables the code
uses equal to what the migrations create."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from scheduler.errors import StoreError
from scheduler.store.db import head_revision, migrate, open_store
from scheduler.store.schema import metadata


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_migrations_build_the_schema_from_empty_and_take_it_down_again(empty_url: str) -> None:
    assert migrate(empty_url) == head_revision()
    assert _tables(empty_url) == set(metadata.tables)
    assert migrate(empty_url) == head_revision()  # again: nothing to do
    assert migrate(empty_url, "base") == "base"
    assert _tables(empty_url) == set()
    assert migrate(empty_url) == head_revision()


def test_an_upgrade_from_the_previous_revision_keeps_the_saved_rosters(empty_url: str) -> None:
    assert migrate(empty_url, "0001") == "0001"
    engine = sa.create_engine(empty_url)
    created = datetime(2026, 12, 1, tzinfo=UTC)
    try:
        with engine.begin() as db:
            # as 0001 wrote them: a roster, a stop, an event (the tables' columns of then)
            rosters, stops = (
                sa.table("rosters", *_cols(ROSTER)),
                sa.table("roster_stops", *_cols(STOP)),
            )
            db.execute(rosters.insert().values(ROSTER | {"created_at": created}))
            db.execute(stops.insert().values(STOP | {"start": created, "end": created}))
        assert migrate(empty_url) == head_revision()
        with engine.connect() as db:
            row = db.execute(sa.text("SELECT id, status, repaired_from FROM rosters")).one()
            kept = db.execute(sa.text("SELECT count(*) FROM roster_stops")).scalar_one()
        assert (row.id, row.status, row.repaired_from, kept) == (1, "published", None, 1)
        assert migrate(empty_url, "0001") == "0001"  # and back, the stop still there
        with engine.connect() as db:
            assert db.execute(sa.text("SELECT count(*) FROM roster_stops")).scalar_one() == 1
    finally:
        engine.dispose()


ROSTER = {
    "id": 1,
    "status": "published",
    "first_day": date(2026, 12, 1),
    "last_day": date(2026, 12, 1),
    "created_by": "coordinator",
    "seed": 1,
    "settings": {},
    "scenario": {},
    "roster": {},
}
STOP = {"roster_id": 1, "visit_id": "v1", "caregiver_id": "cg1", "client_id": "c1"}


def _cols(values: dict[str, object]) -> list[sa.ColumnClause[object]]:
    json = {"settings", "scenario", "roster"}
    names = [*values, "created_at"] if "status" in values else [*values, "start", "end"]
    return [sa.column(n, sa.JSON if n in json else None) for n in names]


def test_the_migrated_schema_is_the_one_the_code_uses(store_url: str) -> None:
    engine = sa.create_engine(store_url)
    try:
        with engine.connect() as db:
            differences = compare_metadata(MigrationContext.configure(db), metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_a_store_without_its_schema_says_to_run_init(empty_url: str) -> None:
    with pytest.raises(StoreError, match="run `scheduler db init"), open_store(empty_url):
        pass


def test_a_url_that_is_not_a_database_is_named() -> None:
    with pytest.raises(StoreError, match="not a database URL"), open_store("nosuch://x"):
        pass
