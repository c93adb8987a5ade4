"""Keyring, envelope encryption and blind indexes. Imports only ``cryptography`` and the stdlib.

Envelope: each record (a case, a survey round) has its own random 256-bit data key. The data key is
wrapped with AES-256-GCM by a key-encryption key (KEK) from the keyring; fields are encrypted with
AES-256-GCM under the data key. Every ciphertext starts with a format version and a key id, and its
associated data binds it, length-prefixed, to the table, column, row id and key id it belongs to, so a
ciphertext copied to another row or column does not decrypt.

The keyring lives in a file outside the database (mode 0600). ``KeyWrapper`` is the interface a KMS
can implement later; ``Keyring`` implements it with local keys.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = 1
KEYRING_FORMAT = 1
NONCE_BYTES = 12
KEY_BYTES = 32


class KeyringError(RuntimeError):
    """The keyring is missing, unreadable or malformed. The app must not start."""


class DecryptionError(Exception):
    """A ciphertext did not decrypt: wrong key, wrong place, or tampered with."""


class UnknownKeyError(DecryptionError):
    """A wrapped key names a key-encryption key that this keyring does not hold (yet, or any more)."""


def length_prefixed(*parts: str | bytes) -> bytes:
    """Unambiguous concatenation: each part is preceded by its length (4 bytes, big-endian)."""
    out = []
    for part in parts:
        raw = part.encode() if isinstance(part, str) else bytes(part)
        out += (len(raw).to_bytes(4, "big"), raw)
    return b"".join(out)


def _pack(key_id: str, nonce: bytes, body: bytes) -> bytes:
    kid = key_id.encode("ascii")
    if len(kid) > 255:
        raise ValueError("key id too long")
    return bytes([FORMAT_VERSION, len(kid)]) + kid + nonce + body


def _unpack(blob: bytes) -> tuple[str, bytes, bytes]:
    if not blob or len(blob) < 2 + NONCE_BYTES + 16:
        raise DecryptionError("ciphertext too short")
    if blob[0] != FORMAT_VERSION:
        raise DecryptionError(f"unknown ciphertext format {blob[0]}")
    klen = blob[1]
    key_id = blob[2 : 2 + klen].decode("ascii", "replace")
    nonce = blob[2 + klen : 2 + klen + NONCE_BYTES]
    return key_id, nonce, blob[2 + klen + NONCE_BYTES :]


def key_id_of(blob: bytes) -> str:
    """The key id a ciphertext or wrapped key names in its header."""
    return _unpack(blob)[0]


@lru_cache(maxsize=256)
def _aad_prefix(*parts: str) -> bytes:
    return length_prefixed(*parts)


def _field_aad(table: str, column: str, row_id: str, key_id: str) -> bytes:
    # = length_prefixed(label, table, column, row_id, key_id); the constant head is cached (searches
    # decrypt thousands of values per request)
    return _aad_prefix(f"complaints/field/v{FORMAT_VERSION}", table, column) + length_prefixed(row_id, key_id)


def _wrap_aad(owner_table: str, owner_id: str, data_key_id: str, kek_id: str) -> bytes:
    return _aad_prefix(f"complaints/data-key/v{FORMAT_VERSION}", owner_table) + length_prefixed(
        owner_id, data_key_id, kek_id)


@dataclass(frozen=True)
class DataKey:
    """One record's data key. ``key_id`` is written into every ciphertext it makes."""

    key: bytes
    key_id: str

    @cached_property
    def _aead(self) -> AESGCM:
        return AESGCM(self.key)

    @classmethod
    def generate(cls) -> DataKey:
        return cls(key=AESGCM.generate_key(bit_length=256), key_id="dk-" + secrets.token_hex(6))

    def encrypt_bytes(self, data: bytes, *, table: str, column: str, row_id: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        body = self._aead.encrypt(nonce, data, _field_aad(table, column, row_id, self.key_id))
        return _pack(self.key_id, nonce, body)

    def decrypt_bytes(self, blob: bytes, *, table: str, column: str, row_id: str) -> bytes:
        key_id, nonce, body = _unpack(blob)
        if key_id != self.key_id:
            raise DecryptionError(f"{table}.{column} of {row_id}: made with key {key_id}, not {self.key_id}")
        try:
            return self._aead.decrypt(nonce, body, _field_aad(table, column, row_id, key_id))
        except InvalidTag as exc:
            raise DecryptionError(f"{table}.{column} of {row_id}: authentication failed") from exc

    def encrypt(self, text: str | None, *, table: str, column: str, row_id: str) -> bytes | None:
        """Encrypt a text value; ``None`` stays ``None`` (an empty field, e.g. an anonymous complainant)."""
        if text is None:
            return None
        return self.encrypt_bytes(text.encode("utf-8"), table=table, column=column, row_id=row_id)

    def decrypt(self, blob: bytes | None, *, table: str, column: str, row_id: str) -> str | None:
        if blob is None:
            return None
        return self.decrypt_bytes(blob, table=table, column=column, row_id=row_id).decode("utf-8")


class KeyWrapper(Protocol):
    """What the application needs from a key store: wrap and unwrap data keys. A KMS can provide this."""

    primary_kek_id: str

    def wrap_data_key(self, data_key: DataKey, *, owner_table: str, owner_id: str) -> bytes: ...

    def unwrap_data_key(
        self, blob: bytes, *, owner_table: str, owner_id: str, data_key_id: str
    ) -> DataKey: ...


@lru_cache(maxsize=16)
def _kek_aead(kek: bytes) -> AESGCM:
    return AESGCM(kek)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str, what: str, length: int | None = KEY_BYTES) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError) as exc:
        raise KeyringError(f"keyring: {what} is not valid base64") from exc
    if length is not None and len(raw) != length:
        raise KeyringError(f"keyring: {what} must be {length} bytes, has {len(raw)}")
    return raw


