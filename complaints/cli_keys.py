"""Commands for the keys: ``keys status``, ``keys rotate``, ``keys retire`` and ``cases purge`` (crypto-shredding).

Attached to the ``complaints`` command by ``complaints.cli``.
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select


def _fail(message: str, code: int = 1) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(code)


@click.command("status")
@with_appcontext
def keys_status() -> None:
    """How many data keys each key-encryption key wraps."""
    from complaints.extensions import db, keys
    from complaints.models import DataKeyRecord

    keyring = keys.current
    counts = dict(db.session.execute(
        select(DataKeyRecord.kek_id, func.count()).group_by(DataKeyRecord.kek_id)).all())
    for kek_id in sorted(set(keyring.keks) | set(counts)):
        marks = []
        if kek_id == keyring.primary_kek_id:
            marks.append("primary")
        if kek_id not in keyring.keks:
            marks.append("MISSING FROM KEYRING")
        elif kek_id != keyring.primary_kek_id and not counts.get(kek_id):
            marks.append(f"wraps nothing: can be retired (complaints keys retire {kek_id})")
        click.echo(f"{kek_id:<28} {counts.get(kek_id, 0):>8} data keys  {' '.join(marks)}")
    left = sum(n for kek_id, n in counts.items() if kek_id != keyring.primary_kek_id)
    if left:
        click.echo(f"{left} data keys are not yet wrapped by the primary key: run `complaints keys rotate` to finish")


@click.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000),
              help="Data keys re-wrapped per transaction (each batch is committed on its own).")
@click.option("--new-key/--continue", "new_key", default=None,
              help="Force a new primary key, or only finish an interrupted rotation. "
                   "Default: continue an unfinished rotation, otherwise start a new one.")
@with_appcontext
def keys_rotate(batch_size: int, new_key: bool | None) -> None:
    """Make a new key-encryption key primary and re-wrap every data key with it, in batches.

    Safe to interrupt and run again: it continues where it stopped. The app keeps serving meanwhile;
    running apps pick up the new keyring file by themselves."""
    from complaints.extensions import db, keys
    from complaints.services import key_rotation

    try:
        with key_rotation.keyring_lock():
            left = key_rotation.pending()
            if new_key or (new_key is None and left == 0):
                kek = key_rotation.begin()
                db.session.commit()
                click.echo(f"• new primary key-encryption key {kek} saved to {key_rotation.keyring_path()}")
            elif left:
                click.echo(f"• continuing the rotation to {keys.current.primary_kek_id}: {left:,} data keys left")
            else:
                click.echo(f"• every data key is already wrapped by {keys.current.primary_kek_id}; nothing to do")
                return
            total = key_rotation.pending()
            done, failed, cursor = 0, [], None
            while True:
                batch = key_rotation.rewrap_batch(batch_size, cursor)
                db.session.commit()
                if batch.cursor is None:
                    break
                done += batch.rewrapped
                failed += batch.failed
                cursor = batch.cursor
                click.echo(f"  re-wrapped {done:,} / {total:,} data keys", err=False)
            key_rotation.finish(rewrapped=done, failed=len(failed))
            db.session.commit()
    except key_rotation.RotationBusy as exc:
        _fail(f"{exc}; try again when it has finished")
    left = key_rotation.pending()
    if failed or left:
        _fail(f"rotation incomplete: {len(failed)} data keys could not be unwrapped, {left} still wrapped by "
              "older keys. Run `complaints keys rotate` again; see `complaints keys status`.", 2)
    click.echo(f"• done: {done:,} data keys re-wrapped; older keys now wrap nothing and can be retired "
               "(`complaints keys status`, `complaints keys retire KEK_ID`)")


@click.command("retire")
@click.argument("kek_id")
@with_appcontext
def keys_retire(kek_id: str) -> None:
    """Remove an old key-encryption key from the keyring once no data key is wrapped by it."""
    from complaints.extensions import db
    from complaints.services import key_rotation
    from complaints.services.errors import Invalid

    try:
        with key_rotation.keyring_lock():
            key_rotation.retire(kek_id)
            db.session.commit()
    except key_rotation.RotationBusy as exc:
        _fail(f"{exc}; try again when it has finished")
    except Invalid as exc:
        db.session.rollback()
        _fail("; ".join(exc.errors.values()))
    click.echo(f"retired {kek_id}: removed from {key_rotation.keyring_path()}. Backups of the keyring made "
               "before today still hold it; replace them too.")


@click.group("cases")
def cases_group() -> None:
    """Operator actions on cases."""


@cases_group.command("purge")
@click.argument("case_id")
@click.option("--reason", required=True, type=click.Choice(["retention", "erasure_request", "entered_in_error"]))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def cases_purge(case_id: str, reason: str, yes: bool) -> None:
    """Destroy a case irrecoverably (crypto-shredding): its data key, index entries, attachments and row."""
    from complaints.extensions import db
    from complaints.services import purge
    from complaints.services.errors import NotFound

    if not yes:
        click.confirm(f"Destroy case {case_id} for ever? Nothing of it can be recovered, not even from backups "
                      "of the database", abort=True)
    try:
        purged = purge.purge_case(None, case_id, reason)
    except NotFound:
        db.session.rollback()
        _fail(f"no case {case_id}")
    db.session.commit()
    if db.engine.dialect.name == "sqlite":  # push the deleted pages out of the write-ahead log as well
        db.session.remove()
        connection = db.engine.raw_connection()  # outside a transaction: a checkpoint cannot run inside one
        try:
            connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    click.echo(f"purged case {purged.register_no} (FY {purged.fiscal_year}), {purged.attachments} attachments; "
               f"its data key is destroyed. Reason recorded in the audit log: {reason}")
    current_app.logger.info("case %s purged", purged.case_id)
