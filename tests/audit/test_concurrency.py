"""Many writers at once, threads and processes, on SQLite and PostgreSQL: every entry is kept, the
chain never forks (one line of numbers and links), and checkpoints written meanwhile are valid."""

from __future__ import annotations

import multiprocessing
import threading

from sqlalchemy import func, select

import audit
from complaints.extensions import db
from complaints.services import audit_integrity, audit_trail

THREADS, PER_THREAD = 8, 20
PROCESSES, PER_PROCESS = 3, 20


def _append_many(app, writer: str, count: int, errors: list) -> None:
    try:
        with app.app_context():
            for i in range(count):
                audit_trail.record(None, "test.concurrent", actor_name=writer, i=i)
                db.session.commit()
    except Exception as exc:  # reported by the test, not lost in a thread
        errors.append(repr(exc))


def _check(expected: int) -> None:
    result = audit_integrity.verify()
    assert result.ok, result.summary()
    assert result.entries == result.last_seq == expected
    per_writer = dict(db.session.execute(
        select(audit.audit_events.c.actor_name, func.count()).group_by(audit.audit_events.c.actor_name)).all())
    assert len(per_writer) == len(set(per_writer)) and sum(per_writer.values()) == expected
    assert result.checkpoints >= 2


def test_concurrent_threads_lose_nothing_and_never_fork(app):
    app.config.update(AUDIT_CHECKPOINT_ENTRIES=7, AUDIT_CHECKPOINT_MINUTES=0)
    errors: list = []
    threads = [threading.Thread(target=_append_many, args=(app, f"thread-{n}", PER_THREAD, errors))
               for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with app.app_context():
        _check(THREADS * PER_THREAD)
        counts = dict(db.session.execute(select(audit.audit_events.c.actor_name, func.count())
                                         .group_by(audit.audit_events.c.actor_name)).all())
        assert counts == {f"thread-{n}": PER_THREAD for n in range(THREADS)}


def _process_writer(url: str, keyring_path: str, writer: str, count: int, start, queue) -> None:
    """In a fresh interpreter: an app of its own, as another gunicorn worker would have."""
    from complaints import create_app

    try:
        app = create_app({"COMPLAINTS_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "KEYRING_PATH": keyring_path,
                          "AUDIT_CHECKPOINT_ENTRIES": 7, "AUDIT_CHECKPOINT_MINUTES": 0})
        start.wait(120)  # every writer is up: they begin together
        errors: list = []
        _append_many(app, writer, count, errors)
        queue.put(errors)
    except Exception as exc:
        queue.put([repr(exc)])


def test_concurrent_processes_lose_nothing_and_never_fork(app, keyring, tmp_path):
    keyring_path = tmp_path / "keyring.json"
    keyring.save(keyring_path)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    context = multiprocessing.get_context("spawn")
    start, queue = context.Barrier(PROCESSES), context.Queue()
    workers = [context.Process(target=_process_writer,
                               args=(url, str(keyring_path), f"process-{n}", PER_PROCESS, start, queue))
               for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    reports = [queue.get(timeout=180) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert reports == [[]] * PROCESSES
    with app.app_context():
        _check(PROCESSES * PER_PROCESS)
