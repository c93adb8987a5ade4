"""The key hierarchy in use: fail closed at start, values bound to their case, rotation under load,
retiring old keys, crypto-shredding."""

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from complaints import create_app
from complaints.crypto import Keyring, KeyringError
from complaints.extensions import db, keys
from complaints.models import Case, DataKeyRecord, SearchDocument, SearchTerm
from complaints.services import cases, key_rotation
from complaints.services.errors import Unreadable
from tests.conftest import audit_rows, make_case


def _config_like(app, **changes) -> dict:
    config = {name: app.config[name] for name in ("COMPLAINTS_ENV", "TESTING", "SQLALCHEMY_DATABASE_URI")}
    config.update(changes)
    return config


@pytest.fixture
def keyed_app(app, tmp_path):
    """An app whose keyring is a file of its own (rotation writes the file), on the test database."""
    path = tmp_path / "keys" / "keyring.json"
    Keyring.generate().save(path)
    own = create_app(_config_like(app, KEYRING_PATH=str(path)))
    own.config["TEST_DATABASE_PATH"] = app.config.get("TEST_DATABASE_PATH")
    yield own
    with own.app_context():
        db.session.remove()
        db.engine.dispose()


def _cases(app, person, n):
    with app.app_context():
        return [make_case(person.load(), subject=f"เรื่องที่ {i}", details=f"รายละเอียด {i}").id for i in range(n)]


def _usage(app):
    with app.app_context():
        return key_rotation.usage()


# -- fail closed at start -------------------------------------------------------------------------

def test_a_missing_keyring_stops_the_app_with_a_clear_message(app, tmp_path):
    with pytest.raises(KeyringError, match="does not exist.*complaints init"):
        create_app(_config_like(app, KEYRING_PATH=str(tmp_path / "nowhere.json")))


def test_another_installations_keyring_stops_the_app_at_start(keyed_app, people, tmp_path):
    _cases(keyed_app, people["registrar"], 2)
    stranger = tmp_path / "other.json"
    Keyring.generate().save(stranger)
    with pytest.raises(KeyringError, match="will not start"):
        create_app(_config_like(keyed_app, KEYRING_PATH=str(stranger)))


def test_a_keyring_with_the_right_kek_ids_but_wrong_keys_is_refused(keyed_app, people, tmp_path):
    _cases(keyed_app, people["registrar"], 1)
    forged = Keyring.load(keyed_app.config["KEYRING_PATH"])
    impostor = Keyring.generate()
    forged.keks = dict.fromkeys(forged.keks, impostor.keks[impostor.primary_kek_id])
    forged.save(tmp_path / "forged.json")
    with pytest.raises(KeyringError, match="does not unwrap"):
        create_app(_config_like(keyed_app, KEYRING_PATH=str(tmp_path / "forged.json")))


def test_the_right_keyring_starts(keyed_app, people):
    _cases(keyed_app, people["registrar"], 1)
    create_app(_config_like(keyed_app, KEYRING_PATH=keyed_app.config["KEYRING_PATH"]))


# -- values and keys bound to their case ----------------------------------------------------------

def test_a_ciphertext_copied_from_another_case_does_not_decrypt(ctx, people):
    registrar = people["registrar"].load()
    source = make_case(registrar, details="รายละเอียดของเรื่องแรก")
    target = make_case(registrar, details="รายละเอียดของเรื่องที่สอง")
    db.session.execute(update(Case).where(Case.id == target.id).values(details_ct=source.details_ct))
    db.session.commit()
    with pytest.raises(Unreadable):
        cases.view_case(registrar, target.id)
    db.session.commit()
    entry = audit_rows(object_id=target.id, action="case.view")[-1]
    assert entry["outcome"] == "error" and json.loads(entry["details"])["reason"] == "decrypt_failed"


