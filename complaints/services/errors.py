"""Exceptions that services raise and the web layer turns into pages."""

from __future__ import annotations


class NotFound(Exception):
    """The object does not exist or the user may not see it: the same answer either way."""


class Forbidden(Exception):
    """The user may see the object but not do this to it."""


class Invalid(Exception):
    """Input that breaks a rule. ``errors`` maps field names to Thai messages ("" for the whole form)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))
        self.errors = errors


class Unreadable(Exception):
    """Stored ciphertext failed to decrypt. Nothing of the record may be shown."""


class ReauthRequired(Exception):
    """The action needs a recent sign-in; the user must prove again who they are, then retry."""
