"""Verifying the chain: contiguity, links and MACs, in order, streaming."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from audit.chain import entry_mac
from audit.schema import GENESIS_MAC, audit_events


@dataclass
class Verification:
    ok: bool
    entries: int
    last_seq: int
    last_mac: str
    bad_seq: int | None = None
    problem: str | None = None

    def summary(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.entries} entries, last #{self.last_seq}"
        return f"audit chain broken at entry #{self.bad_seq}: {self.problem}"


def verify(connection: Connection, key: bytes, batch: int = 5000) -> Verification:
    expected_seq, prev_mac, count = 1, GENESIS_MAC, 0
    result = connection.execution_options(yield_per=batch).execute(
        select(audit_events).order_by(audit_events.c.seq)
    )
    for row in result.mappings():
        seq = row["seq"]
        if seq != expected_seq:
            if seq > expected_seq:
                problem = f"entries #{expected_seq}-#{seq - 1} are missing (deleted)"
            else:
                problem = "sequence number out of order"
            return Verification(False, count, expected_seq - 1, prev_mac, expected_seq, problem)
        if not hmac.compare_digest(row["prev_mac"], prev_mac):
            return Verification(False, count, seq - 1, prev_mac, seq,
                                "link to the previous entry is wrong (an entry was removed, inserted or reordered)")
        if not hmac.compare_digest(entry_mac(key, dict(row)), row["mac"]):
            return Verification(False, count, seq - 1, prev_mac, seq, "MAC does not match: the entry was altered")
        prev_mac, expected_seq, count = row["mac"], seq + 1, count + 1
    return Verification(True, count, expected_seq - 1, prev_mac)
