"""Survey rounds and their questions, as administrators set them up.

Every change is audited. Once anybody has answered a round its questions are locked (results would
otherwise mix answers to different wordings); once a round has closed with answers its dates and
eligible roles are locked too (the published figures must not change, and reopening would let the
next view's difference single out the late answers). To ask something else, open a new round: it
can start from the questions of any earlier round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select

from complaints.extensions import db
from complaints.models import SurveyParticipation, SurveyQuestion, SurveyRound, User
from complaints.models.survey import QUESTION_KINDS
from complaints.services import audit_trail, vault
from complaints.services.errors import Invalid, NotFound
from complaints.thai import fiscal_year, fiscal_year_bounds
from complaints.vocabulary import ROLES

TABLE = "survey_rounds"
TITLE_MAX = 300
QUESTION_MAX = 1000

# The default questionnaire (Thai, with English): ease of use, speed, completeness and accuracy of
# the data, confidence in security, usefulness for inspection work, overall satisfaction, comments.
DEFAULT_QUESTIONS = [
    ("scale", "ระบบใช้งานง่าย เข้าใจได้โดยไม่ต้องมีผู้ช่วย", "The system is easy to use without help", False),
    ("scale", "ระบบทำงานรวดเร็ว ค้นหาและเปิดเรื่องได้ทันใจ", "The system is fast to search and open cases", False),
    ("scale", "ข้อมูลในฐานข้อมูลครบถ้วนและถูกต้อง", "The data in the register is complete and accurate", False),
    ("scale", "ท่านมั่นใจว่าระบบรักษาความลับและความปลอดภัยของข้อมูลได้",
     "I am confident the system keeps the data secret and secure", False),
    ("scale", "ฐานข้อมูลเป็นประโยชน์ต่อการตรวจราชการของท่าน", "The register is useful for my inspection work", False),
    ("scale", "ความพึงพอใจโดยรวมต่อฐานข้อมูลเรื่องลับ เรื่องร้องเรียน",
     "Overall satisfaction with the register", True),
    ("text", "ข้อเสนอแนะเพิ่มเติม", "Further comments and suggestions", False),
]


@dataclass
class RoundInput:
    title_th: str
    title_en: str
    opens_on: date | None
    closes_on: date | None
    eligible_roles: list[str]


@dataclass
class QuestionInput:
    kind: str
    text_th: str
    text_en: str
    is_overall: bool = False


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _check_round(values: RoundInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not _clean(values.title_th):
        errors["title_th"] = "กรุณาระบุชื่อรอบการสำรวจ (ภาษาไทย)"
    elif len(_clean(values.title_th)) > TITLE_MAX:
        errors["title_th"] = f"ชื่อรอบการสำรวจยาวได้ไม่เกิน {TITLE_MAX} ตัวอักษร"
    if len(_clean(values.title_en)) > TITLE_MAX:
        errors["title_en"] = f"ชื่อภาษาอังกฤษยาวได้ไม่เกิน {TITLE_MAX} ตัวอักษร"
    if values.opens_on is None:
        errors["opens_on"] = "กรุณาระบุวันเปิดแบบสำรวจ"
    if values.closes_on is None:
        errors["closes_on"] = "กรุณาระบุวันปิดแบบสำรวจ"
    elif values.opens_on is not None and values.closes_on < values.opens_on:
        errors["closes_on"] = "วันปิดแบบสำรวจต้องไม่ก่อนวันเปิด"
    if unknown := sorted(set(values.eligible_roles) - set(ROLES)):
        errors["eligible_roles"] = "ไม่รู้จักบทบาท: " + ", ".join(unknown)
    return errors


def _check_question(values: QuestionInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values.kind not in QUESTION_KINDS:
        errors["kind"] = "ชนิดคำถามต้องเป็น คะแนน 1-5, ใช่/ไม่ใช่ หรือข้อความ"
    if not _clean(values.text_th):
        errors["text_th"] = "กรุณาพิมพ์คำถามภาษาไทย"
    elif len(_clean(values.text_th)) > QUESTION_MAX:
        errors["text_th"] = f"คำถามยาวได้ไม่เกิน {QUESTION_MAX} ตัวอักษร"
    if len(_clean(values.text_en)) > QUESTION_MAX:
        errors["text_en"] = f"คำถามภาษาอังกฤษยาวได้ไม่เกิน {QUESTION_MAX} ตัวอักษร"
    if values.is_overall and values.kind != "scale":
        errors["is_overall"] = "คำถามความพึงพอใจโดยรวมต้องเป็นคำถามแบบคะแนน 1-5"
    return errors


def get_round(round_id: int) -> SurveyRound:
    survey_round = db.session.get(SurveyRound, round_id)
    if survey_round is None:
        raise NotFound()
    return survey_round


def rounds() -> list[SurveyRound]:
    return list(db.session.scalars(select(SurveyRound).order_by(SurveyRound.opens_on.desc(), SurveyRound.id.desc())))


def participant_count(survey_round: SurveyRound) -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyParticipation)
                             .where(SurveyParticipation.round_id == survey_round.id))


def has_answers(survey_round: SurveyRound) -> bool:
    return bool(db.session.scalar(select(exists().where(SurveyParticipation.round_id == survey_round.id))))


def questions_locked(survey_round: SurveyRound) -> bool:
    """Questions cannot change once anybody has answered."""
    return has_answers(survey_round)


def schedule_locked(survey_round: SurveyRound, today: date) -> bool:
    """Dates and eligible roles cannot change once the round has closed with answers."""
    return survey_round.closes_on < today and has_answers(survey_round)


def status(survey_round: SurveyRound, today: date) -> str:
    if today < survey_round.opens_on:
        return "upcoming"
    return "open" if today <= survey_round.closes_on else "closed"


def create_round(actor: User | None, *, title_th: str, title_en: str, opens_on: date, closes_on: date,
                 eligible_roles: list[str] = (), questions=DEFAULT_QUESTIONS) -> SurveyRound:
    """A new round with its questions (the default questionnaire unless given) and its data key."""
    values = RoundInput(title_th, title_en, opens_on, closes_on, list(eligible_roles))
    if errors := _check_round(values):
        raise Invalid(errors)
    survey_round = SurveyRound(
        title_th=_clean(title_th), title_en=_clean(title_en), opens_on=opens_on, closes_on=closes_on,
        eligible_roles=",".join(sorted(set(eligible_roles))),
        questions=[SurveyQuestion(position=i, kind=k, text_th=th, text_en=en, is_overall=overall)
                   for i, (k, th, en, overall) in enumerate(questions, start=1)],
    )
    db.session.add(survey_round)
    db.session.flush()
    vault.create_data_key(TABLE, str(survey_round.id))
    audit_trail.record(actor, "survey.round_create", object_type="survey_round", object_id=str(survey_round.id),
                       actor_name=None if actor else "cli", opens_on=opens_on, closes_on=closes_on,
                       eligible_roles=survey_round.eligible_roles, questions=len(survey_round.questions))
    return survey_round


def question_template(source: SurveyRound | None) -> list[tuple[str, str, str, bool]]:
    """The questions a new round starts from: those of ``source``, or the default questionnaire."""
    if source is None:
        return list(DEFAULT_QUESTIONS)
    return [(q.kind, q.text_th, q.text_en, q.is_overall) for q in source.questions]


def create_round_from(actor: User, values: RoundInput, source_round_id: int | None = None) -> SurveyRound:
    source = get_round(source_round_id) if source_round_id else None
    return create_round(actor, title_th=values.title_th, title_en=values.title_en, opens_on=values.opens_on,
                        closes_on=values.closes_on, eligible_roles=values.eligible_roles,
                        questions=question_template(source))


def update_round(actor: User, round_id: int, values: RoundInput, today: date) -> SurveyRound:
    survey_round = get_round(round_id)
    if errors := _check_round(values):
        raise Invalid(errors)
    roles = ",".join(sorted(set(values.eligible_roles)))
    changes = {
        "title_th": _clean(values.title_th), "title_en": _clean(values.title_en),
        "opens_on": values.opens_on, "closes_on": values.closes_on, "eligible_roles": roles,
    }
    changed = sorted(name for name, value in changes.items() if getattr(survey_round, name) != value)
    locked = {"opens_on", "closes_on", "eligible_roles"} & set(changed)
    if locked and schedule_locked(survey_round, today):
        raise Invalid({"": "รอบนี้ปิดแล้วและมีผู้ตอบแล้ว จึงแก้ไขวันที่และกลุ่มผู้มีสิทธิ์ตอบไม่ได้ "
                           "เพื่อไม่ให้ผลที่ประกาศแล้วเปลี่ยน หากต้องการสำรวจอีก กรุณาสร้างรอบใหม่"})
    if "opens_on" in changed and has_answers(survey_round):
        raise Invalid({"opens_on": "มีผู้ตอบรอบนี้แล้ว จึงเปลี่ยนวันเปิดไม่ได้"})
    if not changed:
        return survey_round
    for name in changed:
        setattr(survey_round, name, changes[name])
    db.session.flush()
    audit_trail.record(actor, "survey.round_update", object_type="survey_round", object_id=str(round_id),
                       fields=changed, opens_on=survey_round.opens_on, closes_on=survey_round.closes_on,
                       eligible_roles=survey_round.eligible_roles)
    return survey_round


def delete_round(actor: User, round_id: int) -> None:
    survey_round = get_round(round_id)
    if has_answers(survey_round):
        raise Invalid({"": "มีผู้ตอบรอบนี้แล้ว จึงลบไม่ได้ (ผลการสำรวจเป็นหลักฐานของการประเมิน)"})
    db.session.delete(survey_round)
    db.session.flush()
    vault.destroy_data_key(TABLE, str(round_id))
    audit_trail.record(actor, "survey.round_delete", object_type="survey_round", object_id=str(round_id))


def _editable(round_id: int) -> SurveyRound:
    survey_round = get_round(round_id)
    if questions_locked(survey_round):
        raise Invalid({"": "มีผู้ตอบรอบนี้แล้ว จึงแก้ไขคำถามไม่ได้ เพื่อไม่ให้ผลสำรวจปนกันระหว่างคำถามเก่าและใหม่ "
                           "หากต้องการเปลี่ยนคำถาม กรุณาสร้างรอบใหม่โดยเริ่มจากคำถามของรอบนี้"})
    return survey_round


def _question(survey_round: SurveyRound, question_id: int) -> SurveyQuestion:
    question = next((q for q in survey_round.questions if q.id == question_id), None)
    if question is None:
        raise NotFound()
    return question


def _set_overall(survey_round: SurveyRound, question: SurveyQuestion) -> None:
    """At most one question per round is the overall-satisfaction question."""
    for other in survey_round.questions:
        if other is not question:
            other.is_overall = False


def add_question(actor: User, round_id: int, values: QuestionInput) -> SurveyQuestion:
    survey_round = _editable(round_id)
    if errors := _check_question(values):
        raise Invalid(errors)
    position = max((q.position for q in survey_round.questions), default=0) + 1
    question = SurveyQuestion(position=position, kind=values.kind, text_th=_clean(values.text_th),
                              text_en=_clean(values.text_en), is_overall=values.is_overall)
    survey_round.questions.append(question)
    if values.is_overall:
        _set_overall(survey_round, question)
    db.session.flush()
    audit_trail.record(actor, "survey.question_create", object_type="survey_round", object_id=str(round_id),
                       question_id=question.id, kind=question.kind, is_overall=question.is_overall)
    return question


def update_question(actor: User, round_id: int, question_id: int, values: QuestionInput) -> SurveyQuestion:
    survey_round = _editable(round_id)
    question = _question(survey_round, question_id)
    if errors := _check_question(values):
        raise Invalid(errors)
    changes = {"kind": values.kind, "text_th": _clean(values.text_th), "text_en": _clean(values.text_en),
               "is_overall": values.is_overall}
    changed = sorted(name for name, value in changes.items() if getattr(question, name) != value)
    for name in changed:
        setattr(question, name, changes[name])
    if values.is_overall:
        _set_overall(survey_round, question)
    if changed:
        db.session.flush()
        audit_trail.record(actor, "survey.question_update", object_type="survey_round", object_id=str(round_id),
                           question_id=question.id, fields=changed)
    return question


def delete_question(actor: User, round_id: int, question_id: int) -> None:
    survey_round = _editable(round_id)
    question = _question(survey_round, question_id)
    survey_round.questions.remove(question)
    for position, other in enumerate(survey_round.questions, start=1):
        other.position = position
    db.session.flush()
    audit_trail.record(actor, "survey.question_delete", object_type="survey_round", object_id=str(round_id),
                       question_id=question_id)


def move_question(actor: User, round_id: int, question_id: int, step: int) -> None:
    """Move a question one place up (``step=-1``) or down (``step=1``)."""
    survey_round = _editable(round_id)
    ordered = list(survey_round.questions)
    question = _question(survey_round, question_id)
    index = ordered.index(question)
    target = index + (1 if step > 0 else -1)
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    db.session.flush()
    db.session.expire(survey_round, ["questions"])
    audit_trail.record(actor, "survey.question_move", object_type="survey_round", object_id=str(round_id),
                       question_id=question_id, position=target + 1)


def ensure_default_round(today: date) -> SurveyRound | None:
    """On a new installation, open one round running to the end of the current fiscal year."""
    if db.session.scalar(select(func.count()).select_from(SurveyRound)):
        return None
    year = fiscal_year(today)
    return create_round(
        None,
        title_th=f"แบบสำรวจความพึงพอใจผู้ใช้ฐานข้อมูลเรื่องลับ เรื่องร้องเรียน ปีงบประมาณ {year}",
        title_en=f"Satisfaction survey of the register's users, fiscal year {year}",
        opens_on=today, closes_on=fiscal_year_bounds(year)[1],
    )
