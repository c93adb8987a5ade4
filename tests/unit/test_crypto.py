"""Envelope encryption: values are bound to their place, keys to their record, keyrings fail loudly."""

import json
import os
import stat

import pytest

from complaints.crypto import DataKey, DecryptionError, Keyring, KeyringError, blind_index, key_id_of


@pytest.fixture
def keyring():
    return Keyring.generate()


def test_round_trip_and_no_plaintext_in_ciphertext():
    key = DataKey.generate()
    blob = key.encrypt("นายสมชาย ใจดี", table="cases", column="complainant_name_ct", row_id="case-1")
    assert "สมชาย".encode() not in blob
    assert blob[0] == 1 and key_id_of(blob) == key.key_id
    assert key.decrypt(blob, table="cases", column="complainant_name_ct", row_id="case-1") == "นายสมชาย ใจดี"


def test_same_value_encrypts_differently_each_time():
    key = DataKey.generate()
    one = key.encrypt("เรื่องเดียวกัน", table="cases", column="subject_ct", row_id="a")
    two = key.encrypt("เรื่องเดียวกัน", table="cases", column="subject_ct", row_id="a")
    assert one != two


@pytest.mark.parametrize("place", [
    {"table": "cases", "column": "subject_ct", "row_id": "case-2"},  # copied to another case
    {"table": "cases", "column": "details_ct", "row_id": "case-1"},  # copied to another column
    {"table": "other", "column": "subject_ct", "row_id": "case-1"},  # copied to another table
])
def test_ciphertext_moved_elsewhere_does_not_decrypt(place):
    key = DataKey.generate()
    blob = key.encrypt("ลับ", table="cases", column="subject_ct", row_id="case-1")
    with pytest.raises(DecryptionError):
        key.decrypt(blob, **place)


def test_tampered_ciphertext_does_not_decrypt():
    key = DataKey.generate()
    blob = bytearray(key.encrypt("ลับ", table="cases", column="subject_ct", row_id="c"))
    blob[-1] ^= 1
    with pytest.raises(DecryptionError):
        key.decrypt(bytes(blob), table="cases", column="subject_ct", row_id="c")


def test_wrapped_data_key_is_bound_to_its_record(keyring):
    data_key = DataKey.generate()
    wrapped = keyring.wrap_data_key(data_key, owner_table="cases", owner_id="case-1")
    assert keyring.unwrap_data_key(wrapped, owner_table="cases", owner_id="case-1",
                                   data_key_id=data_key.key_id).key == data_key.key
    with pytest.raises(DecryptionError):
        keyring.unwrap_data_key(wrapped, owner_table="cases", owner_id="case-2", data_key_id=data_key.key_id)
    with pytest.raises(DecryptionError):
        Keyring.generate().unwrap_data_key(wrapped, owner_table="cases", owner_id="case-1",
                                           data_key_id=data_key.key_id)


def test_old_kek_still_unwraps_after_a_new_primary(keyring):
    data_key = DataKey.generate()
    wrapped = keyring.wrap_data_key(data_key, owner_table="cases", owner_id="x")
    old = keyring.primary_kek_id
    new = keyring.add_kek()
    assert new != old and keyring.primary_kek_id == new
    assert key_id_of(wrapped) == old
    assert keyring.unwrap_data_key(wrapped, owner_table="cases", owner_id="x", data_key_id=data_key.key_id)
    with pytest.raises(KeyringError):
        keyring.retire_kek(new)


def test_keyring_file_is_private_and_round_trips(tmp_path, keyring):
    path = keyring.save(tmp_path / "keys" / "keyring.json")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    loaded = Keyring.load(path)
    assert loaded.keks == keyring.keks and loaded.index_root == keyring.index_root


def test_missing_or_broken_keyring_gives_a_clear_error(tmp_path):
    with pytest.raises(KeyringError, match="does not exist"):
        Keyring.load(tmp_path / "none.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(KeyringError, match="not valid JSON"):
        Keyring.load(broken)
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"format": 1, "kek": {"primary": "a", "keys": {}}}))
    with pytest.raises(KeyringError):
        Keyring.load(partial)


def test_app_refuses_to_start_without_its_keyring(tmp_path, monkeypatch):
    from complaints import create_app

    monkeypatch.setenv("COMPLAINTS_KEYRING", str(tmp_path / "missing.json"))
    monkeypatch.setenv("COMPLAINTS_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(KeyringError, match="complaints init"):
        create_app()


def test_blind_index_is_keyed_and_truncated(keyring):
    key = keyring.index_key("cases", "complainant_name", "full")
    other = keyring.index_key("cases", "persons_concerned", "full")
    value = blind_index(key, "สมชาย ใจดี", 32)
    assert value == blind_index(key, "สมชาย ใจดี", 32)
    assert value != blind_index(other, "สมชาย ใจดี", 32)
    assert 0 <= value < 2**32
