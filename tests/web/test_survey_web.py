"""The survey through the browser: administering rounds, answering, results, exports, the printed report."""

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from complaints.clock import today_bangkok
from complaints.extensions import db
from complaints.models import SurveyParticipation, SurveyQuestion, SurveyRound
from complaints.services import survey
from complaints.thai import format_date
from tests.conftest import audit_rows, csrf_token
from tests.survey_support import QUESTIONS, answer, open_round, question_ids, users

ANSWERS = [[5, 4, 5, "yes", "ดีมาก"], [4, 4, 4, "yes", None], [3, 4, 4, "no", "ช้า"], [4, 3, 4, "yes", None],
           [4, 5, 3, "no", None]]


def _answered_round(app, answers=ANSWERS, *, closed=True):
    """A round answered by len(answers) users; closed (all answers counted) unless told otherwise."""
    with app.app_context():
        round_id = open_round()
        for person, values in zip(users(len(answers)), answers, strict=True):
            answer(person, round_id, values)
        if closed:
            survey_round = db.session.get(SurveyRound, round_id)
            survey_round.closes_on = today_bangkok() - timedelta(days=1)
            db.session.commit()
        return round_id


def _be(day) -> str:
    return format_date(day, "numeric")


# -- administration -----------------------------------------------------------------------------

