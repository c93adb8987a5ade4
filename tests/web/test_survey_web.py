"""The survey through the web: answer once, anonymously; results with the 80 % criterion."""

from sqlalchemy import func, select

from complaints.clock import today_bangkok
from complaints.extensions import db
from complaints.models import SurveyParticipation, SurveyResponse, SurveyRound
from tests.conftest import make_user


def _open_round(app):
    with app.app_context():
        from complaints.services import survey

        survey.ensure_default_round(today_bangkok())
        db.session.commit()
        survey_round = db.session.scalar(select(SurveyRound))
        return survey_round.id, [(q.id, q.kind) for q in survey_round.questions]


def _answers(questions, score):
    return {f"q{qid}": (str(score) if kind == "scale" else "ดีมาก") for qid, kind in questions}


def test_a_user_answers_once_and_the_banner_goes_away(app, client, auth, people):
    _, questions = _open_round(app)
    auth.login("inspector")
    assert "ขอเชิญตอบแบบสำรวจ" in client.get("/").get_data(as_text=True)
    response = auth.post("/survey", _answers(questions, 5))
    assert response.status_code == 302
    assert "ขอเชิญตอบแบบสำรวจ" not in client.get("/").get_data(as_text=True)
    assert "ท่านได้ตอบแบบสำรวจรอบนี้แล้ว" in client.get("/survey").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
        assert db.session.scalar(select(func.count()).select_from(SurveyParticipation)) == 1


def test_an_incomplete_answer_is_refused_and_nothing_is_stored(app, client, auth, people):
    _, questions = _open_round(app)
    auth.login("inspector")
    response = auth.post("/survey", {})
    assert response.status_code == 200 and "กรุณาเลือกคะแนน" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_results_show_the_satisfaction_percentage_against_80(app, client, auth, people):
    _, questions = _open_round(app)
    with app.app_context():
        for index in range(5):
            make_user(f"user{index}", ["inspector"], agencies=["1004"])
    for index, score in enumerate([5, 4, 4, 4, 3]):  # mean 4.0 -> exactly 80 %
        other = app.test_client()
        from tests.conftest import Auth

        helper = Auth(other)
        helper.login(f"user{index}")
        assert helper.post("/survey", _answers(questions, score)).status_code == 302
    auth.login("executive")
    page = client.get("/survey/results").get_data(as_text=True)
    assert "80.00 %" in page and "ผ่านเกณฑ์ร้อยละ 80" in page
    assert "4.00" in page


def test_results_are_hidden_below_the_minimum_and_refused_to_inspectors(app, client, auth, people):
    _open_round(app)
    auth.login("inspector")
    assert client.get("/survey/results").status_code == 403
    auth.logout()
    auth.login("admin")
    assert "ต้องมีผู้ตอบอย่างน้อย 5 คน" in client.get("/survey/results").get_data(as_text=True)
