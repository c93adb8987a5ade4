"""CSV and XLSX exports of a round's results, for the evaluators. Every export is audited.

CSV (UTF-8 with BOM): one row per question and a last row ``question_no = all`` with the pooled figures
and the verdict. XLSX: a summary sheet with the round's dates in the Buddhist era and the method, the
same per-question table, the anonymous answer sets (scores only, sorted, so that anyone can recompute
every figure) and the comments.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from openpyxl.styles import Alignment

from complaints import exports
from complaints.models import User
from complaints.services import audit_trail
from complaints.services.survey.results import RoundResults, rounded

RESULT_COLUMNS = [
    "round_id", "round_title", "opens_on", "closes_on", "question_no", "kind", "question_th", "question_en",
    "answers", "mean", "sd", "percent", "level", "score_1", "score_2", "score_3", "score_4", "score_5",
    "yes", "no", "top_two_percent", "pass_percent", "passed",
]


class HiddenResults(Exception):
    """Too few responses: nothing may be exported."""


def _text(value) -> str:
    return "" if value is None else str(value)


def _result_rows(outcome: RoundResults) -> list[list]:
    survey_round = outcome.survey_round
    head = [survey_round.id, survey_round.title_th, survey_round.opens_on.isoformat(),
            survey_round.closes_on.isoformat()]
    rows = []
    for item in outcome.questions:
        q = item.question
        scale, yes_no = q.kind == "scale", q.kind == "yes_no"
        distribution = item.distribution
        rows.append(head + [
            item.number, q.kind, q.text_th, q.text_en, item.count,
            _text(rounded(item.mean)) if scale else "", _text(item.sd) if scale else "",
            _text(rounded(item.percent)) if scale or yes_no else "",
            item.level[1] if item.level else "",
            *([distribution[s] for s in range(1, 6)] if scale else [""] * 5),
            item.yes if yes_no else "", item.no if yes_no else "",
            _text(rounded(outcome.overall_top_two_percent)) if q.is_overall and scale else "", "", "",
        ])
    rows.append(head + [
        "all", "scale", "ทุกข้อที่เป็นคะแนน 1-5", "All 1-5 questions", len(outcome.all_scores),
        _text(rounded(outcome.mean_score)), _text(outcome.sd), _text(rounded(outcome.satisfaction_percent)),
        outcome.level[1] if outcome.level else "",
        *[outcome.all_scores.count(s) for s in range(1, 6)], "", "",
        _text(rounded(outcome.overall_top_two_percent)), outcome.pass_percent,
        {True: "yes", False: "no", None: ""}[outcome.passed],
    ])
    return rows


def _check(outcome: RoundResults) -> None:
    if outcome.hidden:
        raise HiddenResults()


def export_csv(actor: User, outcome: RoundResults) -> bytes:
    _check(outcome)
    rows = _result_rows(outcome)
    body = exports.csv_bytes(RESULT_COLUMNS, rows)
    _record(actor, outcome, "csv", len(rows))
    return body


def export_xlsx(actor: User, outcome: RoundResults, today: date) -> bytes:
    _check(outcome)
    workbook = exports.workbook()
    summary = workbook.active
    summary.title = _("สรุป")
    _summary_sheet(summary, outcome, today)

    table = workbook.create_sheet(_("รายข้อ"))
    exports.append(table, [_("ข้อ"), _("ชนิด"), _("คำถาม"), _("คำถาม (อังกฤษ)"), _("จำนวนตอบ"), _("ค่าเฉลี่ย"), "S.D.",
                  _("ร้อยละ"), _("ระดับ"), "1", "2", "3", "4", "5", _("ใช่"), _("ไม่ใช่"), _("ร้อยละตอบ 4-5"),
                  _("เกณฑ์ร้อยละ"), _("ผ่านเกณฑ์")])
    for row in _result_rows(outcome):
        exports.append(table, row[4:])

    # One row per response, scores and yes/no only, sorted: enough to recompute every figure, no order.
    numbered = [item for item in outcome.questions if item.question.kind in ("scale", "yes_no")]
    sets = workbook.create_sheet(_("คำตอบรายชุด"))
    exports.append(sets, [_("ข้อ %(n)s", n=item.number) for item in numbered])
    lines = []
    for response in outcome.responses:
        line = []
        for item in numbered:
            value = response.get(item.question.id)
            line.append("" if value is None else ({True: "yes", False: "no"}[value] if isinstance(value, bool)
                                                   else value))
        lines.append(line)
    for line in sorted(lines, key=lambda values: [str(v) for v in values]):
        exports.append(sets, line)

    comments = workbook.create_sheet(_("ข้อเสนอแนะ"))
    exports.append(comments, [_("ข้อ"), _("คำถาม"), _("ข้อความ")])
    for item in outcome.questions:
        for text in item.comments:
            exports.append(comments, [item.number, item.question.text_th, text])

    for sheet in workbook.worksheets:
        exports.bold_row(sheet)
    body = exports.xlsx_bytes(workbook)
    _record(actor, outcome, "xlsx", len(outcome.questions) + 1)
    return body


def _summary_sheet(sheet, outcome: RoundResults, today: date) -> None:
    survey_round = outcome.survey_round
    verdict = {True: _("ผ่านเกณฑ์"), False: _("ไม่ผ่านเกณฑ์"), None: "—"}[outcome.passed]
    period = f"{exports.be_date(survey_round.opens_on, 'long')} – {exports.be_date(survey_round.closes_on, 'long')}"
    rows = [
        (_("รอบการสำรวจ"), survey_round.title_th),
        (_("ช่วงเวลาสำรวจ"), period),
        (_("สถานะ"), {"upcoming": _("ยังไม่เปิด"), "open": _("เปิดอยู่ (ผลระหว่างสำรวจ)"),
                      "closed": _("ปิดแล้ว (ผลสุดท้าย)")}[outcome.status]),
        (_("ผู้มีสิทธิ์ตอบ (คน)"), outcome.eligible),
        (_("ผู้ตอบแล้ว (คน)"), outcome.respondents),
        (_("อัตราการตอบกลับ (ร้อยละ)"), _text(rounded(outcome.response_rate))),
        (_("คำตอบที่นำมาคำนวณ (ชุด)"), outcome.included),
        (_("คะแนนเฉลี่ยทุกข้อ (เต็ม 5)"), _text(rounded(outcome.mean_score))),
        ("S.D.", _text(outcome.sd)),
        (_("ร้อยละความพึงพอใจ (คะแนนเฉลี่ย ÷ 5 × 100)"), _text(rounded(outcome.satisfaction_percent))),
        (_("ระดับความพึงพอใจ"), outcome.level[1] if outcome.level else "—"),
        (_("ร้อยละผู้ตอบ 4 หรือ 5 ในข้อความพึงพอใจโดยรวม"), _text(rounded(outcome.overall_top_two_percent))),
        (_("เกณฑ์ (ร้อยละ)"), outcome.pass_percent),
        (_("ผลการประเมิน"), verdict),
        (_("วิธีคำนวณ"), _("ร้อยละความพึงพอใจ = คะแนนเฉลี่ยของทุกคำตอบแบบ 1-5 ÷ 5 × 100 "
                           "ตัดสินผ่านเกณฑ์จากค่าที่ยังไม่ปัดเศษ ตัวเลขที่แสดงปัดทศนิยม 2 ตำแหน่ง (ปัดครึ่งขึ้น)")),
        (_("วันที่ออกรายงาน"), exports.be_date(today, "long")),
    ]
    for label, value in rows:
        exports.append(sheet, [label, value])
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 70
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _record(actor: User, outcome: RoundResults, fmt: str, rows: int) -> None:
    audit_trail.record(actor, "survey.export", object_type="survey_round", object_id=str(outcome.survey_round.id),
                       format=fmt, rows=rows, included=outcome.included)
