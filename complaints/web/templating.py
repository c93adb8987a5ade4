"""What templates can use: Thai dates, labels of codes, the user's capabilities, the survey banner."""

from __future__ import annotations

from flask import Flask, g, request, session, url_for
from flask_login import current_user

from complaints import access, vocabulary
from complaints.clock import to_bangkok, today_bangkok
from complaints.forms import ActionForm
from complaints.services import survey
from complaints.thai import format_date


def _thai_date(value, style: str = "short") -> str:
    return format_date(value, style)


def _thai_datetime(value) -> str:
    return format_date(to_bangkok(value), "datetime") if value else ""


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _survey_banner():
    if not current_user.is_authenticated or current_user.must_change_password:
        return None
    if "survey_banner" not in g:
        open_round = survey.open_round_for(current_user, today_bangkok())
        g.survey_banner = open_round if open_round and not survey.has_answered(current_user, open_round) else None
    return g.survey_banner


def _url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (for paging and sorting links)."""
    args = {**request.args.to_dict(), **(request.view_args or {}), **changes}
    return url_for(request.endpoint, **args)


def install(app: Flask) -> None:
    app.jinja_env.filters.update(
        thai_date=_thai_date,
        thai_datetime=_thai_datetime,
        number=_number,
    )
    app.jinja_env.globals.update(label=vocabulary.label, vocab=vocabulary, url_with=_url_with)

    @app.context_processor
    def _context():
        return {
            "can": lambda capability: access.can(current_user, capability),
            "action_form": ActionForm(),
            "lang": session.get("lang", "th"),
            "survey_banner": _survey_banner,
        }
