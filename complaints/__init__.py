"""The confidential complaint register of the BMA Inspector-General Division.

``create_app`` wires configuration, the keyring, extensions, the sign-in gate, blueprints, error
handlers and the command line. It never migrates the database: ``complaints init`` does that.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    from complaints import cli, web
    from complaints.config import check_production, load_config
    from complaints.crypto import Keyring
    from complaints.database import configure_engine
    from complaints.extensions import babel, csrf, db, keys, login_manager, migrate

    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_relative_config=True,
    )
    app.config.update(load_config(app.instance_path))
    app.config.update(config or {})
    check_production(app.config)

    keyring = app.config.get("KEYRING") or Keyring.load(app.config["KEYRING_PATH"])
    app.secret_key = keyring.secret_key
    keys.init_app(app, keyring)

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
        if app.config.get("KEYRING_CHECK", True):
            _check_keyring_matches_database()
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale, timezone_selector=lambda: "Asia/Bangkok")

    web.register(app)
    cli.register(app)
    return app


def _check_keyring_matches_database() -> None:
    """Fail closed: a keyring from another installation stops the app here, not at the first case."""
    from flask import current_app
    from sqlalchemy.exc import OperationalError

    from complaints.crypto import KeyringError
    from complaints.extensions import db
    from complaints.services import vault

    try:
        problem = vault.keyring_problem()
    except OperationalError as exc:  # the database is down: each record still fails closed on its own
        current_app.logger.warning("keyring not checked against the database at start: %s", exc)
        problem = None
    finally:
        db.session.remove()
    if problem:
        raise KeyringError(f"{problem}. The app will not start: set COMPLAINTS_KEYRING to this installation's "
                           "keyring (restore it from its backup).")