def test_admin_creates_a_round_in_buddhist_era_dates_with_the_default_questionnaire(app, client, auth, people):
    auth.login("admin")
    page = client.get("/admin/survey/new").get_data(as_text=True)
    assert "ความพึงพอใจโดยรวมต่อฐานข้อมูล" in page  # the default Thai questionnaire is shown
    assert 'value="' + _be(today_bangkok()) + '"' in page  # opening date pre-filled in B.E.
    response = auth.post("/admin/survey/new", {
        "title_th": "สำรวจความพึงพอใจ ปีงบประมาณ 2566", "title_en": "FY 2566 survey",
        "opens_on": "01/06/2566", "closes_on": "15 ก.ค. 2566", "eligible_roles": ["inspector", "executive"],
        "source": "",
    }, form_url="/admin/survey/new")
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalars(select(SurveyRound).where(SurveyRound.title_en == "FY 2566 survey")).one()
        assert (created.opens_on.isoformat(), created.closes_on.isoformat()) == ("2023-06-01", "2023-07-15")
        assert created.eligible_role_set == {"inspector", "executive"}
        assert [q.text_th for q in created.questions] == [q[1] for q in survey.DEFAULT_QUESTIONS]
        assert sum(q.is_overall for q in created.questions) == 1
        entry = audit_rows(action="survey.round_create")[-1]
        assert entry["actor_id"] == people["admin"].id and entry["object_id"] == str(created.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "01/06/2566" in page and "15/07/2566" in page


def test_round_form_errors_are_thai_and_keep_what_was_typed(app, client, auth, people):
    auth.login("admin")
    response = auth.post("/admin/survey/new", {
        "title_th": "รอบที่วันผิด", "opens_on": "31/02/2566", "closes_on": "01/01/2566", "source": "",
    }, form_url="/admin/survey/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "ไม่มีวันที่" in page and "รอบที่วันผิด" in page
    response = auth.post("/admin/survey/new", {
        "title_th": "รอบกลับวัน", "opens_on": "01/06/2566", "closes_on": "01/05/2566", "source": "",
    }, form_url="/admin/survey/new")
    assert "วันปิดแบบสำรวจต้องไม่ก่อนวันเปิด" in response.get_data(as_text=True)
    with app.app_context():
        assert not audit_rows(action="survey.round_create")


def test_admin_edits_questions_of_all_three_kinds_and_every_change_is_audited(app, client, auth, people):
    with app.app_context():
        round_id = open_round()
        first, second = question_ids(round_id)[:2]
    auth.login("admin")
    base = f"/admin/survey/{round_id}"
    assert auth.post(f"{base}/questions/new", {"kind": "yes_no", "text_th": "ท่านเคยใช้การค้นหาด้วยคำหรือไม่",
                                               "text_en": "Have you searched by keyword?"}).status_code == 302
    assert auth.post(f"{base}/questions/{first}", {"kind": "scale", "text_th": "ใช้งานง่ายมาก",
                                                   "text_en": "Very easy", "is_overall": "y"}).status_code == 302
    assert auth.post(f"{base}/questions/{second}/move", {"direction": "up"}, form_url=base).status_code == 302
    assert auth.post(f"{base}/questions/{second}/delete", {}, form_url=base).status_code == 302
    refused = auth.post(f"{base}/questions/new", {"kind": "text", "text_th": "ความเห็น", "is_overall": "y"})
    assert "ต้องเป็นคำถามแบบคะแนน 1-5" in refused.get_data(as_text=True)
    with app.app_context():
        questions = db.session.get(SurveyRound, round_id).questions
        assert [q.position for q in questions] == list(range(1, len(questions) + 1))
        assert second not in [q.id for q in questions]
        assert questions[0].text_th == "ใช้งานง่ายมาก" and questions[0].is_overall
        assert [q.id for q in questions if q.is_overall] == [first]  # the old overall question lost the mark
        assert questions[-1].kind == "yes_no"
        actions = [r["action"] for r in audit_rows(object_id=str(round_id)) if r["action"].startswith("survey.q")]
        assert actions == ["survey.question_create", "survey.question_update", "survey.question_move",
                           "survey.question_delete"]
        assert all(r["actor_id"] == people["admin"].id for r in audit_rows(action="survey.question_update"))


def test_questions_are_locked_once_anybody_answered(app, client, auth, people):
    with app.app_context():
        round_id = open_round()
        (person,) = users(1)
        answer(person, round_id, ANSWERS[0])
        first = question_ids(round_id)[0]
    auth.login("admin")
    page = client.get(f"/admin/survey/{round_id}").get_data(as_text=True)
    assert "แก้ไขคำถามไม่ได้" in page and "เพิ่มคำถาม</a>" not in page
    response = auth.post(f"/admin/survey/{round_id}/questions/{first}",
                         {"kind": "scale", "text_th": "คำถามที่ถูกเปลี่ยน", "text_en": ""})
    assert response.status_code == 200 and "แก้ไขคำถามไม่ได้" in response.get_data(as_text=True)
    auth.post(f"/admin/survey/{round_id}/questions/{first}/delete", {}, form_url=f"/admin/survey/{round_id}")
    auth.post(f"/admin/survey/{round_id}/delete", {}, form_url=f"/admin/survey/{round_id}")
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        assert survey_round is not None and survey_round.questions[0].text_th == QUESTIONS[0][1]
        assert len(survey_round.questions) == len(QUESTIONS)
        assert not audit_rows(action="survey.question_update") and not audit_rows(action="survey.round_delete")


def test_a_closed_round_with_answers_cannot_be_reopened(app, client, auth, people):
    round_id = _answered_round(app)
    auth.login("admin")
    with app.app_context():
        opens, closes = db.session.get(SurveyRound, round_id).opens_on, db.session.get(SurveyRound, round_id).closes_on
    response = auth.post(f"/admin/survey/{round_id}", {
        "title_th": "รอบทดสอบ", "opens_on": "01/01/2560", "closes_on": _be(closes + timedelta(days=30)),
    })
    assert "แก้ไขวันที่และกลุ่มผู้มีสิทธิ์ตอบไม่ได้" in response.get_data(as_text=True)
    renamed = auth.post(f"/admin/survey/{round_id}", {
        "title_th": "รอบทดสอบ (แก้ชื่อ)", "title_en": "Renamed", "opens_on": _be(opens),
        "closes_on": _be(closes),
    })
    assert renamed.status_code == 302
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        assert survey_round.closes_on == closes and survey_round.title_th == "รอบทดสอบ (แก้ชื่อ)"
        assert audit_rows(action="survey.round_update")[-1]["details"] == (
            '{"closes_on":"' + closes.isoformat() + '","eligible_roles":"","fields":["title_en","title_th"],'
            '"opens_on":"' + opens.isoformat() + '"}')


def test_a_round_without_answers_can_be_deleted(app, client, auth, people):
    with app.app_context():
        round_id = open_round()
    auth.login("admin")
    assert auth.post(f"/admin/survey/{round_id}/delete", {}, form_url=f"/admin/survey/{round_id}").status_code == 302
    with app.app_context():
        assert db.session.get(SurveyRound, round_id) is None
        assert not db.session.scalars(select(SurveyQuestion).where(SurveyQuestion.round_id == round_id)).all()
        assert audit_rows(action="survey.round_delete")[0]["object_id"] == str(round_id)


@pytest.mark.parametrize("role", ["registrar", "inspector", "executive", "auditor"])
def test_only_admins_manage_rounds(app, client, auth, people, role):
    with app.app_context():
        round_id = open_round()
    auth.login(role)
    assert client.get("/admin/survey").status_code == 403
    assert client.post(f"/admin/survey/{round_id}/delete",
                       data={"csrf_token": csrf_token(client, "/")}).status_code == 403
    assert "/admin/survey" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SurveyRound, round_id) is not None
        denied = audit_rows(action="access.denied")
        assert len(denied) == 2 and all(d["actor_id"] == people[role].id for d in denied)


def test_round_changes_without_a_csrf_token_are_refused_and_audited(app, client, auth, people):
    with app.app_context():
        round_id = open_round()
    auth.login("admin")
    response = client.post(f"/admin/survey/{round_id}", data={
        "title_th": "ยึดรอบ", "opens_on": "01/01/2566", "closes_on": "01/02/2566"})
    assert response.status_code == 400
    assert client.post(f"/admin/survey/{round_id}/delete").status_code == 400
    with app.app_context():
        assert db.session.get(SurveyRound, round_id).title_th == "รอบทดสอบ"
        assert len(audit_rows(action="csrf.rejected")) == 2
        assert not audit_rows(action="survey.round_update")


def test_another_rounds_question_is_not_reachable_through_this_round(app, client, auth, people):
    with app.app_context():
        mine, other = open_round(), open_round()
        foreign = question_ids(other)[0]
    auth.login("admin")
    assert auth.post(f"/admin/survey/{mine}/questions/{foreign}/delete", {},
                     form_url=f"/admin/survey/{mine}").status_code == 404
    with app.app_context():
        assert foreign in question_ids(other)


# -- answering ----------------------------------------------------------------------------------

def test_banner_answer_once_and_errors_keep_what_was_typed(app, client, auth, people):
    with app.app_context():
        round_id = open_round()
        ids = question_ids(round_id)
    auth.login("inspector")
    assert "ขอเชิญตอบแบบสำรวจความพึงพอใจ" in client.get("/").get_data(as_text=True)
    incomplete = auth.post("/survey", {f"q{ids[0]}": "5", f"q{ids[4]}": "ความเห็นที่ต้องไม่หาย"})
    page = incomplete.get_data(as_text=True)
    assert incomplete.status_code == 200 and "กรุณาเลือกคะแนน 1-5" in page and "กรุณาเลือก ใช่ หรือ ไม่ใช่" in page
    assert "ความเห็นที่ต้องไม่หาย" in page and re.search(rf'name="q{ids[0]}" value="5" checked', page)
    data = {f"q{ids[0]}": "5", f"q{ids[1]}": "4", f"q{ids[2]}": "4", f"q{ids[3]}": "yes", f"q{ids[4]}": "ดี"}
    assert auth.post("/survey", data).status_code == 302
    assert "ขอเชิญตอบแบบสำรวจความพึงพอใจ" not in client.get("/").get_data(as_text=True)
    assert "ท่านได้ตอบแบบสำรวจรอบนี้แล้ว" in client.get("/survey").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(SurveyParticipation)).all()[0].user_id == people["inspector"].id
        submitted = audit_rows(action="survey.submit")
        assert len(submitted) == 1 and "ดี" not in submitted[0]["details"]


