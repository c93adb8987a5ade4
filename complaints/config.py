"""Settings, read from ``COMPLAINTS_*`` environment variables.

Production refuses unsafe defaults; tests pass a dict of overrides to ``create_app``.
"""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path

ENVIRONMENTS = ("production", "development", "testing")


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message says which and how to fix it."""


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _at_least_one(env: dict, name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ConfigError(f"{name} must be 1 or more, got {value}")
    return value


def _bits(env: dict, name: str, default: int) -> int:
    value = _int(env, name, default)
    if not 8 <= value <= 63:
        raise ConfigError(f"{name} must be between 8 and 63, got {value}")
    return value


def _bool(env: dict, name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0 (true or false), got {raw!r}")


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_office_hours(text: str) -> tuple[time, time]:
    """``08:00-18:00`` -> (08:00, 18:00), Bangkok time."""
    start, sep, end = (text or "").replace(" ", "").partition("-")
    try:
        if not sep:
            raise ValueError(text)
        first, last = time.fromisoformat(start), time.fromisoformat(end)
    except ValueError as exc:
        raise ConfigError(f"COMPLAINTS_AUDIT_OFFICE_HOURS must look like 08:00-18:00, got {text!r}") from exc
    if first >= last:
        raise ConfigError(f"COMPLAINTS_AUDIT_OFFICE_HOURS must start before it ends, got {text!r}")
    return first, last


def parse_weekdays(text: str) -> frozenset[int]:
    """``mon-fri`` or ``mon,tue,sat`` -> weekday numbers (Monday = 0)."""
    days: set[int] = set()
    for part in (text or "").lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ConfigError(f"COMPLAINTS_AUDIT_OFFICE_DAYS must look like mon-fri or mon,tue,wed, got {text!r}")
        start, stop = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days.update(range(start, stop + 1) if start <= stop else [*range(start, 7), *range(0, stop + 1)])
    return frozenset(days)


def load_config(instance_path: str, env: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment."""
    env = dict(os.environ if env is None else env)
    mode = env.get("COMPLAINTS_ENV", "development")
    if mode not in ENVIRONMENTS:
        raise ConfigError(f"COMPLAINTS_ENV must be one of {', '.join(ENVIRONMENTS)}, got {mode!r}")
    instance = Path(instance_path)
    database_url = env.get("COMPLAINTS_DATABASE_URL") or f"sqlite:///{instance / 'complaints.db'}"
    keyring_path = env.get("COMPLAINTS_KEYRING") or str(instance / "keyring.json")
    production = mode == "production"
    return {
        "COMPLAINTS_ENV": mode,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "KEYRING_PATH": keyring_path,
        "TESTING": mode == "testing",
        # Sessions: the cookie only carries a random session id; the record lives in the database.
        "SESSION_COOKIE_NAME": "complaints_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_IDLE_MINUTES": _int(env, "COMPLAINTS_SESSION_IDLE_MINUTES", 15),
        "SESSION_ABSOLUTE_HOURS": _int(env, "COMPLAINTS_SESSION_ABSOLUTE_HOURS", 8),
        "REMEMBER_COOKIE_DURATION": 0,
        # Identity reveal and exports need a sign-in (or re-authentication) at most this old.
        "REAUTH_MINUTES": _int(env, "COMPLAINTS_REAUTH_MINUTES", 10),
        # TOTP second factor: mandatory in production, optional (each user may enrol) otherwise.
        "TOTP_REQUIRED": production or _bool(env, "COMPLAINTS_TOTP_REQUIRED", False),
        # The name the authenticator app shows; short and ASCII so the QR code stays easy to scan.
        "TOTP_ISSUER": env.get("COMPLAINTS_TOTP_ISSUER") or "BMA Complaints",
        # Per-address limit on failed sign-ins (passwords, codes, re-authentication), shared by all
        # workers through the database: this many failures within the window, then refusal until
        # the window has moved on.
        "SIGN_IN_FAILURES_PER_ADDRESS": _int(env, "COMPLAINTS_SIGN_IN_FAILURES_PER_ADDRESS", 20),
        "SIGN_IN_FAILURE_WINDOW_MINUTES": _int(env, "COMPLAINTS_SIGN_IN_FAILURE_WINDOW_MINUTES", 15),
        # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust
        # (0: none; then the client address is the connecting peer).
        "TRUSTED_PROXIES": _int(env, "COMPLAINTS_TRUSTED_PROXIES", 0),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session, which times out itself
        "WTF_CSRF_SSL_STRICT": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "BABEL_DEFAULT_LOCALE": "th",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Bangkok",
        "PAGE_SIZE": _int(env, "COMPLAINTS_PAGE_SIZE", 25),
        "SURVEY_PASS_PERCENT": _int(env, "COMPLAINTS_SURVEY_PASS_PERCENT", 80),
        "SURVEY_MIN_RESPONSES": _int(env, "COMPLAINTS_SURVEY_MIN_RESPONSES", 5),
        # Exports for outside the division show counts below this as "< k" (0 or 1: never).
        "SMALL_COUNT_THRESHOLD": _int(env, "COMPLAINTS_SMALL_COUNT_THRESHOLD", 5),
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        # Blind indexes: bits kept of each term / name hash. Fewer bits, more deliberate collisions
        # (a stolen index says less) and more candidates to decrypt and check per search.
        "SEARCH_TERM_BITS": _bits(env, "COMPLAINTS_SEARCH_TERM_BITS", 24),
        "SEARCH_NAME_BITS": _bits(env, "COMPLAINTS_SEARCH_NAME_BITS", 16),
        # Candidates decrypted and checked per search page at most (the newest; 12 pages of 25); beyond,
        # the page says the result is partial and asks for a narrower query. The limit bounds the time
        # of a broad search: at 100,000 cases 300 keep its p95 under 50 ms on 2 cores. A CSV export
        # of the results checks up to SEARCH_EXPORT_LIMIT.
        "SEARCH_VERIFY_LIMIT": _at_least_one(env, "COMPLAINTS_SEARCH_VERIFY_LIMIT", 300),
        "SEARCH_EXPORT_LIMIT": _at_least_one(env, "COMPLAINTS_SEARCH_EXPORT_LIMIT", 5000),
        # The audit log: a signed checkpoint every N entries or M minutes (0 turns that trigger off),
        # and the thresholds of the auditor's list of unusual access.
        "AUDIT_CHECKPOINT_ENTRIES": _int(env, "COMPLAINTS_AUDIT_CHECKPOINT_ENTRIES", 500),
        "AUDIT_CHECKPOINT_MINUTES": _int(env, "COMPLAINTS_AUDIT_CHECKPOINT_MINUTES", 60),
        "AUDIT_ALERT_VIEWS_PER_HOUR": _int(env, "COMPLAINTS_AUDIT_ALERT_VIEWS_PER_HOUR", 30),
        "AUDIT_ALERT_VIEWS_FACTOR": _int(env, "COMPLAINTS_AUDIT_ALERT_VIEWS_FACTOR", 3),
        "AUDIT_ALERT_BASELINE_DAYS": _int(env, "COMPLAINTS_AUDIT_ALERT_BASELINE_DAYS", 30),
        "AUDIT_ALERT_DENIED_PER_HOUR": _int(env, "COMPLAINTS_AUDIT_ALERT_DENIED_PER_HOUR", 3),
        "AUDIT_OFFICE_HOURS": parse_office_hours(env.get("COMPLAINTS_AUDIT_OFFICE_HOURS") or "08:00-18:00"),
        "AUDIT_OFFICE_DAYS": parse_weekdays(env.get("COMPLAINTS_AUDIT_OFFICE_DAYS") or "mon-fri"),
    }


def check_production(config: dict) -> None:
    """Refuse to start a production app on settings that are only fit for a laptop."""
    if config["COMPLAINTS_ENV"] != "production":
        return
    problems = []
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("session cookies must be Secure in production")
    if not config.get("TOTP_REQUIRED"):
        problems.append("the TOTP second factor must be required in production")
    keyring = Path(config["KEYRING_PATH"])
    if keyring.exists() and keyring.stat().st_mode & 0o077:
        problems.append(f"keyring {keyring} must not be readable by group or others (chmod 600)")
    if problems:
        raise ConfigError("unsafe production settings: " + "; ".join(problems))
