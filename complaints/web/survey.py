"""Answering the satisfaction survey; its results, exports and printable report."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from complaints.clock import today_bangkok
from complaints.forms import ActionForm
from complaints.services import survey
from complaints.services.errors import Invalid, NotFound

bp = Blueprint("survey", __name__, url_prefix="/survey")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_filter("decimal")
def _decimal(value, places: int = 2) -> str:
    """An exact figure (Fraction) rounded half-up for display; "—" when there is none."""
    shown = survey.rounded(value, places)
    return "—" if shown is None else f"{shown:,}"


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
            survey.submit(current_user, open_round.id, answers, today_bangkok(),
                          batch_size=current_app.config["SURVEY_MIN_RESPONSES"])
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


def _chosen_round(rounds):
    """The round in ``?round=N``, else the latest one that has opened (else the latest one)."""
    chosen = request.args.get("round", "")
    if chosen:
        if not chosen.isdigit():
            raise NotFound()
        return survey.get_round(int(chosen))
    today = today_bangkok()
    return next((r for r in rounds if r.opens_on <= today), rounds[0] if rounds else None)


def _results(survey_round, purpose: str):
    config = current_app.config
    return survey.results(current_user, survey_round, pass_percent=config["SURVEY_PASS_PERCENT"],
                          min_responses=config["SURVEY_MIN_RESPONSES"], today=today_bangkok(), purpose=purpose)


def _computed(survey_round):
    config = current_app.config
    return survey.compute(survey_round, pass_percent=config["SURVEY_PASS_PERCENT"],
                          min_responses=config["SURVEY_MIN_RESPONSES"], today=today_bangkok())


@bp.get("/results")
def results():
    rounds = survey.rounds()
    survey_round = _chosen_round(rounds)
    outcome = _results(survey_round, "view") if survey_round is not None else None
    return render_template("survey/results.html", rounds=rounds, survey_round=survey_round, results=outcome)


@bp.get("/results/print")
def report():
    survey_round = _chosen_round(survey.rounds())
    if survey_round is None:
        raise NotFound()
    return render_template("survey/report.html", survey_round=survey_round, results=_results(survey_round, "print"),
                           today=today_bangkok())


def _download(fmt: str):
    survey_round = _chosen_round(survey.rounds())
    if survey_round is None:
        raise NotFound()
    outcome = _computed(survey_round)
    try:
        if fmt == "csv":
            body, mimetype = survey.export_csv(current_user, outcome), "text/csv; charset=utf-8"
        else:
            body, mimetype = survey.export_xlsx(current_user, outcome, today_bangkok()), XLSX
    except survey.HiddenResults:
        flash(_("ยังส่งออกผลไม่ได้ ต้องมีคำตอบอย่างน้อย %(n)s ชุดก่อน เพื่อไม่ให้ระบุตัวผู้ตอบได้",
                n=outcome.min_responses), "info")
        return redirect(url_for("survey.results", round=survey_round.id))
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=survey-{survey_round.id}-results.{fmt}"})


@bp.get("/results.csv")
def results_csv():
    return _download("csv")


@bp.get("/results.xlsx")
def results_xlsx():
    return _download("xlsx")
