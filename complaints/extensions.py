"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

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
    """Holds the app's keyring; loaded once at start-up so a missing keyring stops the app there."""

    def init_app(self, app, keyring: Keyring) -> None:
        app.extensions["keyring"] = keyring

    @property
    def current(self) -> Keyring:
        return current_app.extensions["keyring"]


keys = KeyringHolder()
