"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

import os

from flask import current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

from audit.schema import NAMING
from complaints.crypto import Keyring

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class KeyringHolder:
    """Holds the app's keyring; loaded once at start-up so a missing keyring stops the app there.

    ``refresh`` reloads the file when it changed on disk (``complaints keys rotate`` in another
    process made a new primary key), so a running app follows a rotation without a restart.
    """

    def init_app(self, app, keyring: Keyring) -> None:
        app.extensions["keyring"] = keyring
        app.extensions["keyring_stamp"] = _stamp(keyring.path)

    @property
    def current(self) -> Keyring:
        return current_app.extensions["keyring"]

    def refresh(self) -> bool:
        """Reload the keyring if its file changed since it was loaded; returns whether it did."""
        keyring = self.current
        stamp = _stamp(keyring.path)
        if stamp is None or stamp == current_app.extensions.get("keyring_stamp"):
            return False
        current_app.extensions["keyring"] = Keyring.load(keyring.path)
        current_app.extensions["keyring_stamp"] = stamp
        return True


def _stamp(path) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


keys = KeyringHolder()