# -- results, exports, report -------------------------------------------------------------------

def test_results_page_shows_the_hand_computed_figures_and_charts(app, client, auth, people):
    round_id = _answered_round(app)
    auth.login("executive")
    page = client.get(f"/survey/results?round={round_id}").get_data(as_text=True)
    assert re.search(r'id="percent">80\.00<', page)
    assert re.search(r'id="mean">4\.00<', page) and re.search(r'id="top-two">80\.00 %<', page)
    assert "ผ่านเกณฑ์ร้อยละ 80" in page and "ไม่ผ่าน" not in page
    assert re.search(r'id="rate">[\d.]+ %', page) and re.search(r'id="included">5 ', page)
    assert "<svg" in page and "score-4" in page  # charts
    assert "ดีมาก" in page and "ช้า" in page  # comments
    assert " style=" not in page and "<script>" not in page  # the CSP allows neither
    with app.app_context():
        assert audit_rows(action="survey.results")[0]["actor_id"] == people["executive"].id


def test_results_below_the_minimum_show_no_figures_or_comments(app, client, auth, people):
    round_id = _answered_round(app, ANSWERS[:4])
    auth.login("admin")
    page = client.get(f"/survey/results?round={round_id}").get_data(as_text=True)
    assert 'id="hidden-note"' in page and "ดีมาก" not in page and 'id="percent"' not in page
    response = client.get(f"/survey/results.csv?round={round_id}")
    assert response.status_code == 302
    with app.app_context():
        assert not audit_rows(action="survey.export")


