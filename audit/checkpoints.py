"""Signed checkpoints: Ed25519 signatures over (entry number, entry MAC, time).

A checkpoint says "the chain had reached entry #N, whose MAC was M, at time T", signed with the
audit signing key from the keyring. Checkpoints are written into ``audit_checkpoints`` every N
entries or M minutes (``CheckpointPolicy``) and on demand; the latest can be written to a file and
kept off the host. Given back to ``verify``, such a file proves that the chain still reaches #N with
the same MAC: a log cut short or rolled back to an older copy no longer does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import String, select, type_coerce
from sqlalchemy.engine import Connection

from audit.schema import audit_checkpoints

FILE_FORMAT = "complaints-audit-checkpoint"
FILE_VERSION = 1
_DOMAIN = b"complaints-audit-checkpoint:v1"

Signer = Ed25519PrivateKey | Callable[[], Ed25519PrivateKey]


class CheckpointFileError(ValueError):
    """A checkpoint file that cannot be read or is not a checkpoint of this register."""


@dataclass(frozen=True)
class CheckpointPolicy:
    """Write a checkpoint when this many entries or minutes have passed since the last one (0: never)."""

    every_entries: int = 1000
    every_minutes: int = 60

    def due(self, seq: int, now: datetime, last_seq: int | None, last_at: datetime | None) -> bool:
        if last_seq is None:
            return True
        if self.every_entries > 0 and seq - last_seq >= self.every_entries:
            return True
        return self.every_minutes > 0 and last_at is not None and now - last_at >= timedelta(
            minutes=self.every_minutes)


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    mac: str
    created_at: datetime  # naive UTC
    key_id: str
    signature: str  # hex
    public_key: str | None = None  # hex; carried in files so that they explain themselves

    def message(self) -> bytes:
        return message(self.seq, self.mac, self.created_at)

    def to_file_json(self) -> str:
        return json.dumps({
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "seq": self.seq,
            "mac": self.mac,
            "created_at_utc": _time(self.created_at),
            "key_id": self.key_id,
            "public_key": self.public_key,
            "signature": self.signature,
            "note": "Signed audit checkpoint of the complaint register. Keep it off the host; "
                    "check the log with: complaints audit verify --checkpoint FILE",
        }, ensure_ascii=False, indent=2) + "\n"


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def message(seq: int, mac: str, created_at: datetime) -> bytes:
    return b"\n".join([_DOMAIN, str(int(seq)).encode(), mac.encode("ascii", "replace"),
                       _time(created_at).encode()])


def public_key_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def _private(signer: Signer) -> Ed25519PrivateKey:
    return signer if isinstance(signer, Ed25519PrivateKey) else signer()


def sign(signer: Signer, seq: int, mac: str, created_at: datetime) -> Checkpoint:
    private = _private(signer)
    public = private.public_key()
    signature = private.sign(message(seq, mac, created_at)).hex()
    return Checkpoint(seq, mac, created_at, key_id(public), signature, public_key_hex(public))


def signature_valid(checkpoint: Checkpoint, public_keys: dict[str, Ed25519PublicKey]) -> bool:
    """Whether a checkpoint is signed by one of the given keys (by key id)."""
    public = public_keys.get(checkpoint.key_id)
    if public is None:
        return False
    try:
        public.verify(bytes.fromhex(checkpoint.signature), checkpoint.message())
    except (InvalidSignature, ValueError, TypeError, AttributeError):
        return False
    return True


def write(connection: Connection, signer: Signer, seq: int, mac: str, now: datetime | None = None) -> Checkpoint:
    """Sign and store a checkpoint for entry ``seq`` (the caller holds the append lock)."""
    created = now or datetime.now(UTC).replace(tzinfo=None)
    checkpoint = sign(signer, seq, mac, created)
    connection.execute(audit_checkpoints.insert().values(
        seq=seq, mac=mac, created_at=created, key_id=checkpoint.key_id, signature=checkpoint.signature))
    return checkpoint


def _from_row(row) -> Checkpoint:
    created = row.created_at
    if isinstance(created, str):  # SQLite, read as text (see _columns)
        with contextlib.suppress(ValueError):  # not a time: the signature check fails, nothing crashes
            created = datetime.fromisoformat(created)
    return Checkpoint(int(row.seq), str(row.mac), created, str(row.key_id), str(row.signature))


def _columns(connection: Connection):
    if connection.dialect.name != "sqlite":
        return list(audit_checkpoints.c)
    return [type_coerce(c, String).label(c.name) if c.name == "created_at" else c for c in audit_checkpoints.c]


def latest(connection: Connection) -> Checkpoint | None:
    row = connection.execute(
        select(*_columns(connection)).order_by(audit_checkpoints.c.seq.desc()).limit(1)).first()
    return _from_row(row) if row else None


def at(connection: Connection, seq: int) -> Checkpoint | None:
    row = connection.execute(select(*_columns(connection)).where(audit_checkpoints.c.seq == seq)).first()
    return _from_row(row) if row else None


def stored(connection: Connection) -> list[Checkpoint]:
    rows = connection.execute(select(*_columns(connection)).order_by(audit_checkpoints.c.seq))
    return [_from_row(row) for row in rows]


def read_file(text: str) -> Checkpoint:
    """Parse a checkpoint file written by ``Checkpoint.to_file_json`` (the signature is checked by verify)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CheckpointFileError("the file is not JSON") from exc
    if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
        raise CheckpointFileError(f"the file is not a {FILE_FORMAT} file")
    if data.get("version") != FILE_VERSION:
        raise CheckpointFileError(f"unsupported checkpoint version {data.get('version')!r}")
    try:
        seq = int(data["seq"])
        created = datetime.fromisoformat(str(data["created_at_utc"]))
        mac, kid, signature = str(data["mac"]), str(data["key_id"]), str(data["signature"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointFileError(f"the checkpoint file is incomplete or malformed ({exc})") from exc
    if created.tzinfo is not None:
        created = created.astimezone(UTC).replace(tzinfo=None)
    if seq < 1:
        raise CheckpointFileError("the checkpoint's entry number must be 1 or more")
    public = data.get("public_key")
    return Checkpoint(seq, mac, created, kid, signature, str(public) if public else None)
