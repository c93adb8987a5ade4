"""Tampering with the log as someone with write access to the database would, past the triggers:
every edit, deletion, reordering, insertion and truncation is found and named by its entry number."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text

import audit
from audit import checkpoints
from complaints.extensions import db
from complaints.services import audit_integrity, audit_trail
from tests.audit.tampering import entry, forged, insert, renumber, tamper

N = 30


def write_entries(count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        audit_trail.record(None, "test.entry", actor_name="tester", n=i)
        db.session.commit()


@pytest.fixture
def log(ctx):
    """A log of N entries, with a signed checkpoint every 10."""
    ctx.config.update(AUDIT_CHECKPOINT_ENTRIES=10, AUDIT_CHECKPOINT_MINUTES=0)
    write_entries(N)
    return ctx


def named(result: audit.Verification, seq: int, code: str | None = None) -> None:
    assert not result.ok
    assert result.bad_seq == seq, result.summary()
    assert f"entry #{seq}" in result.summary().splitlines()[0]
    if code:
        assert result.problems[0].code == code, result.summary()


def test_an_intact_log_verifies(log):
    result = audit_integrity.verify()
    assert result.ok, result.summary()
    assert (result.entries, result.last_seq, result.checkpoints) == (N, N, 3)  # checkpoints at 1, 11, 21
    assert "intact" in result.summary()


@pytest.mark.parametrize("column, value", [
    ("outcome", "'denied'"), ("details", "'{\"n\": 99}'"), ("actor_name", "'someone else'"),
    ("occurred_at", "'2020-01-01 00:00:00.000000'"), ("action", "'auth.logout'"), ("actor_id", "7"),
])
def test_an_edited_entry_is_named(log, column, value):
    tamper(f"UPDATE audit_events SET {column} = {value} WHERE seq = 17")
    named(audit_integrity.verify(), 17, "altered")


def test_an_entry_with_a_garbage_time_is_named_not_a_crash(log):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL does not store text in a timestamp column")
    tamper("UPDATE audit_events SET occurred_at = 'yesterday, roughly' WHERE seq = 9")
    named(audit_integrity.verify(), 9, "altered")


def test_an_entry_whose_mac_was_replaced_is_named_and_only_it(log):
    tamper("UPDATE audit_events SET mac = :mac WHERE seq = 17", mac="ab" * 32)
    result = audit_integrity.verify()
    named(result, 17, "altered")
    assert [p.seq for p in result.problems] == [17]


def test_a_broken_link_is_named(log):
    tamper("UPDATE audit_events SET prev_mac = :mac WHERE seq = 17", mac="cd" * 32)
    named(audit_integrity.verify(), 17, "link")


def test_a_deleted_entry_is_named(log):
    tamper("DELETE FROM audit_events WHERE seq = 17")
    result = audit_integrity.verify()
    named(result, 17, "missing")
    assert "entry #17 is missing" in result.summary()


def test_several_deleted_entries_are_named_from_the_first(log):
    tamper("DELETE FROM audit_events WHERE seq BETWEEN 12 AND 14")
    result = audit_integrity.verify()
    named(result, 12, "missing")
    assert "#12-#14" in result.summary()


def test_the_deleted_last_entry_is_named(log):
    tamper(f"DELETE FROM audit_events WHERE seq = {N}")
    named(audit_integrity.verify(), N, "truncated")


def test_entries_cut_from_the_end_stay_visible_after_the_app_writes_on(log):
    tamper("DELETE FROM audit_events WHERE seq >= 28")
    write_entries(3, start=100)  # the running app goes on: 31, 32, 33 follow the head, not the last row
    result = audit_integrity.verify()
    named(result, 28, "missing")
    assert "#28-#30" in result.summary()


def test_reordered_entries_are_named(log):
    tamper("UPDATE audit_events SET seq = -10 WHERE seq = 10",
           "UPDATE audit_events SET seq = 10 WHERE seq = 11",
           "UPDATE audit_events SET seq = 11 WHERE seq = -10")
    named(audit_integrity.verify(), 10)


def test_reordered_contents_with_numbers_kept_are_named(log):
    """Swap everything but the numbers: each row now claims the other's place."""
    a, b = entry(10), entry(11)
    columns = [c for c in a if c != "seq"]
    tamper(*[f"UPDATE audit_events SET {c} = :b_{c} WHERE seq = 10" for c in columns],
           *[f"UPDATE audit_events SET {c} = :a_{c} WHERE seq = 11" for c in columns],
           **{f"a_{c}": a[c] for c in columns}, **{f"b_{c}": b[c] for c in columns})
    named(audit_integrity.verify(), 10, "link")


def test_an_entry_inserted_in_the_middle_is_named(log):
    renumber(12, 1)
    insert(forged(12, prev_mac=entry(11)["mac"]))
    named(audit_integrity.verify(), 12)


def test_an_entry_slipped_in_at_the_end_is_named(log):
    insert(forged(N + 1, prev_mac=entry(N)["mac"]))
    result = audit_integrity.verify()
    named(result, N + 1, "beyond_end")
    write_entries(2, start=100)  # the app goes on; the intruder stays named
    named(audit_integrity.verify(), N + 1)


def test_an_entry_inserted_with_number_zero_is_named(log):
    insert(forged(0, prev_mac=audit.GENESIS_MAC))
    named(audit_integrity.verify(), 0, "outside_sequence")


def test_a_truncated_log_is_named_from_entry_one(log):
    tamper("DELETE FROM audit_events")
    result = audit_integrity.verify()
    named(result, 1, "truncated")
    assert f"#1-#{N}" in result.summary()


