"""Administration of survey rounds and their questions."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from complaints.clock import today_bangkok
from complaints.services import survey
from complaints.services.errors import Invalid, NotFound
from complaints.survey_forms import QUESTION_KIND_LABELS, NewSurveyRoundForm, SurveyQuestionForm, SurveyRoundForm
from complaints.thai import fiscal_year, fiscal_year_bounds

bp = Blueprint("survey_admin", __name__, url_prefix="/admin/survey")


@bp.context_processor
def _labels():
    return {"kind_labels": QUESTION_KIND_LABELS}


def _show_errors(form, exc: Invalid) -> None:
    for name, message in exc.errors.items():
        if name and name in form:
            form[name].errors = list(form[name].errors) + [message]
        else:
            form.form_errors.append(message)


def _round_input(form: SurveyRoundForm) -> survey.RoundInput:
    return survey.RoundInput(title_th=form.title_th.data or "", title_en=form.title_en.data or "",
                             opens_on=form.opens_on.data, closes_on=form.closes_on.data,
                             eligible_roles=list(form.eligible_roles.data or []))


def _question_input(form: SurveyQuestionForm) -> survey.QuestionInput:
    return survey.QuestionInput(kind=form.kind.data, text_th=form.text_th.data or "",
                                text_en=form.text_en.data or "", is_overall=bool(form.is_overall.data))


@bp.get("")
def index():
    today = today_bangkok()
    rounds = [(r, survey.status(r, today), survey.participant_count(r)) for r in survey.rounds()]
    return render_template("survey_admin/index.html", rounds=rounds)


@bp.route("/new", methods=["GET", "POST"])
def new():
    today = today_bangkok()
    rounds = survey.rounds()
    form = NewSurveyRoundForm()
    form.source.choices = [("", _("แบบสอบถามมาตรฐาน (ค่าเริ่มต้น)"))] + [(str(r.id), r.title_th) for r in rounds]
    if request.method == "GET":
        year = fiscal_year(today + timedelta(days=1))
        form.title_th.data = f"แบบสำรวจความพึงพอใจผู้ใช้ฐานข้อมูลเรื่องลับ เรื่องร้องเรียน ปีงบประมาณ {year}"
        form.title_en.data = f"Satisfaction survey of the register's users, fiscal year {year}"
        form.opens_on.data = today
        form.closes_on.data = fiscal_year_bounds(year)[1]
    if form.validate_on_submit():
        source = int(form.source.data) if (form.source.data or "").isdigit() else None
        try:
            survey_round = survey.create_round_from(current_user, _round_input(form), source)
        except Invalid as exc:
            _show_errors(form, exc)
        else:
            flash(_("สร้างรอบการสำรวจแล้ว ตรวจทานคำถามด้านล่างก่อนวันเปิด"), "success")
            return redirect(url_for("survey_admin.edit", round_id=survey_round.id))
    return render_template("survey_admin/new.html", form=form, preview=survey.DEFAULT_QUESTIONS)


@bp.route("/<int:round_id>", methods=["GET", "POST"])
def edit(round_id: int):
    today = today_bangkok()
    survey_round = survey.get_round(round_id)
    form = SurveyRoundForm(obj=None if request.method == "POST" else survey_round)
    if request.method == "GET":
        form.eligible_roles.data = sorted(survey_round.eligible_role_set)
    if form.validate_on_submit():
        try:
            survey.update_round(current_user, round_id, _round_input(form), today)
        except Invalid as exc:
            _show_errors(form, exc)
        else:
            flash(_("บันทึกรอบการสำรวจแล้ว"), "success")
            return redirect(url_for("survey_admin.edit", round_id=round_id))
    return render_template(
        "survey_admin/edit.html", survey_round=survey_round, form=form, status=survey.status(survey_round, today),
        participants=survey.participant_count(survey_round), questions_locked=survey.questions_locked(survey_round),
        schedule_locked=survey.schedule_locked(survey_round, today),
    )


@bp.post("/<int:round_id>/delete")
def delete(round_id: int):
    try:
        survey.delete_round(current_user, round_id)
    except Invalid as exc:
        flash(" ".join(exc.errors.values()), "error")
        return redirect(url_for("survey_admin.edit", round_id=round_id))
    flash(_("ลบรอบการสำรวจแล้ว"), "success")
    return redirect(url_for("survey_admin.index"))


@bp.route("/<int:round_id>/questions/new", methods=["GET", "POST"])
def question_new(round_id: int):
    survey_round = survey.get_round(round_id)
    form = SurveyQuestionForm()
    if form.validate_on_submit():
        try:
            survey.add_question(current_user, round_id, _question_input(form))
        except Invalid as exc:
            _show_errors(form, exc)
        else:
            flash(_("เพิ่มคำถามแล้ว"), "success")
            return redirect(url_for("survey_admin.edit", round_id=round_id))
    return render_template("survey_admin/question.html", survey_round=survey_round, form=form, question=None,
                           locked=survey.questions_locked(survey_round))


@bp.route("/<int:round_id>/questions/<int:question_id>", methods=["GET", "POST"])
def question_edit(round_id: int, question_id: int):
    survey_round = survey.get_round(round_id)
    question = next((q for q in survey_round.questions if q.id == question_id), None)
    if question is None:
        raise NotFound()
    form = SurveyQuestionForm(obj=None if request.method == "POST" else question)
    if form.validate_on_submit():
        try:
            survey.update_question(current_user, round_id, question_id, _question_input(form))
        except Invalid as exc:
            _show_errors(form, exc)
        else:
            flash(_("บันทึกคำถามแล้ว"), "success")
            return redirect(url_for("survey_admin.edit", round_id=round_id))
    return render_template("survey_admin/question.html", survey_round=survey_round, form=form, question=question,
                           locked=survey.questions_locked(survey_round))


def _question_action(action, round_id: int, *args) -> None:
    try:
        action(current_user, round_id, *args)
    except Invalid as exc:
        flash(" ".join(exc.errors.values()), "error")


@bp.post("/<int:round_id>/questions/<int:question_id>/delete")
def question_delete(round_id: int, question_id: int):
    _question_action(survey.delete_question, round_id, question_id)
    return redirect(url_for("survey_admin.edit", round_id=round_id))


@bp.post("/<int:round_id>/questions/<int:question_id>/move")
def question_move(round_id: int, question_id: int):
    step = -1 if request.form.get("direction") == "up" else 1
    _question_action(survey.move_question, round_id, question_id, step)
    return redirect(url_for("survey_admin.edit", round_id=round_id, _anchor=f"q{question_id}"))
