"""Alembic's environment: the store's metadata, on the connection the store hands over."""

from __future__ import annotations

from alembic import context

from scheduler.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # the alembic command line: the URL of alembic.ini or -x url=...
    from sqlalchemy import create_engine

    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database: alembic -x url=sqlite:///agency.db upgrade head")
    with create_engine(url).begin() as own:
        context.configure(connection=own, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
