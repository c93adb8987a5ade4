"""The HTTP layer: the only code that knows about requests, sessions and responses.

Every request passes the default-deny gate (``access.ENDPOINTS``); every request's work is
committed once, after the response is built and before it is sent, so that an audit entry that
cannot be written means no data goes out.
"""

from __future__ import annotations

import uuid

from flask import Flask, g, has_request_context, request, session

from complaints.web import errors, gate, templating


def select_locale() -> str:
    if not has_request_context():  # the command line and background jobs speak Thai
        return "th"
    return session.get("lang") if session.get("lang") in ("th", "en") else "th"


def register(app: Flask) -> None:
    from complaints.web import (
        account,
        admin,
        audit_log,
        auth,
        cases,
        identity,
        imports,
        main,
        reports,
        survey,
        survey_admin,
    )

    for module in (main, auth, account, cases, identity, reports, survey, admin, audit_log, imports, survey_admin):
        app.register_blueprint(module.bp)

    if proxies := app.config.get("TRUSTED_PROXIES"):
        # Behind gunicorn's proxy: the client address (rate limits, audit) and https come from it.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.before_request
    def _start():
        g.request_id = uuid.uuid4().hex
        g.audit_origin = gate.bind_audit_origin(g.request_id, request.remote_addr)

    gate.install(app)
    templating.install(app)
    errors.install(app)
