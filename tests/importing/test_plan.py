"""The preview: every row checked, every problem listed by row and column before anything is written."""

from datetime import date

from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Case
from complaints.services.importing import Mapping, build_plan, load_reference, read_source
from tests.conftest import make_user
from tests.importing.files import HEADER, csv_bytes, messy_register, row, simple_rows, xlsx_bytes


def plan_of(content: bytes, name: str = "file.xlsx", mapping: Mapping | None = None, actor=None):
    return build_plan(read_source(content, name), mapping or Mapping(), load_reference(actor))


def problems(plan, severity=None):
    return [(p.row, p.column, p.message) for p in plan.problems if severity in (None, p.severity)]


def test_messy_register_every_problem_is_listed_by_row_and_column(ctx):
    plan = plan_of(messy_register())
    assert plan.blocking == []
    by_row = {r.row: r for r in plan.rows}
    errors = problems(plan, "error")
    date_column = "วันที่รับเรื่อง (วว/ดด/ปปปป)"
    assert (8, date_column, "ไม่มีวันที่ “31/02/2564” ในปฏิทิน") in errors  # impossible date
    assert (11, "หน่วยงาน", "ไม่รู้จักหน่วยงาน “เขตเลิงนกทา”") in errors  # unknown agency
    assert (15, date_column, "วันที่รับเรื่อง 01/01/2599 อยู่ในอนาคต") in errors
    assert (16, "ผลการพิจารณา", "เรื่องที่มีผลสรุปหรือยุติแล้วต้องระบุผลสรุป") in errors
    assert len(errors) == 4
    infos = problems(plan, "info")
    assert (10, None, "หัวตารางซ้ำ ข้ามแถวนี้") in infos  # repeated header row
    assert (14, "เลขทะเบียนรับ", "ข้อมูลซ้ำกับแถว 13 ทุกช่อง จะนำเข้าเพียงครั้งเดียว") in infos  # duplicate row
    assert (17, None, "แถวสรุปยอด ข้ามแถวนี้") in infos
    assert any("แถว 3" in m and "หัวตาราง" in m for _r, _c, m in infos)  # the title above it is left out
    assert plan.counts() == {"rows": 11, "ready": 6, "invalid": 4, "duplicates_in_file": 1,
                             "already_present": 0, "warnings": 0, "blank_rows": 1, "header_rows": 1,
                             "summary_rows": 1}
    first = by_row[4].data  # trailing spaces trimmed; names of agencies written three ways
    assert (first.subject, first.agency_code, first.complainant_name) == ("ถนนชำรุด ซอยสีลม 3", "1004", "นายสมชาย ใจดี")
    assert by_row[5].data.anonymous is True and by_row[5].data.complainant_name is None  # ไม่ประสงค์ออกนาม
    assert by_row[6].data.received_date == date(2021, 2, 3)  # an Excel serial date
    assert by_row[9].data.agency_code == "1024" and by_row[9].data.category_code == "road"  # ฏ, Traffy set
    closed = by_row[12].data
    assert (closed.agency_code, closed.status, closed.outcome) == ("public-works", "closed", "substantiated")
    assert by_row[14].status == "duplicate" and by_row[13].status == "ready"


def test_an_agency_written_once_in_a_merged_cell_belongs_to_every_row_beside_it(ctx):
    rows = [["เลขทะเบียนรับ", "วันที่รับเรื่อง", "หน่วยงาน", "ประเภทเรื่อง", "เรื่อง"],
            ["1/2564", "15/01/2564", "เขตดุสิต", "ถนน", "ก"], ["2/2564", "16/01/2564", None, "ขยะ", "ข"],
            ["3/2564", "17/01/2564", None, "ถนน", "ค"], ["4/2564", "18/01/2564", "เขตบางรัก", "ถนน", "ง"]]
    plan = plan_of(xlsx_bytes({"S": rows}, merges={"S": ["C2:C4"]}))
    assert [r.data.agency_code for r in plan.rows] == ["1002", "1002", "1002", "1004"]


