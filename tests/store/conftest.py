"""A fresh, migrated store per test: a SQLite file always, and a database on the PostgreSQL
server named by SCHEDULER_TEST_POSTGRES_URL when there is one (.ci/run starts one)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from scheduler.store.db import migrate

POSTGRES = os.environ.get("SCHEDULER_TEST_POSTGRES_URL")


def _postgres_database() -> Iterator[str]:
    if not POSTGRES:
        pytest.skip("no PostgreSQL server: set SCHEDULER_TEST_POSTGRES_URL (.ci/run does)")
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as db:
        db.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as db:
            db.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'agency.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def store_url(empty_url: str) -> str:
    migrate(empty_url)
    return empty_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'agency.db'}"
    migrate(url)
    return url
