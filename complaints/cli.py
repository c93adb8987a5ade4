"""The ``complaints`` command, built on Flask's CLI (``flask --app complaints ...`` works too)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, inspect, select

from complaints import cli_keys, cli_search
from complaints.clock import today_bangkok


def _app_factory():
    from complaints import create_app
    from complaints.config import ConfigError
    from complaints.crypto import KeyringError

    try:
        return create_app()
    except (KeyringError, ConfigError) as exc:  # fail closed, with the reason and no traceback
        _fail(f"ระบบไม่เริ่มทำงาน (the app will not start): {exc}")


cli = FlaskGroup(create_app=_app_factory, help="ทะเบียนเรื่องลับ เรื่องร้องเรียน (Confidential complaint register)")


def main() -> None:
    cli.main(prog_name="complaints")


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


# -- init ---------------------------------------------------------------------------------------

def _database_has_keys(app) -> bool:
    from complaints.extensions import db

    with app.app_context():
        if "data_keys" not in inspect(db.engine).get_table_names():
            return False
        from complaints.models import DataKeyRecord

        return bool(db.session.scalar(select(func.count()).select_from(DataKeyRecord)))


def _initialise(app) -> None:
    from flask_migrate import upgrade

    from complaints.extensions import db
    from complaints.services import audit_integrity, reference, survey

    with app.app_context():
        click.echo("• migrating the database schema to the latest version …")
        upgrade(directory=app.extensions["migrate"].directory)
        adopted = audit_integrity.adopt_legacy_log()
        added = reference.load_reference_data()
        round_ = survey.ensure_default_round(today_bangkok())
        db.session.commit()
        if adopted:
            click.echo(f"• audit log: {adopted} earlier entries now end in a head record and a signed checkpoint")
        click.echo(f"• reference data: {added['zones']} zones, {added['agencies']} agencies, "
                   f"{added['categories']} categories added")
        if round_:
            click.echo(f"• survey round opened: {round_.title_th}")
        click.echo(f"• database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")


@cli.command("init", with_appcontext=False)
def init_command() -> None:
    """Create the instance folder and keyring if missing, migrate to head, load reference data."""
    from complaints import create_app
    from complaints.crypto import Keyring

    fresh = Keyring.generate()
    probe = create_app({"KEYRING": fresh, "KEYRING_CHECK": False})  # only to learn the configured paths
    Path(probe.instance_path).mkdir(parents=True, exist_ok=True)
    keyring_path = Path(probe.config["KEYRING_PATH"])
    if not keyring_path.exists():
        if _database_has_keys(probe):
            _fail(f"the keyring {keyring_path} is missing but the database holds encrypted data. "
                  "Restore the keyring from its backup; a new one would make every case unreadable.")
        fresh.save(keyring_path)
        click.echo(f"• keyring created: {keyring_path} (mode 0600). Back it up apart from the database.")
    _initialise(create_app())


# -- users --------------------------------------------------------------------------------------

@cli.group("users")
def users_group() -> None:
    """Manage user accounts."""


@users_group.command("create")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Full name shown in the app.")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["registrar", "inspector", "executive", "auditor", "admin"]))
@click.option("--agency", "agencies", multiple=True, help="Agency code in scope (repeatable).")
@click.option("--zone", "zones", multiple=True, help="Zone in scope: code or Thai name (repeatable).")
@click.option("--all-agencies", is_flag=True, help="Scope: every agency.")
@click.option("--clearance", default="unclassified",
              type=click.Choice(["unclassified", "confidential", "secret", "top_secret"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--totp", "with_totp", is_flag=True,
              help="Set up the TOTP second factor now (always done when it is required, as in production).")
@with_appcontext
def users_create(username, display_name, roles, agencies, zones, all_agencies, clearance, password_stdin,
                 with_totp):
    """Create a user. Without --password-stdin a password is generated and printed once.

    When a second factor is required (COMPLAINTS_ENV=production) the TOTP provisioning URI
    (otpauth://...) and the recovery codes are printed once: hand them to the user.
    """
    from complaints.extensions import db
    from complaints.services import reference, second_factor, users
    from complaints.services.errors import Invalid

    password = sys.stdin.readline().rstrip("\n") if password_stdin else users.temporary_password()
    zone_codes = [reference.resolve_zone(z) or z for z in zones]
    try:
        user = users.create_user(None, username=username, display_name=display_name or username,
                                 password=password, roles=list(roles), clearance=clearance, agencies=list(agencies),
                                 zones=zone_codes, all_agencies=all_agencies, must_change_password=not password_stdin)
    except Invalid as exc:
        db.session.rollback()
        _fail("ไม่สามารถสร้างผู้ใช้: " + "; ".join(exc.errors.values()))
    totp = None
    if with_totp or current_app.config["TOTP_REQUIRED"]:
        secret, codes = second_factor.enrol_now(None, user)
        totp = (second_factor.provisioning_uri(user, secret, current_app.config["TOTP_ISSUER"]), codes)
    db.session.commit()
    click.echo(f"created user {user.username} ({', '.join(roles)}, clearance {clearance})")
    if not password_stdin:
        click.echo(f"temporary password: {password}  (must be changed at first sign-in)")
    if totp:
        click.echo(f"TOTP provisioning URI (scan as a QR code or type into the authenticator app):\n{totp[0]}")
        click.echo("recovery codes (each works once; shown only now): " + " ".join(totp[1]))


@users_group.command("list")
@with_appcontext
def users_list() -> None:
    """List users with roles, clearance and scope."""
    from complaints.clock import utcnow
    from complaints.services import users

    for user in users.list_users():
        scope = "all agencies" if user.all_agencies else ", ".join(
            sorted(user.agency_codes) + [f"zone:{z}" for z in sorted(user.zone_codes)]) or "-"
        state = "active" if user.active else "disabled"
        if user.active and user.is_locked(utcnow()):
            state = "locked"
        if user.has_second_factor:
            state += "+2fa"
        click.echo(f"{user.username:<16} {state:<12} {','.join(sorted(user.roles)):<22} "
                   f"{user.clearance:<13} {scope}")


@users_group.command("disable")
@click.argument("username")
@with_appcontext
def users_disable(username: str) -> None:
    """Disable a user and end their sessions."""
    from complaints.extensions import db
    from complaints.services import users

    user = users.get_by_username(username)
    if user is None:
        _fail(f"no user {username}")
    users.disable_user(None, user)
    db.session.commit()
    click.echo(f"disabled {user.username}; their sessions are ended")


def _account_action(username: str, work, done: str) -> None:
    from complaints.extensions import db
    from complaints.services import users
    from complaints.services.errors import Invalid

    user = users.get_by_username(username)
    if user is None:
        _fail(f"no user {username}")
    try:
        work(user)
    except Invalid as exc:
        db.session.rollback()
        _fail("; ".join(exc.errors.values()))
    db.session.commit()
    click.echo(done.format(name=user.username))


@users_group.command("enable")
@click.argument("username")
@with_appcontext
def users_enable(username: str) -> None:
    """Enable a disabled user."""
    from complaints.services import users

    _account_action(username, lambda u: users.enable_user(None, u), "enabled {name}")


@users_group.command("unlock")
@click.argument("username")
@with_appcontext
def users_unlock(username: str) -> None:
    """Lift a lockout after repeated failed sign-ins."""
    from complaints.services import users

    _account_action(username, lambda u: users.unlock(None, u), "unlocked {name}")


@users_group.command("reset-second-factor")
@click.argument("username")
@with_appcontext
def users_reset_second_factor(username: str) -> None:
    """Remove a user's TOTP second factor (lost phone); they set it up again at their next sign-in."""
    from complaints.services import second_factor

    _account_action(username, lambda u: second_factor.reset(None, u),
                    "second factor of {name} removed; their sessions are ended")


@users_group.command("assign")
@click.argument("username")
@click.option("--agency", "agencies", multiple=True)
@click.option("--zone", "zones", multiple=True)
@click.option("--all-agencies/--no-all-agencies", default=None)
@with_appcontext
def users_assign(username, agencies, zones, all_agencies) -> None:
    """Replace a user's agency scope."""
    from complaints.extensions import db
    from complaints.services import reference, users
    from complaints.services.errors import Invalid

    user = users.get_by_username(username)
    if user is None:
        _fail(f"no user {username}")
    try:
        users.assign_scope(None, user, agencies=list(agencies),
                           zones=[reference.resolve_zone(z) or z for z in zones], all_agencies=all_agencies)
    except Invalid as exc:
        db.session.rollback()
        _fail("; ".join(exc.errors.values()))
    db.session.commit()
    click.echo(f"scope of {user.username} updated")


# -- demo ---------------------------------------------------------------------------------------

def _demo_file() -> Path:
    return Path(current_app.instance_path) / "demo-accounts.txt"


@cli.command("demo")
@click.option("--cases", "count", default=2000, show_default=True, help="Number of synthetic cases.")
@click.option("--seed", default=2565, show_default=True, help="Random seed (same seed, same cases).")
@click.option("--if-empty", is_flag=True, help="Only add cases when the register has none.")
@with_appcontext
def demo_command(count: int, seed: int, if_empty: bool) -> None:
    """Demo accounts (one per role, passwords printed) and synthetic cases for FY 2563-2565."""
    from complaints.extensions import db
    from complaints.models import Case
    from complaints.services import demo

    if current_app.config["COMPLAINTS_ENV"] == "production":
        _fail("demo data is not allowed when COMPLAINTS_ENV=production")
    created = demo.create_demo_users()
    existing = db.session.scalar(select(func.count()).select_from(Case))
    if not (if_empty and existing):
        click.echo(f"• generating {count} demo cases …")
        demo.generate_cases(count, seed)
    db.session.commit()
    path = _demo_file()
    if created:
        lines = [f"{a.username}\t{a.password}\t{','.join(a.roles)}\t{a.description}" for a in created]
        previous = path.read_text(encoding="utf-8") if path.exists() else ""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(previous + "\n".join(lines) + "\n")
    total = db.session.scalar(select(func.count()).select_from(Case))
    click.echo(f"• the register holds {total} cases")
    if path.exists():
        click.echo("\nบัญชีทดลองใช้ (demo accounts) — username / password / role:")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                username, password, roles, name = (line.split("\t") + ["", "", ""])[:4]
                click.echo(f"  {username:<12} {password:<20} {roles:<10} {name}")
        click.echo(f"(kept in {path}, readable only by you)")


# -- audit --------------------------------------------------------------------------------------

@cli.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log."""


def _say_everywhere(message: str, **style) -> None:
    """On standard output, and on standard error too unless both are the same terminal."""
    click.secho(message, **style)
    if not (sys.stdout.isatty() and sys.stderr.isatty()):
        click.secho(message, err=True, **style)


@audit_group.command("verify")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A signed checkpoint kept off the host (from `audit checkpoint`): the log must still reach it.")
@with_appcontext
def audit_verify(checkpoint_file: Path | None) -> None:
    """Exit 0 when the chain is intact; otherwise exit 2, naming the first bad entry (entry #N)."""
    from audit import CheckpointFileError
    from complaints.extensions import db
    from complaints.services import audit_integrity

    external = None
    if checkpoint_file is not None:
        try:
            external = audit_integrity.read_checkpoint_file(checkpoint_file.read_bytes())
        except CheckpointFileError as exc:
            _fail(f"cannot use the checkpoint file {checkpoint_file}: {exc}")
    result = audit_integrity.verify(external)
    missing = audit_integrity.missing_triggers()
    if result.ok:
        click.echo(result.summary())
    else:
        _say_everywhere(result.summary(), fg="red")
    if missing:
        click.secho("warning: append-only triggers missing or disabled: " + ", ".join(missing), fg="yellow", err=True)
    try:
        audit_integrity.record_verification(None, result, missing)
        db.session.commit()
    except Exception as exc:  # the verdict above stands even when it cannot be written down
        db.session.rollback()
        click.secho(f"warning: this verification could not be recorded in the audit log: {exc}", fg="yellow",
                    err=True)
    if not result.ok:
        sys.exit(2)


@audit_group.command("checkpoint")
@click.option("--out", "out", default="-", show_default=True,
              type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="File to write the signed checkpoint to ('-': standard output). Keep it off this host.")
@with_appcontext
def audit_checkpoint(out: Path) -> None:
    """Sign a checkpoint of the log's current end and write it out (seq, MAC, time, signature, public key)."""
    from complaints.extensions import db
    from complaints.services import audit_integrity

    to_stdout = str(out) == "-"
    checkpoint = audit_integrity.export_checkpoint(None, "stdout" if to_stdout else "file")
    db.session.commit()
    if to_stdout:
        click.echo(checkpoint.to_file_json(), nl=False)
        return
    partial = out.with_name(out.name + ".partial")
    partial.write_text(checkpoint.to_file_json(), encoding="utf-8")
    partial.replace(out)
    click.echo(f"signed checkpoint of entry #{checkpoint.seq} written to {out}; keep a copy off this host")


# -- keys ---------------------------------------------------------------------------------------

@cli.group("keys")
def keys_group() -> None:
    """The keyring and the data keys it wraps."""


keys_group.add_command(cli_keys.keys_status)
keys_group.add_command(cli_keys.keys_rotate)
keys_group.add_command(cli_keys.keys_retire)
cli.add_command(cli_keys.cases_group)
cli.add_command(cli_search.reindex_command)


from complaints.cli_import import import_command  # noqa: E402  (a command group of its own module)

cli.add_command(import_command)


def register(app) -> None:
    """Make the commands available as ``flask --app complaints ...`` as well."""
    for command in (users_group, demo_command, audit_group, keys_group, import_command, cli_keys.cases_group,
                    cli_search.reindex_command):
        app.cli.add_command(command)

    @app.cli.command("init")
    def _init_in_app() -> None:
        """Migrate to head and load reference data (the keyring must exist; see `complaints init`)."""
        _initialise(current_app._get_current_object())
