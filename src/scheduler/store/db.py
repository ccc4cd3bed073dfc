"""Opening the store: an engine for a URL, its schema brought to the latest migration.

SQLite is the embedded default (``sqlite:///agency.db``: a file in the current folder, or
``$SCHEDULER_DB``); PostgreSQL by URL (``postgresql+psycopg://user@host/db``). The same
migrations (Alembic, store/migrations) serve both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from scheduler.errors import StoreError

DEFAULT_URL = "sqlite:///agency.db"


def default_url() -> str:
    return os.environ.get("SCHEDULER_DB") or DEFAULT_URL


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "scheduler.store:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite waits for a lock instead of failing at once, and checks
    its foreign keys."""
    try:
        # parameters stay out of error messages: they hold client records
        engine = sa.create_engine(url, connect_args=_connect_args(url), hide_parameters=True)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StoreError(f"{url}: not a database URL this store can use ({exc})") from None
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine


def _connect_args(url: str) -> dict[str, object]:
    return {"timeout": 30} if url.startswith("sqlite") else {}


def migrate(url: str, revision: str = "head") -> str:
    """The schema of ``url`` upgraded (or downgraded) to ``revision``; returns the revision."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = _config(connection)
            current = MigrationContext.configure(connection).get_current_revision()
            if revision == "base" or (current is not None and _is_ahead(current, revision)):
                command.downgrade(config, revision)
            else:
                command.upgrade(config, revision)
            return MigrationContext.configure(connection).get_current_revision() or "base"
    except sa.exc.OperationalError as exc:
        raise StoreError(f"{_safe(url)}: cannot open the database ({exc.orig})") from None
    finally:
        engine.dispose()


def _is_ahead(current: str, target: str) -> bool:
    script = ScriptDirectory.from_config(_config())
    if target == "head":
        return False
    return any(r.revision == target for r in script.walk_revisions(base="base", head=current)) and (
        current != target
    )


@contextmanager
def open_store(url: str) -> Iterator[Engine]:
    """An engine on a store whose schema is at the latest migration (else StoreError)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except sa.exc.OperationalError as exc:
        engine.dispose()
        raise StoreError(f"{_safe(url)}: cannot open the database ({exc.orig})") from None
    if current != head_revision():
        engine.dispose()
        found = "no schema" if current is None else f"schema {current}"
        raise StoreError(f"{_safe(url)} has {found}: run `scheduler db init --db URL` first")
    try:
        yield engine
    finally:
        engine.dispose()


def _safe(url: str) -> str:
    """The URL without its password (never printed)."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)
