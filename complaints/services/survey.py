"""The satisfaction survey (the plan's level 5: users satisfied at 80 % or more).

Participation (who answered) and responses (what was answered) are written to separate tables that
share no key; comments are encrypted under the round's data key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from complaints.extensions import db
from complaints.models import (
    SurveyAnswer,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
    User,
    UserRole,
)
from complaints.models.survey import new_response_id
from complaints.services import audit_trail, vault
from complaints.services.errors import Invalid, NotFound
from complaints.thai import fiscal_year, fiscal_year_bounds

TABLE = "survey_rounds"
ANSWER_TABLE = "survey_answers"

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


class AlreadyAnswered(Exception):
    """The user has already answered this round."""


def create_round(actor: User | None, *, title_th: str, title_en: str, opens_on: date, closes_on: date,
                 eligible_roles: list[str] = (), questions=DEFAULT_QUESTIONS) -> SurveyRound:
    if closes_on < opens_on:
        raise Invalid({"closes_on": "วันปิดแบบสำรวจต้องไม่ก่อนวันเปิด"})
    survey_round = SurveyRound(
        title_th=title_th, title_en=title_en, opens_on=opens_on, closes_on=closes_on,
        eligible_roles=",".join(sorted(set(eligible_roles))),
        questions=[SurveyQuestion(position=i, kind=k, text_th=th, text_en=en, is_overall=overall)
                   for i, (k, th, en, overall) in enumerate(questions, start=1)],
    )
    db.session.add(survey_round)
    db.session.flush()
    vault.create_data_key(TABLE, str(survey_round.id))
    audit_trail.record(actor, "survey.round_create", object_type="survey_round", object_id=str(survey_round.id),
                       actor_name=None if actor else "cli", opens_on=opens_on, closes_on=closes_on)
    return survey_round


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


def _eligible(user: User, survey_round: SurveyRound) -> bool:
    roles = survey_round.eligible_role_set
    return not roles or bool(roles & user.roles)


def open_round_for(user: User, today: date) -> SurveyRound | None:
    rounds = db.session.scalars(
        select(SurveyRound).where(SurveyRound.opens_on <= today, SurveyRound.closes_on >= today)
        .order_by(SurveyRound.opens_on.desc(), SurveyRound.id.desc())
    )
    return next((r for r in rounds if _eligible(user, r)), None)


def has_answered(user: User, survey_round: SurveyRound) -> bool:
    return bool(db.session.scalar(select(exists().where(
        SurveyParticipation.round_id == survey_round.id, SurveyParticipation.user_id == user.id))))


def submit(user: User, round_id: int, answers: dict[int, str], today: date) -> None:
    """Record one anonymous response. ``answers`` maps question ids to the submitted text."""
    survey_round = db.session.get(SurveyRound, round_id)
    if survey_round is None or not survey_round.is_open(today) or not _eligible(user, survey_round):
        raise NotFound()
    errors: dict[str, str] = {}
    rows = []
    response_id = new_response_id()
    data_key = None
    for question in survey_round.questions:
        raw = (answers.get(question.id) or "").strip()
        answer = SurveyAnswer(response_id=response_id, question_id=question.id)
        if question.kind == "scale":
            if raw not in {"1", "2", "3", "4", "5"}:
                errors[f"q{question.id}"] = "กรุณาเลือกคะแนน 1-5"
                continue
            answer.score = int(raw)
        elif question.kind == "yes_no":
            if raw not in {"yes", "no"}:
                errors[f"q{question.id}"] = "กรุณาเลือก ใช่ หรือ ไม่ใช่"
                continue
            answer.yes = raw == "yes"
        else:
            if not raw:
                continue
            data_key = data_key or vault.load_data_key(TABLE, str(survey_round.id))
            answer.comment_ct = data_key.encrypt(raw[:4000], table=ANSWER_TABLE, column="comment_ct",
                                                 row_id=f"{response_id}/{question.id}")
        rows.append(answer)
    if errors:
        raise Invalid(errors)
    try:
        with db.session.begin_nested():
            db.session.add(SurveyParticipation(round_id=survey_round.id, user_id=user.id))
            db.session.flush()
    except IntegrityError as exc:
        raise AlreadyAnswered() from exc
    db.session.add(SurveyResponse(id=response_id, round_id=survey_round.id, answers=rows))
    db.session.flush()
    audit_trail.record(user, "survey.submit", object_type="survey_round", object_id=str(survey_round.id))


@dataclass
class QuestionResult:
    question: SurveyQuestion
    count: int = 0
    mean: float | None = None
    distribution: dict[int, int] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)


@dataclass
class RoundResults:
    survey_round: SurveyRound
    eligible: int
    respondents: int
    hidden: bool  # too few responses to show anything without pointing at a person
    questions: list[QuestionResult]
    mean_score: float | None
    satisfaction_percent: float | None  # mean score / 5 x 100 over every 1-5 answer
    overall_top_two_percent: float | None  # share answering 4 or 5 on overall satisfaction
    pass_percent: int

    @property
    def response_rate(self) -> float | None:
        return None if not self.eligible else 100.0 * self.respondents / self.eligible

    @property
    def passed(self) -> bool | None:
        if self.satisfaction_percent is None:
            return None
        return round(self.satisfaction_percent, 6) >= self.pass_percent


def eligible_count(survey_round: SurveyRound) -> int:
    query = select(func.count(func.distinct(User.id))).where(User.active.is_(True))
    if roles := survey_round.eligible_role_set:
        query = query.join(UserRole).where(UserRole.role.in_(sorted(roles)))
    return db.session.scalar(query)


def results(actor: User, survey_round: SurveyRound, *, pass_percent: int, min_responses: int) -> RoundResults:
    respondents = db.session.scalar(
        select(func.count()).select_from(SurveyResponse).where(SurveyResponse.round_id == survey_round.id))
    hidden = respondents < min_responses
    by_question = {q.id: QuestionResult(q) for q in survey_round.questions}
    all_scores: list[int] = []
    overall: list[int] = []
    if not hidden:
        answers = db.session.scalars(
            select(SurveyAnswer).join(SurveyResponse).where(SurveyResponse.round_id == survey_round.id))
        data_key = None
        for answer in answers:
            result = by_question[answer.question_id]
            if answer.score is not None:
                result.count += 1
                result.distribution[answer.score] = result.distribution.get(answer.score, 0) + 1
                all_scores.append(answer.score)
                if result.question.is_overall:
                    overall.append(answer.score)
            elif answer.yes is not None:
                result.count += 1
                result.distribution[int(answer.yes)] = result.distribution.get(int(answer.yes), 0) + 1
            elif answer.comment_ct is not None:
                data_key = data_key or vault.load_data_key(TABLE, str(survey_round.id))
                result.comments.append(data_key.decrypt(
                    answer.comment_ct, table=ANSWER_TABLE, column="comment_ct",
                    row_id=f"{answer.response_id}/{answer.question_id}"))
        for result in by_question.values():
            scores = [s for s, n in result.distribution.items() for _ in range(n)]
            if result.question.kind == "scale" and scores:
                result.mean = sum(scores) / len(scores)
            result.comments.sort()  # no order of submission
    mean = sum(all_scores) / len(all_scores) if all_scores else None
    audit_trail.record(actor, "survey.results", object_type="survey_round", object_id=str(survey_round.id))
    return RoundResults(
        survey_round=survey_round,
        eligible=eligible_count(survey_round),
        respondents=respondents,
        hidden=hidden,
        questions=list(by_question.values()),
        mean_score=mean,
        satisfaction_percent=None if mean is None else mean / 5 * 100,
        overall_top_two_percent=(100.0 * sum(1 for s in overall if s >= 4) / len(overall)) if overall else None,
        pass_percent=pass_percent,
    )


def rounds() -> list[SurveyRound]:
    return list(db.session.scalars(select(SurveyRound).order_by(SurveyRound.opens_on.desc(), SurveyRound.id.desc())))
