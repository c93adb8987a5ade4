"""Answering the satisfaction survey and reading its results."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from complaints.clock import today_bangkok
from complaints.extensions import db
from complaints.forms import ActionForm
from complaints.models import SurveyRound
from complaints.services import survey
from complaints.services.errors import Invalid, NotFound

bp = Blueprint("survey", __name__, url_prefix="/survey")


@bp.route("", methods=["GET", "POST"])
def answer():
    open_round = survey.open_round_for(current_user, today_bangkok())
    if open_round is None:
        return render_template("survey/closed.html")
    if survey.has_answered(current_user, open_round):
        return render_template("survey/thanks.html", survey_round=open_round)
    form = ActionForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        answers = {q.id: request.form.get(f"q{q.id}", "") for q in open_round.questions}
        try:
            survey.submit(current_user, open_round.id, answers, today_bangkok())
        except survey.AlreadyAnswered:
            flash(_("ท่านตอบแบบสำรวจรอบนี้แล้ว"), "info")
            return redirect(url_for("survey.answer"))
        except Invalid as exc:
            errors = exc.errors
        else:
            flash(_("ขอบคุณที่ตอบแบบสำรวจ คำตอบของท่านถูกบันทึกโดยไม่ระบุตัวตน"), "success")
            return redirect(url_for("survey.answer"))
    return render_template("survey/answer.html", survey_round=open_round, form=form, errors=errors,
                           submitted=request.form)


@bp.get("/results")
def results():
    rounds = survey.rounds()
    chosen = request.args.get("round", "")
    survey_round = db.session.get(SurveyRound, int(chosen)) if chosen.isdigit() else (rounds[0] if rounds else None)
    if chosen and survey_round is None:
        raise NotFound()
    outcome = None
    if survey_round is not None:
        outcome = survey.results(current_user, survey_round,
                                 pass_percent=current_app.config["SURVEY_PASS_PERCENT"],
                                 min_responses=current_app.config["SURVEY_MIN_RESPONSES"])
    return render_template("survey/results.html", rounds=rounds, survey_round=survey_round, results=outcome,
                           min_responses=current_app.config["SURVEY_MIN_RESPONSES"])