def test_the_same_register_as_tis620_csv_with_trailing_spaces(ctx):
    rows = [HEADER, row(1, "1/2564 ", " 15/01/2564", " เขตบางรัก  ", "ถนน ", "ถนนชำรุด  ")]
    plan = plan_of(csv_bytes(rows, "cp874"), "old.csv")
    assert plan.encoding == "TIS-620 / Windows-874"
    [only] = plan.rows
    assert only.status == "ready" and only.register_no == "1/2564" and only.data.agency_code == "1004"


def test_same_register_number_with_different_content_blocks_both_rows(ctx):
    rows = [HEADER, row(1, "5/2564", "15/01/2564", "เขตบางรัก", "ถนน", "หนึ่ง"),
            row(2, "5/2564", "16/01/2564", "เขตบางรัก", "ถนน", "สอง")]
    plan = plan_of(csv_bytes(rows), "a.csv")
    assert [r.status for r in plan.rows] == ["invalid", "invalid"]
    assert {(p.row, p.message) for p in plan.problems_of("error")} == {
        (2, "เลขทะเบียนรับ 5/2564 ปีงบประมาณ 2564 ซ้ำกับแถว 3 แต่ข้อมูลต่างกัน"),
        (3, "เลขทะเบียนรับ 5/2564 ปีงบประมาณ 2564 ซ้ำกับแถว 2 แต่ข้อมูลต่างกัน")}


def test_value_mapping_and_defaults_chosen_by_the_registrar_fix_rows(ctx):
    mapping = Mapping(values={"agency": {"เขตเลิงนกทา": "1001"}}, defaults={"closed_outcome": "terminated"})
    plan = plan_of(messy_register(), mapping=mapping)
    by_row = {r.row: r for r in plan.rows}
    assert by_row[11].status == "ready" and by_row[11].data.agency_code == "1001"
    assert by_row[16].status == "ready" and by_row[16].data.outcome == "terminated"
    assert (16, "ผลการพิจารณา", "ไม่ระบุผลสรุป ใช้ค่าเริ่มต้น “ยุติเรื่อง”") in problems(plan, "warning")
    assert plan.unknown_values == {}


def test_unknown_values_are_collected_for_the_mapping_form(ctx):
    plan = plan_of(messy_register())
    assert dict(plan.unknown_values["agency"]) == {"เขตเลิงนกทา": 1}


def test_a_column_chosen_by_hand_wins_and_a_required_column_left_out_blocks(ctx):
    plan = plan_of(messy_register(), mapping=Mapping(columns={"วันที่รับเรื่อง": ""}))
    assert plan.blocking == ["ยังไม่ได้เลือกคอลัมน์ “วันที่รับเรื่อง”"] and not plan.may_commit(True)
    plan = plan_of(messy_register(), mapping=Mapping(columns={"ลำดับ": "fiscal_year"}))
    assert plan.layout.columns["ลำดับ"].field == "fiscal_year"
    assert any("ปีงบประมาณในไฟล์" in m for _r, _c, m in problems(plan, "warning"))


def test_an_ambiguous_header_is_decided_by_its_values(ctx):
    rows = [["เลขทะเบียนรับ", "วันที่รับเรื่อง", "หน่วยงาน", "ประเภท", "หัวข้อ", "เรื่อง"],
            ["1/2564", "15/01/2564", "เขตบางรัก", "เรื่องลับ", "ทุจริต", "เรียกรับเงิน"],
            ["2/2564", "16/01/2564", "เขตบางรัก", "เรื่องร้องเรียน", "ถนน", "ถนนชำรุด"]]
    plan = plan_of(csv_bytes(rows), "a.csv")
    assert plan.layout.columns["ประเภท"].field == "kind"
    assert plan.layout.columns["หัวข้อ"].field == "category"
    assert [r.data.kind for r in plan.rows] == ["secret_matter", "complaint"]