def test_a_wrapped_data_key_moved_to_another_case_does_not_unwrap(ctx, people):
    registrar = people["registrar"].load()
    source, target = make_case(registrar), make_case(registrar)
    moved = db.session.get(DataKeyRecord, ("cases", source.id))
    db.session.execute(update(DataKeyRecord).where(DataKeyRecord.owner_id == target.id)
                       .values(wrapped=moved.wrapped, key_id=moved.key_id))
    # and the ciphertexts with it: the whole record transplanted still fails
    db.session.execute(update(Case).where(Case.id == target.id).values(subject_ct=source.subject_ct))
    db.session.commit()
    with pytest.raises(Unreadable):
        cases.view_case(registrar, target.id)
    db.session.commit()
    assert audit_rows(object_id=target.id, action="case.view")[-1]["outcome"] == "error"
    assert cases.view_case(registrar, source.id).values["subject"] == "ถนนชำรุด"


# -- rotation ------------------------------------------------------------------------------------

def test_rotation_with_concurrent_reads_leaves_nothing_under_the_old_key(keyed_app, people):
    ids = _cases(keyed_app, people["registrar"], 30)
    old = _usage(keyed_app)
    assert len(old) == 1
    old_kek = next(iter(old))
    errors, reads, stop = [], [0], threading.Event()

    def reader():
        with keyed_app.app_context():
            registrar = people["registrar"].load()
            while not stop.is_set():
                for case_id in ids[::7]:
                    try:
                        assert cases.view_case(registrar, case_id).values["details"].startswith("รายละเอียด")
                        db.session.commit()
                        reads[0] += 1
                    except Exception as exc:  # noqa: BLE001 - any failure of a reader is the finding
                        db.session.rollback()
                        errors.append(repr(exc))
            db.session.remove()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        result = keyed_app.test_cli_runner().invoke(args=["keys", "rotate", "--batch-size", "4"])
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert result.exit_code == 0, result.output
    assert "re-wrapped 30 / 30" in result.output
    assert errors == [] and reads[0] > 0
    usage = _usage(keyed_app)
    assert usage[old_kek] == 0 and sum(usage.values()) == 30
    with keyed_app.app_context():
        registrar = people["registrar"].load()
        assert all(cases.view_case(registrar, i).values["subject"].startswith("เรื่องที่") for i in ids)
        assert keys.current.primary_kek_id != old_kek
        db.session.commit()
        phases = [json.loads(e["details"])["phase"] for e in audit_rows(action="keys.rotate")]
        assert phases == ["start", "done"]
    saved = Keyring.load(keyed_app.config["KEYRING_PATH"])
    assert old_kek in saved.keks and saved.primary_kek_id != old_kek


def test_an_interrupted_rotation_continues_where_it_stopped(keyed_app, people, monkeypatch):
    _cases(keyed_app, people["registrar"], 12)
    old_kek = next(iter(_usage(keyed_app)))
    original, calls = key_rotation.rewrap_batch, [0]

    def crash_after_two_batches(size, after=None):
        calls[0] += 1
        if calls[0] > 2:
            raise KeyboardInterrupt
        return original(size, after)

    monkeypatch.setattr(key_rotation, "rewrap_batch", crash_after_two_batches)
    runner = keyed_app.test_cli_runner()
    assert runner.invoke(args=["keys", "rotate", "--batch-size", "3"]).exit_code != 0
    halfway = _usage(keyed_app)
    assert halfway[old_kek] == 6 and len(halfway) == 2  # two committed batches of three
    status = runner.invoke(args=["keys", "status"])
    assert "not yet wrapped by the primary" in status.output
    monkeypatch.setattr(key_rotation, "rewrap_batch", original)
    resumed = runner.invoke(args=["keys", "rotate", "--batch-size", "3"])
    assert resumed.exit_code == 0 and "continuing the rotation" in resumed.output, resumed.output
    final = _usage(keyed_app)
    assert final[old_kek] == 0 and len(final) == 2  # no third key was made


