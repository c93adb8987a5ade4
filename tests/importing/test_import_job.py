"""The background commit: one job per batch across processes, failures write nothing, stalled jobs retry."""

import json
from datetime import timedelta

from sqlalchemy import func, select, update

from complaints.clock import utcnow
from complaints.extensions import db
from complaints.models import Case, ImportBatch
from complaints.services import importing
from complaints.services.importing import batches
from complaints.web import import_job
from tests.conftest import audit_rows
from tests.importing.files import csv_bytes, simple_rows


def _batch(app, people, rows=30):
    with app.app_context():
        batch = batches.create_batch(people["registrar"].load(), "register.csv", csv_bytes(simple_rows(rows)))
        db.session.commit()
        return batch.id


def _state(app, batch_id):
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        cases = db.session.scalar(select(func.count()).select_from(Case))
        return batch.status, batch.message, batch.content_ct is not None, cases


def test_a_failing_job_writes_no_case_keeps_the_upload_and_can_be_retried(app, people, monkeypatch):
    batch_id = _batch(app, people)
    real = importing.commit_plan

    def crash(*args, **kwargs):
        real(*args, **kwargs)  # every case sealed and flushed ...
        raise RuntimeError("the disk is full")  # ... and then the end fails

    monkeypatch.setattr(importing, "commit_plan", crash)
    with app.app_context():
        assert batches.queue(people["registrar"].load(), db.session.get(ImportBatch, batch_id), False)
        db.session.commit()
    import_job.run(app, batch_id, people["registrar"].id, "req-1", "127.0.0.1")
    status, message, kept, cases = _state(app, batch_id)
    assert (status, kept, cases) == ("failed", True, 0)
    assert "ไม่มีการบันทึกข้อมูลใด ๆ" in message
    with app.app_context():
        [entry] = audit_rows(action="import.commit")
        assert entry["outcome"] == "error" and entry["request_id"] == "req-1"
        assert json.loads(entry["details"])["reason"] == "RuntimeError"

    monkeypatch.setattr(importing, "commit_plan", real)
    with app.app_context():
        assert batches.queue(people["registrar"].load(), db.session.get(ImportBatch, batch_id), False)
        db.session.commit()
    import_job.run(app, batch_id, people["registrar"].id)
    assert _state(app, batch_id)[0::2] == ("done", False)
    assert _state(app, batch_id)[3] == 30


def test_only_one_commit_can_be_queued_and_a_job_runs_only_a_queued_batch(app, people):
    batch_id = _batch(app, people)
    with app.app_context():
        registrar = people["registrar"].load()
        assert batches.queue(registrar, db.session.get(ImportBatch, batch_id), False)
        assert not batches.queue(registrar, db.session.get(ImportBatch, batch_id), False)  # a second click
        db.session.execute(update(ImportBatch).values(status="running"))
        db.session.commit()
    import_job.CLAIM_ATTEMPTS, attempts = 2, import_job.CLAIM_ATTEMPTS
    try:
        import_job.run(app, batch_id, people["registrar"].id)  # another process already runs it
    finally:
        import_job.CLAIM_ATTEMPTS = attempts
    assert _state(app, batch_id)[3] == 0


def test_a_stalled_job_may_be_queued_again(app, people):
    batch_id = _batch(app, people)
    with app.app_context():
        registrar = people["registrar"].load()
        db.session.execute(update(ImportBatch).values(status="running", updated_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
        batch = db.session.get(ImportBatch, batch_id)
        assert not batches.is_stalled(batch) and not batches.queue(registrar, batch, False)
        db.session.execute(update(ImportBatch).values(updated_at=utcnow() - timedelta(minutes=10)))
        db.session.commit()
        batch = db.session.get(ImportBatch, batch_id)
        assert batches.is_stalled(batch) and batches.queue(registrar, batch, False)
        db.session.commit()
    import_job.run(app, batch_id, people["registrar"].id)
    assert _state(app, batch_id)[0] == "done" and _state(app, batch_id)[3] == 30


def test_a_registrar_disabled_meanwhile_imports_nothing(app, people):
    batch_id = _batch(app, people)
    with app.app_context():
        batches.queue(people["registrar"].load(), db.session.get(ImportBatch, batch_id), False)
        people["registrar"].load().active = False
        db.session.commit()
    import_job.run(app, batch_id, people["registrar"].id)
    status, message, _kept, cases = _state(app, batch_id)
    assert (status, cases) == ("failed", 0) and "ไม่มีสิทธิ์" in message
