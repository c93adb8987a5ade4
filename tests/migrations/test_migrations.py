"""Migrations: every revision upgrades and downgrades with data in place, and the models match head."""

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

import audit
from complaints.extensions import db


def _tables():
    return set(inspect(db.engine).get_table_names())


def test_models_match_the_migrated_schema(ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, [db.metadata, audit.metadata])
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


def test_downgrade_to_base_and_upgrade_again_with_data(ctx, people):
    from tests.conftest import make_case

    directory = ctx.extensions["migrate"].directory
    make_case(people["registrar"].load(), received_date=date(2021, 3, 1))
    db.session.commit()
    db.session.remove()
    downgrade(directory=directory, revision="base")
    assert _tables() <= {"alembic_version"}
    upgrade(directory=directory)
    assert {"cases", "audit_events", "data_keys", "users"} <= _tables()
    # the append-only triggers are back after the round trip
    audit.append(db.session.connection(), b"k" * 32, audit.AuditEvent(action="test"))
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(text("UPDATE audit_events SET action = 'edited'"))
        db.session.flush()
    db.session.rollback()


def _row_counts():
    return {table: db.session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            for table in sorted(_tables() - {"alembic_version"})}


def test_the_last_revision_steps_down_and_up_without_losing_a_row(ctx, people):
    # A batch migration on SQLite rebuilds the table it alters; with foreign keys on, that would delete
    # the rows of every table that refers to it with ON DELETE CASCADE (here: the search terms).
    from alembic.script import ScriptDirectory

    from tests.conftest import make_case

    directory = ctx.extensions["migrate"].directory
    config = ctx.extensions["migrate"].migrate.get_config(directory)
    head = ScriptDirectory.from_config(config).get_current_head()
    previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
    make_case(people["registrar"].load(), subject="ถนนชำรุดหน้าโรงเรียน", persons_concerned="นายสมศักดิ์ รักดี",
              received_date=date(2021, 3, 1))
    db.session.commit()
    before = _row_counts()
    assert before["search_terms"] > 0 and before["search_documents"] == 1
    db.session.remove()
    downgrade(directory=directory, revision=previous)
    upgrade(directory=directory)
    assert _row_counts() == before
    if db.engine.dialect.name == "sqlite":  # foreign keys are on again after migrating
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    db.session.rollback()


def test_a_migration_that_leaves_a_broken_reference_is_rolled_back_whole(ctx, caplog):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL keeps its foreign keys on while migrating")
    from alembic.script import ScriptDirectory

    directory = ctx.extensions["migrate"].directory
    config = ctx.extensions["migrate"].migrate.get_config(directory)
    head = ScriptDirectory.from_config(config).get_current_head()
    previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
    db.session.remove()
    raw = db.engine.raw_connection()
    try:  # a term of a document that does not exist, written with foreign keys off
        raw.driver_connection.execute("PRAGMA foreign_keys=OFF")
        raw.driver_connection.execute("INSERT INTO search_terms (field, term, doc_id) VALUES (1, 7, 424242)")
        raw.driver_connection.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()
    with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits 1
        downgrade(directory=directory, revision=previous)
    assert "refer to nothing" in caplog.text
    # nothing of the step down happened: the columns it drops are still there, the version is still head
    assert "agency_code" in {c["name"] for c in inspect(db.engine).get_columns("search_documents")}
    assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
    db.session.execute(text("DELETE FROM search_terms WHERE doc_id = 424242"))
    db.session.commit()


def test_each_revision_steps_up_and_down(ctx):
    from alembic.script import ScriptDirectory

    directory = ctx.extensions["migrate"].directory
    config = ctx.extensions["migrate"].migrate.get_config(directory)
    revisions = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1, "migrations must form one line"
    db.session.remove()
    downgrade(directory=directory, revision="base")
    for revision in revisions:
        upgrade(directory=directory, revision=revision.revision)
        downgrade(directory=directory, revision=revision.down_revision or "base")
        upgrade(directory=directory, revision=revision.revision)
