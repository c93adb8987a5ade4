"""Alembic environment: the application's models plus the audit package's own table."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import audit
from complaints import models  # noqa: F401  (registers every table on db.metadata)

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name)

db = current_app.extensions["migrate"].db
target_metadata = [db.metadata, audit.metadata]


def run_migrations_offline() -> None:
    context.configure(url=str(db.engine.url), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = db.engine
    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration rebuilds a table (copy, drop, rename). With foreign keys on, dropping the
            # old table would delete every row that refers to it with ON DELETE CASCADE (a case's index
            # terms, say). They are off while migrating (the pragma is ignored inside a transaction) and
            # every reference is checked before the commit.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            # transactional_ddl: SQLite can roll back DDL, so a failed migration leaves nothing half-done
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                              compare_type=True, transactional_ddl=True)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left rows that refer to nothing: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