def test_cutting_the_end_and_the_head_record_is_still_found(log):
    tamper("DELETE FROM audit_events WHERE seq >= 25", "DELETE FROM audit_head")
    result = audit_integrity.verify()
    named(result, 25)  # the signed checkpoint of entry #21 is intact, the head record is gone
    assert {p.code for p in result.problems} == {"head_missing"}


def test_moving_the_head_record_back_is_found(log):
    tamper("DELETE FROM audit_events WHERE seq >= 29",
           "UPDATE audit_head SET seq = 28, mac = :mac", mac=entry(28)["mac"])
    named(audit_integrity.verify(), 29, "head_altered")


def test_a_forged_checkpoint_is_named(log):
    tamper("UPDATE audit_checkpoints SET mac = :mac WHERE seq = 11", mac="ef" * 32)
    named(audit_integrity.verify(), 11, "checkpoint_forged")


def _external(tmp_path):
    exported = audit_integrity.export_checkpoint(None, "file")
    db.session.commit()
    path = tmp_path / "checkpoint.json"
    path.write_text(exported.to_file_json(), encoding="utf-8")
    return audit_integrity.read_checkpoint_file(path.read_bytes())


def test_a_rollback_to_an_older_copy_is_caught_by_the_external_checkpoint(log, tmp_path):
    """The attacker puts back an older, self-consistent copy of the log (a backup): only a
    checkpoint kept off the host can tell."""
    head_then = dict(db.session.execute(select(audit.audit_head)).mappings().one())
    write_entries(10, start=200)
    external = _external(tmp_path)  # entry #41, the export's own entry
    assert external.seq == N + 11
    tamper(f"DELETE FROM audit_events WHERE seq > {N}", f"DELETE FROM audit_checkpoints WHERE seq > {N}",
           "UPDATE audit_head SET seq = :seq, mac = :mac, head_mac = :head_mac, updated_at = :updated_at, "
           "checkpoint_seq = :checkpoint_seq, checkpoint_at = :checkpoint_at",
           **{k: v for k, v in head_then.items() if k != "id"})
    assert audit_integrity.verify().ok  # without the external checkpoint, an old copy looks whole
    named(audit_integrity.verify(external), N + 1, "truncated")
    write_entries(15, start=300)  # the rolled-back register is used again: #31 .. #45, other entries
    named(audit_integrity.verify(external), external.seq, "external_mismatch")


def test_a_checkpoint_file_from_another_key_is_refused(log):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    head = db.session.execute(select(audit.audit_head)).mappings().one()
    stranger = checkpoints.sign(Ed25519PrivateKey.generate(), head["seq"], head["mac"], head["updated_at"])
    result = audit_integrity.verify(stranger)
    assert not result.ok and result.bad_seq is None
    assert result.problems[0].code == "external_forged"
    assert result.summary().startswith("audit verification failed")


def test_an_edited_checkpoint_file_is_refused(log, tmp_path):
    external = _external(tmp_path)
    data = json.loads(external.to_file_json())
    data["seq"] = data["seq"] + 5
    edited = audit_integrity.read_checkpoint_file(json.dumps(data))
    assert audit_integrity.verify(edited).problems[0].code == "external_forged"


def test_the_triggers_refuse_changes_and_their_removal_is_noticed(log):
    from sqlalchemy.exc import DBAPIError

    for statement in ("UPDATE audit_events SET outcome = 'x' WHERE seq = 3", "DELETE FROM audit_events",
                      "UPDATE audit_checkpoints SET mac = 'x'", "DELETE FROM audit_checkpoints",
                      "DELETE FROM audit_head"):
        with pytest.raises(DBAPIError):
            db.session.execute(text(statement))
            db.session.flush()
        db.session.rollback()
    assert audit_integrity.missing_triggers() == []
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))
        db.session.commit()
        assert audit_integrity.missing_triggers() == ["audit_events_no_delete"]
        return
    db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"))
    db.session.commit()
    try:
        assert audit_integrity.missing_triggers() == ["audit_events_no_change"]
    finally:  # the PostgreSQL schema outlives this test
        db.session.rollback()
        db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change"))
        db.session.commit()


def test_checkpoints_follow_the_policy(ctx):
    ctx.config.update(AUDIT_CHECKPOINT_ENTRIES=4, AUDIT_CHECKPOINT_MINUTES=0)
    write_entries(10)
    assert [c.seq for c in checkpoints.stored(db.session.connection())] == [1, 5, 9]
    policy = checkpoints.CheckpointPolicy(every_entries=0, every_minutes=30)
    last = checkpoints.latest(db.session.connection())
    assert not policy.due(100, last.created_at + timedelta(minutes=29), last.seq, last.created_at)
    assert policy.due(100, last.created_at + timedelta(minutes=30), last.seq, last.created_at)


def test_a_far_numbered_intruder_is_named_while_the_app_writes_on(log):
    insert(forged(999_999, prev_mac=entry(N)["mac"]))
    write_entries(2, start=100)  # the app skips past the intruder's number: #1000000, #1000001
    result = audit_integrity.verify()
    named(result, 999_999, "forged")
    assert [p.seq for p in result.problems] == [999_999]  # no phantom "missing" entries


def test_a_deleted_checkpoint_is_named(log):
    tamper("DELETE FROM audit_checkpoints WHERE seq = 21")
    named(audit_integrity.verify(), 21, "checkpoint_missing")