@pytest.mark.parametrize("role", ["registrar", "inspector", "auditor"])
def test_results_and_exports_are_for_admins_and_executives_only(app, client, auth, people, role):
    round_id = _answered_round(app)
    auth.login(role)
    for url in (f"/survey/results?round={round_id}", f"/survey/results.csv?round={round_id}",
                f"/survey/results.xlsx?round={round_id}", f"/survey/results/print?round={round_id}"):
        response = client.get(url)
        assert response.status_code == 403 and "ดีมาก" not in response.get_data(as_text=True)
    with app.app_context():
        assert len(audit_rows(action="access.denied")) == 4
        assert not audit_rows(action="survey.export") and not audit_rows(action="survey.results")


def test_csv_export_is_audited_and_reproduces_the_figures(app, client, auth, people):
    round_id = _answered_round(app)
    auth.login("executive")
    response = client.get(f"/survey/results.csv?round={round_id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    import csv

    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0]) == survey.export.RESULT_COLUMNS
    by_no = {r["question_no"]: r for r in rows}
    assert by_no["1"]["mean"] == "4.00" and by_no["1"]["sd"] == "0.71" and by_no["1"]["score_4"] == "3"
    assert by_no["3"]["top_two_percent"] == "80.00"
    assert by_no["4"]["yes"] == "3" and by_no["4"]["percent"] == "60.00"
    assert by_no["all"]["percent"] == "80.00" and by_no["all"]["passed"] == "yes"
    assert by_no["all"]["answers"] == "15" and by_no["all"]["pass_percent"] == "80"
    with app.app_context():
        export = audit_rows(action="survey.export")
        assert len(export) == 1 and '"format":"csv"' in export[0]["details"]
        assert export[0]["actor_id"] == people["executive"].id


def test_xlsx_export_has_summary_questions_answer_sets_and_comments(app, client, auth, people):
    round_id = _answered_round(app)
    auth.login("admin")
    response = client.get(f"/survey/results.xlsx?round={round_id}")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["สรุป", "รายข้อ", "คำตอบรายชุด", "ข้อเสนอแนะ"]
    summary = {row[0]: row[1] for row in workbook["สรุป"].iter_rows(values_only=True)}
    assert summary["ร้อยละความพึงพอใจ (คะแนนเฉลี่ย ÷ 5 × 100)"] == "80.00"
    assert summary["ผลการประเมิน"] == "ผ่านเกณฑ์"
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        assert format_date(survey_round.opens_on, "long") in summary["ช่วงเวลาสำรวจ"]
    sets = list(workbook["คำตอบรายชุด"].iter_rows(values_only=True))
    assert len(sets) == 6  # header and five anonymous answer sets
    scores = [v for row in sets[1:] for v in row[:3]]
    assert sum(scores) / len(scores) == 4  # anyone can recompute the mean from the sheet
    assert sorted(sets[1:]) == sets[1:]  # sorted: no order of submission
    comments = [row[2] for row in workbook["ข้อเสนอแนะ"].iter_rows(min_row=2, values_only=True)]
    assert sorted(comments) == sorted(["ดีมาก", "ช้า"])
    with app.app_context():
        assert '"format":"xlsx"' in audit_rows(action="survey.export")[0]["details"]


def test_printable_report_with_buddhist_era_dates(app, client, auth, people):
    round_id = _answered_round(app)
    auth.login("executive")
    page = client.get(f"/survey/results/print?round={round_id}").get_data(as_text=True)
    with app.app_context():
        survey_round = db.session.get(SurveyRound, round_id)
        period = f"{format_date(survey_round.opens_on, 'long')} – {format_date(survey_round.closes_on, 'long')}"
    assert period in page and str(survey_round.closes_on.year + 543) in page
    assert "รายงานผลการสำรวจความพึงพอใจ" in page and "ผลสุดท้าย" in page
    assert re.search(r'id="percent">80\.00<', page) and "ผ่านเกณฑ์" in page
    assert 'src="/static/js/survey-print.js"' in page and " style=" not in page
    with app.app_context():
        assert '"purpose":"print"' in audit_rows(action="survey.results")[0]["details"]


