"""Verifying the chain: contiguity, links, MACs, the head record and signed checkpoints, streaming.

``verify`` walks every entry in order and reports each problem with the number of the entry it
concerns; ``Verification.bad_seq`` is the first. It never raises on tampered data: whatever an
attacker wrote into the table becomes a problem report, not a crash.

Run it on a connection that sees one consistent snapshot (PostgreSQL: REPEATABLE READ; SQLite: one
read transaction), otherwise entries appended meanwhile could look like an inconsistency.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import String, select, type_coerce
from sqlalchemy.engine import Connection

from audit import checkpoints as cp
from audit.chain import entry_mac, head_mac
from audit.schema import GENESIS_MAC, HEAD_ID, audit_events, audit_head

MAX_PROBLEMS = 100


@dataclass(frozen=True)
class Problem:
    """One thing wrong. ``seq`` is the entry concerned (None: not about one entry); ``code`` and
    ``params`` let a user interface say it in another language; ``text`` is the English sentence."""

    seq: int | None
    code: str
    text: str
    params: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"seq": self.seq, "code": self.code, "params": self.params, "text": self.text}


@dataclass
class Verification:
    ok: bool
    entries: int
    last_seq: int
    last_mac: str
    bad_seq: int | None = None
    problem: str | None = None
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0  # problems found beyond the MAX_PROBLEMS listed
    checkpoints: int = 0  # signed checkpoints found valid
    external: cp.Checkpoint | None = None  # the external checkpoint checked against, if any

    def summary(self) -> str:
        if self.ok:
            text = f"audit chain intact: {self.entries} entries, last #{self.last_seq}"
            text += f"; {self.checkpoints} signed checkpoints valid"
            if self.external is not None:
                text += f"; reaches the external checkpoint at entry #{self.external.seq}"
            return text
        first = self.problems[0]
        if first.seq is None:
            lines = [f"audit verification failed: {first.text}"]
        else:
            lines = [f"audit chain broken at entry #{first.seq}: {first.text}"]
        lines += [f"  also entry #{p.seq}: {p.text}" if p.seq is not None else f"  also: {p.text}"
                  for p in self.problems[1:]]
        if self.more_problems:
            lines.append(f"  ... and {self.more_problems} more problems")
        return "\n".join(lines)


def _when(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds") + " UTC"


def _same(a, b) -> bool:
    return hmac.compare_digest(str(a or "").encode("utf-8"), str(b or "").encode("utf-8"))


class _Report:
    def __init__(self):
        self.problems: list[Problem] = []
        self.more = 0

    def add(self, seq: int | None, code: str, text: str, **params) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.more += 1
            return
        self.problems.append(Problem(seq, code, text, params))


def _head(connection: Connection):
    return connection.execute(select(audit_head).where(audit_head.c.id == HEAD_ID)).first()


def _entry_columns(connection: Connection):
    columns = list(audit_events.c)
    if connection.dialect.name == "sqlite":
        # Read the stored time as text and parse it here: a value an attacker wrote that is not a
        # time must become "altered", not an exception half-way through the walk.
        columns = [type_coerce(c, String).label(c.name) if c.name == "occurred_at" else c for c in columns]
    return columns


def _as_time(value):
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _missing(report: _Report, first: int, last: int, why: str) -> None:
    if first == last:
        report.add(first, "missing", f"entry #{first} is missing ({why})", first=first, last=last)
    else:
        report.add(first, "missing", f"entries #{first}-#{last} are missing ({why})", first=first, last=last)


def verify(
    connection: Connection,
    key: bytes,
    batch: int = 5000,
    *,
    public_keys: dict[str, Ed25519PublicKey] | None = None,
    external: cp.Checkpoint | None = None,
) -> Verification:
    """Check the whole log. ``public_keys`` (key id -> Ed25519 public key) check the signed
    checkpoints; ``external`` is a checkpoint kept off the host that the chain must still reach."""
    report = _Report()
    public_keys = public_keys or {}

    # The head record: where the chain ended when it was last appended to.
    head = _head(connection)
    try:
        head_ok = head is not None and _same(head_mac(key, head.seq, head.mac), head.head_mac)
    except (TypeError, ValueError):  # not even a number where the head's number should be
        head_ok = False

    # Signed checkpoints stored with the log.
    signed: dict[int, cp.Checkpoint] = {}
    for checkpoint in cp.stored(connection):
        if cp.signature_valid(checkpoint, public_keys):
            signed[checkpoint.seq] = checkpoint
        else:
            report.add(checkpoint.seq, "checkpoint_forged",
                       "the signed checkpoint for this entry has an invalid signature (altered or forged)",
                       at=_when(checkpoint.created_at) if isinstance(checkpoint.created_at, datetime) else "")

    if external is not None and not cp.signature_valid(external, public_keys):
        report.add(None, "external_forged",
                   "the checkpoint file is not signed by this register's audit key (altered, or from elsewhere)")
        external_ok = False
    else:
        external_ok = external is not None

    expected, prev_mac, count, end, end_mac = 1, GENESIS_MAC, 0, 0, GENESIS_MAC
    resync = False  # after a problem, the next entry's link is not held against the broken one
    result = connection.execution_options(yield_per=batch).execute(
        select(*_entry_columns(connection)).order_by(audit_events.c.seq))
    for row in result.mappings():
        entry = dict(row)
        seq = entry["seq"]
        if seq < expected:
            report.add(seq, "outside_sequence",
                       f"entry #{seq} has a number outside the sequence: it was not written by the application")
            continue
        if head_ok and seq > head.seq:
            report.add(seq, "beyond_end",
                       f"entry #{seq} was not written by the application: the log's recorded end is #{head.seq}",
                       end=int(head.seq))
            continue
        entry["occurred_at"] = _as_time(entry["occurred_at"])
        try:
            mac_ok = _same(entry_mac(key, entry), entry["mac"])
        except Exception:  # unreadable content counts as altered
            mac_ok = False
        if seq > expected:
            if not mac_ok:
                # Past a gap, a row the application did not write (the application skips the numbers of
                # rows slipped in past its head): the gap is judged at the next genuine entry.
                report.add(seq, "forged", f"entry #{seq} was not written by the application (its MAC does "
                                          "not match)")
                continue
            if not _same(entry["prev_mac"], prev_mac):  # a genuine entry that links across the gap: none lost
                _missing(report, expected, seq - 1, "deleted")
                resync = True
        wrong = []
        if not resync and not _same(entry["prev_mac"], prev_mac):
            wrong.append(("link", f"its link to entry #{seq - 1} is wrong (an entry was removed, inserted or "
                                  "reordered)"))
        if not mac_ok:
            wrong.append(("altered", "its MAC does not match: the entry was altered"))
        if seq in signed and not _same(signed[seq].mac, entry["mac"]):
            wrong.append(("checkpoint_mismatch", "it differs from the signed checkpoint of "
                                                 f"{_when(signed[seq].created_at)} (replaced)"))
        if external_ok and seq == external.seq and not _same(external.mac, entry["mac"]):
            wrong.append(("external_mismatch", "it differs from the external checkpoint of "
                                               f"{_when(external.created_at)} (the log was rolled back or rewritten)"))
        if head_ok and seq == head.seq and not _same(head.mac, entry["mac"]):
            wrong.append(("head_mismatch", "it differs from the recorded end of the log (replaced)"))
        if wrong:
            report.add(seq, wrong[0][0], "; ".join(text for _, text in wrong), codes=[code for code, _ in wrong])
        resync = bool(wrong)
        prev_mac, expected, end, end_mac = entry["mac"], seq + 1, seq, entry["mac"]
        count += 1

    if head_ok and head.checkpoint_seq is not None and head.checkpoint_seq not in signed and not any(
            p.code == "checkpoint_forged" and p.seq == head.checkpoint_seq for p in report.problems):
        report.add(int(head.checkpoint_seq), "checkpoint_missing",
                   "the signed checkpoint of this entry was deleted")

    # What the log should reach, by the evidence that cannot be forged without the keys.
    reach = []
    if head_ok:
        reach.append((int(head.seq), "head", "the log's recorded end"))
    if signed:
        top = max(signed)
        reach.append((top, "checkpoint", f"a signed checkpoint of {_when(signed[top].created_at)}"))
    if external_ok:
        reach.append((external.seq, "external", f"the external checkpoint of {_when(external.created_at)}"))
    beyond = [(seq, kind, what) for seq, kind, what in reach if seq > end]
    if beyond:
        seq, kind, what = max(beyond)
        report.add(end + 1, "truncated",
                   (f"entry #{end + 1} is missing" if seq == end + 1 else f"entries #{end + 1}-#{seq} are missing")
                   + f": the log ends at #{end} but {what} shows it reached #{seq} (cut short or rolled back)",
                   first=end + 1, last=seq, evidence=kind)
    if head is None and count:
        report.add(end + 1, "head_missing",
                   f"the record of where the log ends (audit_head) is missing: entries after #{end} may have "
                   "been deleted", after=end)
    elif head is not None and not head_ok:
        report.add(end + 1, "head_altered",
                   f"the record of where the log ends (audit_head) was altered: entries after #{end} may have "
                   "been deleted", after=end)

    problems = sorted(report.problems, key=lambda p: (p.seq is None, p.seq or 0))
    first = problems[0] if problems else None
    return Verification(
        ok=not problems,
        entries=count,
        last_seq=end,
        last_mac=end_mac,
        bad_seq=first.seq if first else None,
        problem=first.text if first else None,
        problems=problems,
        more_problems=report.more,
        checkpoints=len(signed),
        external=external if external_ok else None,
    )
