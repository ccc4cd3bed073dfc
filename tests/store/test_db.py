"""The store's schema: migrations from an empty database and back, and the tables the code
uses equal to what the migrations create."""

from __future__ import annotations

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
