"""The survey's figures equal values computed by hand, including the 80 % edge."""

from decimal import Decimal
from fractions import Fraction

import pytest

from complaints.extensions import db
from complaints.services import survey
from tests.survey_support import after_close, answer, open_round, users

# Five responses: three 1-5 questions (the third is "overall"), yes/no, comment.
#   Q1: 5 4 3 4 4 -> 20/5 = 4.00    Q2: 4 4 4 3 5 -> 4.00    Q3 (overall): 5 4 4 4 3 -> 4.00
#   all 15 scores: 60/15 = 4.00 -> 4.00 / 5 x 100 = 80 % exactly -> pass at 80
#   overall 4 or 5: 4 of 5 = 80 %;  yes/no: 3 yes, 2 no = 60 %
#   S.D. (n-1): Q1 sqrt(2/4) = 0.71;  all: sqrt(6/14) = 0.65;  level of 4.00: มาก (3.41-4.20)
ANSWERS = [
    [5, 4, 5, "yes", "ดีมาก ใช้ง่าย"],
    [4, 4, 4, "yes", None],
    [3, 4, 4, "no", "ค้นหาช้าในช่วงเช้า"],
    [4, 3, 4, "yes", None],
    [4, 5, 3, "no", None],
]


def _figures(round_id, *, pass_percent=80, min_responses=5, today=None):
    from complaints.models import SurveyRound

    survey_round = db.session.get(SurveyRound, round_id)
    return survey.compute(survey_round, pass_percent=pass_percent, min_responses=min_responses,
                          today=today or after_close(round_id))


def _round_with(answers, batch_size=5):
    round_id = open_round()
    for person, values in zip(users(len(answers)), answers, strict=True):
        answer(person, round_id, values, batch_size=batch_size)
    return round_id


def test_figures_equal_hand_computed_values_at_exactly_80_percent(ctx):
    result = _figures(_round_with(ANSWERS))
    assert not result.hidden
    assert (result.respondents, result.included) == (5, 5)
    assert result.mean_score == Fraction(4)
    assert result.satisfaction_percent == Fraction(80)
    assert result.passed is True  # 80 % is "80 % or more"
    assert result.overall_top_two_percent == Fraction(80)
    assert result.sd == Decimal("0.65")
    assert result.level[0] == 4
    q1, q2, q3, yes_no, comments = result.questions
    assert q1.distribution == {1: 0, 2: 0, 3: 1, 4: 3, 5: 1}
    assert q2.distribution == {1: 0, 2: 0, 3: 1, 4: 3, 5: 1}
    assert (q1.mean, q2.mean, q3.mean) == (Fraction(4), Fraction(4), Fraction(4))
    assert q1.sd == Decimal("0.71")
    assert q1.percent == Fraction(80)
    assert (yes_no.yes, yes_no.no, yes_no.percent) == (3, 2, Fraction(60))
    assert sorted(comments.comments) == sorted(["ดีมาก ใช้ง่าย", "ค้นหาช้าในช่วงเช้า"])
    assert comments.count == 2


def test_one_point_less_fails(ctx):
    answers = [list(a) for a in ANSWERS]
    answers[4][0] = 3  # 59 / 15 = 3.9333 -> 78.666... %
    result = _figures(_round_with(answers))
    assert result.satisfaction_percent == Fraction(236, 3)
    assert survey.rounded(result.satisfaction_percent) == Decimal("78.67")
    assert result.passed is False
    assert _figures(result.survey_round.id, pass_percent=78).passed is True


def test_the_threshold_is_configurable_and_compared_exactly(ctx):
    round_id = _round_with(ANSWERS)
    assert _figures(round_id, pass_percent=81).passed is False
    assert _figures(round_id, pass_percent=80).passed is True


def test_exact_arithmetic_where_floats_would_round_the_wrong_way():
    # 0.7 / 5 * 100 in floats is 14.000000000000002; with fractions it is exactly 14.
    assert Fraction(7, 10) * 20 == 14
    assert survey.rounded(Fraction(8, 3)) == Decimal("2.67")
    assert survey.rounded(Fraction(4005, 1000)) == Decimal("4.01")  # half up, not half even
    assert survey.rounded(Fraction(4015, 1000)) == Decimal("4.02")


@pytest.mark.parametrize(("mean", "level"), [
    (Fraction(421, 100), 5), (Fraction(4205, 1000), 5), (Fraction(42, 10), 4), (Fraction(341, 100), 4),
    (Fraction(34, 10), 3), (Fraction(261, 100), 3), (Fraction(26, 10), 2), (Fraction(181, 100), 2),
    (Fraction(18, 10), 1), (Fraction(1), 1),
])
def test_interpretation_levels_follow_the_printed_mean(mean, level):
    from complaints.services.survey.results import level_of

    assert level_of(mean)[0] == level


def test_results_stay_hidden_below_the_minimum(ctx):
    round_id = _round_with(ANSWERS[:4])
    result = _figures(round_id)
    assert result.hidden and result.respondents == 4
    assert result.mean_score is None and result.satisfaction_percent is None and result.passed is None
    assert all(not q.comments and not q.scores for q in result.questions)
    assert not result.responses


def test_while_open_only_released_batches_count(ctx):
    round_id = open_round()
    people = users(5)
    for person, values in zip(people[:3], ANSWERS[:3], strict=True):
        answer(person, round_id, values, batch_size=2)
    from complaints.clock import today_bangkok

    interim = _figures(round_id, min_responses=2, today=today_bangkok())
    assert (interim.respondents, interim.included, interim.hidden) == (3, 0, True)
    answer(people[3], round_id, ANSWERS[3], batch_size=2)  # pool reaches 2k = 4: 2 are released
    interim = _figures(round_id, min_responses=2, today=today_bangkok())
    assert (interim.respondents, interim.included, interim.waiting, interim.hidden) == (4, 2, 2, False)
    answer(people[4], round_id, ANSWERS[4], batch_size=2)  # pool back to 3 < 4: nothing released
    assert _figures(round_id, min_responses=2, today=today_bangkok()).included == 2
    final = _figures(round_id, min_responses=2)
    assert (final.included, final.satisfaction_percent) == (5, Fraction(80))


def test_eligible_users_and_response_rate(ctx):
    round_id = open_round(roles=["inspector"])
    people = users(4)
    from tests.conftest import make_user

    make_user("someone_else", ["auditor"])  # not eligible
    for person in people[:2]:
        answer(person, round_id, ANSWERS[0])
    result = _figures(round_id)
    assert result.eligible == 4 and result.respondents == 2
    assert result.response_rate == Fraction(50)
    people[0].active = False  # a respondent disabled since still counts as eligible
    db.session.commit()
    assert _figures(round_id).eligible == 4


def test_results_view_is_audited(ctx, people):
    from tests.conftest import audit_rows

    round_id = _round_with(ANSWERS)
    from complaints.models import SurveyRound

    survey.results(people["executive"].load(), db.session.get(SurveyRound, round_id), pass_percent=80,
                   min_responses=5, today=after_close(round_id))
    db.session.commit()
    rows = audit_rows(action="survey.results")
    assert len(rows) == 1 and rows[0]["actor_id"] == people["executive"].id
