"""``complaints audit verify`` and ``complaints audit checkpoint``, as operators and scripts use them."""

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from complaints.extensions import db
from complaints.services import audit_trail
from tests.audit.tampering import tamper
from tests.conftest import POSTGRES_URL, audit_rows


@pytest.fixture
def log(ctx):
    for i in range(12):
        audit_trail.record(None, "test.entry", actor_name="tester", n=i)
    db.session.commit()
    return ctx


def run(app, *args):
    return app.test_cli_runner().invoke(args=["audit", *args])


def test_verify_exits_0_on_an_intact_log_and_records_itself(log):
    result = run(log, "verify")
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 12 entries" in result.output
    last = audit_rows(action="audit.verify")[-1]
    assert last["outcome"] == "ok" and last["actor_name"] == "cli"


def test_verify_names_the_first_bad_entry_and_exits_non_zero(log):
    tamper("UPDATE audit_events SET actor_name = 'x' WHERE seq = 7", "DELETE FROM audit_events WHERE seq = 9")
    result = run(log, "verify")
    assert result.exit_code == 2
    assert "audit chain broken at entry #7" in result.output and "entry #9" in result.output
    assert json.loads(audit_rows(action="audit.verify")[-1]["details"])["bad_seq"] == 7


def test_checkpoint_file_round_trip_and_truncation(log, tmp_path):
    out = tmp_path / "checkpoint.json"
    result = run(log, "checkpoint", "--out", str(out))
    assert result.exit_code == 0, result.output
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["seq"] == 13 and len(saved["signature"]) == 128 and len(saved["public_key"]) == 64
    assert run(log, "verify", "--checkpoint", str(out)).exit_code == 0
    tamper("DELETE FROM audit_events WHERE seq >= 10", "DELETE FROM audit_head", "DELETE FROM audit_checkpoints")
    result = run(log, "verify", "--checkpoint", str(out))
    assert result.exit_code == 2 and "audit chain broken at entry #10" in result.output


def test_checkpoint_to_standard_output(log):
    result = run(log, "checkpoint")
    assert result.exit_code == 0 and json.loads(result.output)["format"] == "complaints-audit-checkpoint"


def test_an_unreadable_checkpoint_file_is_refused_clearly(log, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    result = run(log, "verify", "--checkpoint", str(bad))
    assert result.exit_code == 1 and "cannot use the checkpoint file" in result.output


# -- a running instance, tampered with from outside by a script ----------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - a local test server
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the app did not start at {url}")


def _forged_form(base: str) -> None:
    """A form posted without its CSRF token: refused, and one audit entry (``csrf.rejected``)."""
    try:
        urllib.request.urlopen(base + "/login", data=b"username=mallory&password=guess", timeout=10)  # noqa: S310
    except urllib.error.HTTPError as exc:
        assert exc.code == 400
    else:
        raise AssertionError("a form without its CSRF token was accepted")


@pytest.mark.skipif(bool(POSTGRES_URL), reason="the script tampers with the SQLite file of a running instance")
def test_a_script_tampering_with_a_running_instance_is_named(tmp_path):
    complaints = Path(sys.executable).with_name("complaints")
    if not complaints.exists():
        complaints = shutil.which("complaints")
    env = {**os.environ, "COMPLAINTS_ENV": "development", "COMPLAINTS_DATABASE_URL": f"sqlite:///{tmp_path}/c.db",
           "COMPLAINTS_KEYRING": str(tmp_path / "keyring.json"), "COMPLAINTS_AUDIT_CHECKPOINT_ENTRIES": "5"}
    subprocess.run([complaints, "init"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([complaints, "run", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        _wait_for(base + "/login")
        for _ in range(8):
            _forged_form(base)  # entries #2 .. #9 (#1: the survey round of `init`)
        with sqlite3.connect(tmp_path / "c.db") as raw:  # the attacker, beside the running app
            raw.execute("DROP TRIGGER audit_events_no_update")
            raw.execute("DROP TRIGGER audit_events_no_delete")
            raw.execute("UPDATE audit_events SET actor_name = 'alice' WHERE seq = 4")
            raw.execute("DELETE FROM audit_events WHERE seq = 9")
        _forged_form(base)  # the app carries on writing: #10
        verify = subprocess.run([complaints, "audit", "verify"], env=env, capture_output=True, text=True,
                                timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert verify.returncode == 2, verify.stdout + verify.stderr
    assert "audit chain broken at entry #4" in verify.stdout
    assert "entry #9" in verify.stdout
    assert "entry #4" in verify.stderr  # on both streams when they are not one terminal
    assert "append-only triggers missing" in verify.stderr


def test_init_adopts_a_log_written_before_the_head_record(log):
    tamper("DELETE FROM audit_head", "DELETE FROM audit_checkpoints")  # as the log was before this version
    result = audit_integrity_verify()
    assert result.problems[0].code == "head_missing"
    outcome = log.test_cli_runner().invoke(args=["init"])
    assert outcome.exit_code == 0, outcome.output
    assert "12 earlier entries now end in a head record" in outcome.output
    assert audit_integrity_verify().ok
    again = log.test_cli_runner().invoke(args=["init"])  # safe to run again: nothing more to adopt
    assert "earlier entries" not in again.output


def audit_integrity_verify():
    from complaints.services import audit_integrity

    return audit_integrity.verify()