def test_several_sheets_with_different_column_orders(ctx):
    sheet_2563 = [["วันที่รับเรื่อง", "เลขทะเบียนรับ", "หน่วยงาน", "เรื่อง"], ["15/11/2562", "1/2563", "เขตดุสิต", "ก"]]
    sheet_2564 = [["เลขทะเบียนรับ", "เรื่อง", "หน่วยงาน", "วันที่รับเรื่อง"], ["1/2564", "ข", "เขตดุสิต", "15/11/2563"]]
    notes = [["หมายเหตุการใช้แฟ้มนี้"], ["ไม่มีข้อมูล"]]
    plan = plan_of(xlsx_bytes({"2563": sheet_2563, "2564": sheet_2564, "อ่านก่อน": notes}))
    assert [(r.sheet, r.fiscal_year, r.register_no) for r in plan.rows] == [("2563", 2563, "1/2563"),
                                                                           ("2564", 2564, "1/2564")]
    assert any("อ่านก่อน" in p.message for p in plan.problems_of("info"))


def test_text_columns_are_joined_and_nothing_is_lost(ctx):
    rows = [["เลขทะเบียนรับ", "วันที่รับเรื่อง", "หน่วยงาน", "ประเภทเรื่อง", "รายละเอียด", "หมายเหตุ"],
            ["1/2564", "15/01/2564", "เขตบางรัก", "ถนน", "หลุมใหญ่\nหน้าตลาด", "แจ้งซ้ำครั้งที่สอง"]]
    [planned] = plan_of(csv_bytes(rows), "a.csv").rows
    assert planned.data.details == "หลุมใหญ่\nหน้าตลาด\nหมายเหตุ: แจ้งซ้ำครั้งที่สอง"
    assert planned.data.subject == "หลุมใหญ่"  # no subject column: the first line of the details


def test_rows_without_register_number_get_the_same_derived_number_every_time(ctx):
    rows = [["วันที่รับเรื่อง", "หน่วยงาน", "เรื่อง"], ["15/01/2564", "เขตบางรัก", "ก"], ["16/01/2564", "เขตบางรัก", "ข"]]
    first, second = plan_of(csv_bytes(rows), "a.csv"), plan_of(csv_bytes(rows, "cp874"), "b.csv")
    numbers = [r.register_no for r in first.rows]
    assert numbers == [r.register_no for r in second.rows] and len(set(numbers)) == 2
    assert all(n.startswith("IMP-") for n in numbers) and all(r.derived_no for r in first.rows)


def test_rows_already_in_the_register_are_reported_not_imported(ctx, people):
    from tests.conftest import make_case

    make_case(people["registrar"].load(), register_no="1/2564", received_date=date(2021, 1, 15))
    plan = plan_of(csv_bytes(simple_rows(2)), "a.csv")
    assert [r.status for r in plan.rows] == ["present", "ready"]
    assert "มีอยู่ในทะเบียนแล้ว" in plan.problems_of("info")[0].message


def test_a_registrar_imports_only_within_scope_and_clearance(ctx):
    clerk = make_user("clerk", ["registrar"], agencies=["1004"], clearance="confidential")
    rows = [HEADER + ["ชั้นความลับ"],
            row(1, "1/2564", "15/01/2564", "เขตบางรัก", "ถนน", "ในขอบเขต") + ["ลับ"],
            row(2, "2/2564", "15/01/2564", "เขตดุสิต", "ถนน", "นอกขอบเขต") + [""],
            row(3, "3/2564", "15/01/2564", "เขตบางรัก", "ถนน", "ลับมาก") + ["ลับมาก"]]
    plan = plan_of(csv_bytes(rows), "a.csv", actor=clerk)
    assert [r.status for r in plan.rows] == ["ready", "invalid", "invalid"]
    messages = [p.message for p in plan.problems_of("error")]
    assert "สำนักงานเขตดุสิต อยู่นอกขอบเขตหน่วยงานที่ท่านได้รับมอบหมาย" in messages
    assert any("ลับมาก" in m and "สูงกว่าระดับ" in m for m in messages)


def test_building_a_plan_writes_nothing(ctx):
    plan_of(messy_register())
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