def test_interim_results_while_the_round_is_open(app, client, auth, people):
    round_id = _answered_round(app, ANSWERS + ANSWERS, closed=False)  # 10 answers, k = 5: 5 released
    auth.login("admin")
    page = client.get(f"/survey/results?round={round_id}").get_data(as_text=True)
    assert "ผลระหว่างสำรวจ" in page and re.search(r'id="included">5 ', page)
    assert re.search(r'id="respondents">10 ', page) and "อีก 5 คำตอบยังรอรวมเป็นชุด" in page


# -- the first survey tests (from main), adapted to the anonymising pool ------------------------

def _default_round(app):
    with app.app_context():
        survey.ensure_default_round(today_bangkok())
        db.session.commit()
        survey_round = db.session.scalar(select(SurveyRound))
        return survey_round.id, [(q.id, q.kind) for q in survey_round.questions]


def _form(questions, score):
    return {f"q{qid}": (str(score) if kind == "scale" else "ดีมาก") for qid, kind in questions}


def _count(model) -> int:
    return db.session.scalar(select(db.func.count()).select_from(model))


def test_a_user_answers_once_and_the_banner_goes_away(app, client, auth, people):
    from complaints.models import SurveyPendingResponse, SurveyResponse

    _, questions = _default_round(app)
    auth.login("inspector")
    assert "ขอเชิญตอบแบบสำรวจ" in client.get("/").get_data(as_text=True)
    assert auth.post("/survey", _form(questions, 5)).status_code == 302
    assert "ขอเชิญตอบแบบสำรวจ" not in client.get("/").get_data(as_text=True)
    again = auth.post("/survey", _form(questions, 1), form_url="/")  # a second try
    assert again.status_code == 200 and "ท่านได้ตอบแบบสำรวจรอบนี้แล้ว" in again.get_data(as_text=True)
    with app.app_context():
        assert _count(SurveyPendingResponse) + _count(SurveyResponse) == 1  # pooled until a batch is full
        assert _count(SurveyParticipation) == 1


def test_an_incomplete_answer_is_refused_and_nothing_is_stored(app, client, auth, people):
    from complaints.models import SurveyPendingResponse

    _default_round(app)
    auth.login("inspector")
    response = auth.post("/survey", {})
    assert response.status_code == 200 and "กรุณาเลือกคะแนน" in response.get_data(as_text=True)
    with app.app_context():
        assert _count(SurveyPendingResponse) == 0 and _count(SurveyParticipation) == 0


def test_results_through_the_browser_reach_exactly_80_percent(app, client, auth, people):
    from tests.conftest import Auth, make_user

    round_id, questions = _default_round(app)
    with app.app_context():
        for index in range(10):
            make_user(f"user{index}", ["inspector"], agencies=["1004"])
    for index, score in enumerate([5, 4, 4, 4, 3] * 2):  # mean 4.0 -> exactly 80 %
        helper = Auth(app.test_client())
        helper.login(f"user{index}")
        assert helper.post("/survey", _form(questions, score)).status_code == 302
    with app.app_context():  # close the round: every answer counts
        db.session.get(SurveyRound, round_id).closes_on = today_bangkok() - timedelta(days=1)
        db.session.commit()
    auth.login("executive")
    page = client.get("/survey/results").get_data(as_text=True)
    assert re.search(r'id="percent">80\.00<', page) and "ผ่านเกณฑ์ร้อยละ 80" in page
    assert re.search(r'id="mean">4\.00<', page) and re.search(r'id="included">10 ', page)


def test_results_are_hidden_below_the_minimum_and_refused_to_inspectors(app, client, auth, people):
    _default_round(app)
    auth.login("inspector")
    assert client.get("/survey/results").status_code == 403
    auth.logout()
    auth.login("admin")
    assert "อย่างน้อย 5 ชุดจึงจะแสดงผล" in client.get("/survey/results").get_data(as_text=True)
