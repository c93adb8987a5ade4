"""The second factor's secrets at rest and its once-only rules, below the web layer."""

from __future__ import annotations

import pyotp
import pytest

from complaints.extensions import db
from complaints.services import second_factor
from tests.conftest import make_user


@pytest.fixture
def two_users(ctx):
    return make_user("alice", ["inspector"]), make_user("bob", ["inspector"])


def test_the_secret_is_encrypted_and_bound_to_its_user(ctx, two_users):
    alice, bob = two_users
    secret, _ = second_factor.enrol_now(None, alice)
    second_factor.enrol_now(None, bob)
    db.session.commit()
    assert secret.encode() not in alice.totp_secret_ct
    bob.totp_secret_ct = alice.totp_secret_ct  # a ciphertext moved to another account is useless there
    assert second_factor.verify_totp(bob, pyotp.TOTP(secret).now()) == second_factor.BAD


def test_a_code_is_accepted_once_and_older_codes_never(ctx, two_users):
    from datetime import UTC

    from complaints.clock import utcnow

    alice, _ = two_users
    secret, _ = second_factor.enrol_now(None, alice)
    totp = pyotp.TOTP(secret)
    when = utcnow()
    now = when.replace(tzinfo=UTC).timestamp()

    def verify(at: float) -> str:
        return second_factor.verify_totp(alice, totp.at(at), now=when)

    assert verify(now) == second_factor.OK
    assert verify(now) == second_factor.REPLAYED
    assert verify(now - 30) == second_factor.REPLAYED  # an older step, still within the drift
    assert verify(now + 30) == second_factor.OK
    assert verify(now + 300) == second_factor.BAD  # too far ahead


def test_recovery_codes_are_stored_as_keyed_hashes_and_spent_once(ctx, two_users):
    from sqlalchemy import select

    from complaints.models import RecoveryCode

    alice, bob = two_users
    _, codes = second_factor.enrol_now(None, alice)
    second_factor.enrol_now(None, bob)
    hashes = list(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == alice.id)))
    assert len(hashes) == 10 and all(len(h) == 64 for h in hashes)
    assert not second_factor.use_recovery_code(bob, codes[0])  # another user's code
    assert second_factor.use_recovery_code(alice, codes[0])
    assert not second_factor.use_recovery_code(alice, codes[0])
    assert second_factor.recovery_codes_left(alice) == 9
    fresh = second_factor.regenerate_recovery_codes(alice)
    assert not second_factor.use_recovery_code(alice, codes[1])  # the old set stopped working
    assert second_factor.use_recovery_code(alice, fresh[0])