def test_a_running_app_follows_a_rotation_made_by_another_process(keyed_app, people):
    ids = _cases(keyed_app, people["registrar"], 3)
    # the "other process": a second app on the same database and keyring file
    operator = create_app(_config_like(keyed_app, KEYRING_PATH=keyed_app.config["KEYRING_PATH"]))
    assert operator.test_cli_runner().invoke(args=["keys", "rotate"]).exit_code == 0
    with keyed_app.app_context():
        registrar = people["registrar"].load()
        assert cases.view_case(registrar, ids[0]).values["subject"] == "เรื่องที่ 0"  # re-reads the file
        new = make_case(registrar)
        record = db.session.get(DataKeyRecord, ("cases", new.id))
        assert record.kek_id == keys.current.primary_kek_id == Keyring.load(
            keyed_app.config["KEYRING_PATH"]).primary_kek_id
    with operator.app_context():
        db.engine.dispose()


def test_an_old_key_is_retired_only_when_it_wraps_nothing(keyed_app, people):
    _cases(keyed_app, people["registrar"], 2)
    old_kek = next(iter(_usage(keyed_app)))
    runner = keyed_app.test_cli_runner()
    refused = runner.invoke(args=["keys", "retire", old_kek])
    assert refused.exit_code != 0 and "กุญแจหลัก" in refused.output
    with keyed_app.app_context():
        keys.current.add_kek()  # a new primary without re-wrapping: the old key still wraps two data keys
        keys.current.save(keyed_app.config["KEYRING_PATH"])
    refused = runner.invoke(args=["keys", "retire", old_kek])
    assert refused.exit_code != 0 and "2" in refused.output
    assert runner.invoke(args=["keys", "rotate", "--continue"]).exit_code == 0
    assert "can be retired" in runner.invoke(args=["keys", "status"]).output
    retired = runner.invoke(args=["keys", "retire", old_kek])
    assert retired.exit_code == 0, retired.output
    assert old_kek not in Keyring.load(keyed_app.config["KEYRING_PATH"]).keks
    with keyed_app.app_context():
        assert audit_rows(action="keys.retire")


# -- crypto-shredding ----------------------------------------------------------------------------

def test_purging_a_case_destroys_its_key_index_and_row(app, ctx, people):
    registrar = people["registrar"].load()
    doomed = make_case(registrar, subject="ลบทิ้งถาวร", complainant_name="นายลบ ทิ้ง")
    kept_id = make_case(registrar, subject="เก็บไว้").id
    doc = db.session.scalar(select(SearchDocument.doc_id).where(SearchDocument.case_id == doomed.id))
    doomed_id, wrapped = doomed.id, db.session.get(DataKeyRecord, ("cases", doomed.id)).wrapped
    db.session.expunge_all()
    result = app.test_cli_runner().invoke(args=["cases", "purge", doomed_id, "--reason", "erasure_request", "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.get(Case, doomed_id) is None
    assert db.session.get(DataKeyRecord, ("cases", doomed_id)) is None
    assert db.session.scalar(select(func.count()).select_from(SearchTerm).where(SearchTerm.doc_id == doc)) == 0
    assert cases.view_case(people["registrar"].load(), kept_id).values["subject"] == "เก็บไว้"
    entry = audit_rows(action="case.purge")[-1]
    assert entry["object_id"] == doomed_id and json.loads(entry["details"])["reason"] == "erasure_request"
    if app.config.get("TEST_DATABASE_PATH"):  # SQLite: the wrapped key is gone from the file and its log
        db.session.remove()
        path = Path(app.config["TEST_DATABASE_PATH"])
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert wrapped not in raw


def test_purge_of_an_unknown_case_fails_cleanly(app, ctx):
    result = app.test_cli_runner().invoke(args=["cases", "purge", "no-such-case", "--reason", "retention", "--yes"])
    assert result.exit_code == 1 and "no case" in result.output