def _new_kek_id() -> str:
    return f"kek-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"


@dataclass
class Keyring:
    """All secret keys of one installation. Never stored in the database."""

    keks: dict[str, bytes]
    primary_kek_id: str
    index_root: bytes
    audit_mac_key: bytes
    audit_signing_seed: bytes
    secret_key: bytes
    path: Path | None = field(default=None, compare=False)

    # -- creation and storage -------------------------------------------------------------
    @classmethod
    def generate(cls) -> Keyring:
        kek_id = _new_kek_id()
        return cls(
            keks={kek_id: AESGCM.generate_key(bit_length=256)},
            primary_kek_id=kek_id,
            index_root=secrets.token_bytes(KEY_BYTES),
            audit_mac_key=secrets.token_bytes(KEY_BYTES),
            audit_signing_seed=secrets.token_bytes(KEY_BYTES),
            secret_key=secrets.token_bytes(KEY_BYTES),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": KEYRING_FORMAT,
                "kek": {"primary": self.primary_kek_id, "keys": {k: _b64(v) for k, v in self.keks.items()}},
                "index_root": _b64(self.index_root),
                "audit_mac": _b64(self.audit_mac_key),
                "audit_signing": _b64(self.audit_signing_seed),
                "secret_key": _b64(self.secret_key),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str, path: Path | None = None) -> Keyring:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise KeyringError(f"keyring {path or ''} is not valid JSON: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != KEYRING_FORMAT:
            raise KeyringError(f"keyring {path or ''} has an unknown format (expected format {KEYRING_FORMAT})")
        try:
            kek = data["kek"]
            keks = {kid: _unb64(raw, f"KEK {kid}") for kid, raw in kek["keys"].items()}
            primary = kek["primary"]
            if primary not in keks:
                raise KeyringError(f"keyring: primary KEK {primary} is not among its keys")
            return cls(
                keks=keks,
                primary_kek_id=primary,
                index_root=_unb64(data["index_root"], "index_root"),
                audit_mac_key=_unb64(data["audit_mac"], "audit_mac"),
                audit_signing_seed=_unb64(data["audit_signing"], "audit_signing"),
                secret_key=_unb64(data["secret_key"], "secret_key"),
                path=path,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise KeyringError(f"keyring {path or ''} lacks an entry: {exc}") from exc

    @classmethod
    def load(cls, path: str | Path) -> Keyring:
        path = Path(path)
        if not path.exists():
            raise KeyringError(
                f"keyring file {path} does not exist. Run `complaints init` to create one, "
                "or set COMPLAINTS_KEYRING to the keyring's path."
            )
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise KeyringError(f"keyring file {path} cannot be read: {exc}") from exc
        return cls.from_json(text, path)

    def save(self, path: str | Path | None = None) -> Path:
        """Write atomically with mode 0600."""
        target = Path(path or self.path or "")
        if not str(target):
            raise KeyringError("no keyring path given")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".keyring-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.path = target
        return target

    # -- key-encryption keys --------------------------------------------------------------
    def add_kek(self) -> str:
        """Create a new KEK and make it primary; older KEKs stay for unwrapping until retired."""
        kek_id = _new_kek_id()
        while kek_id in self.keks:
            kek_id = _new_kek_id()
        self.keks[kek_id] = AESGCM.generate_key(bit_length=256)
        self.primary_kek_id = kek_id
        return kek_id

    def retire_kek(self, kek_id: str) -> None:
        if kek_id == self.primary_kek_id:
            raise KeyringError("the primary KEK cannot be retired")
        self.keks.pop(kek_id, None)

    def wrap_data_key(self, data_key: DataKey, *, owner_table: str, owner_id: str) -> bytes:
        kek_id = self.primary_kek_id
        nonce = os.urandom(NONCE_BYTES)
        aad = _wrap_aad(owner_table, owner_id, data_key.key_id, kek_id)
        return _pack(kek_id, nonce, _kek_aead(self.keks[kek_id]).encrypt(nonce, data_key.key, aad))

    def unwrap_data_key(self, blob: bytes, *, owner_table: str, owner_id: str, data_key_id: str) -> DataKey:
        kek_id, nonce, body = _unpack(blob)
        kek = self.keks.get(kek_id)
        if kek is None:
            raise UnknownKeyError(f"data key of {owner_table} {owner_id}: KEK {kek_id} is not in the keyring")
        try:
            raw = _kek_aead(kek).decrypt(nonce, body, _wrap_aad(owner_table, owner_id, data_key_id, kek_id))
        except InvalidTag as exc:
            raise DecryptionError(f"data key of {owner_table} {owner_id}: authentication failed") from exc
        return DataKey(key=raw, key_id=data_key_id)

    # -- derived keys ---------------------------------------------------------------------
    def index_key(self, table: str, column: str, index: str) -> bytes:
        """A blind-index key per table, column and index, derived (HKDF) from the index root."""
        return HKDF(
            algorithm=hashes.SHA256(),
            length=KEY_BYTES,
            salt=None,
            info=length_prefixed("complaints/blind-index/v1", table, column, index),
        ).derive(self.index_root)

    def audit_signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.audit_signing_seed)


def blind_index(key: bytes, normalised: str, bits: int) -> int:
    """HMAC-SHA256 of an already normalised value, truncated to ``bits`` (a non-negative integer)."""
    if not 8 <= bits <= 63:
        raise ValueError("blind index length must be between 8 and 63 bits")
    digest = hmac.digest(key, normalised.encode("utf-8"), "sha256")
    return int.from_bytes(digest[:8], "big") >> (64 - bits)
