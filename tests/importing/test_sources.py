"""Reading files as offices save them: encodings, delimiters, sheets, merged cells."""

from datetime import datetime

import pytest

from complaints.services.importing import SourceTable, UnreadableFile, read_source
from tests.importing.files import csv_bytes, xlsx_bytes

ROWS = [["เลขทะเบียนรับ", "วันที่รับเรื่อง", "หน่วยงาน", "เรื่อง"],
        ["1/2564", "15/01/2564", "เขตราษฎร์บูรณะ", "ถนนชำรุด"]]


@pytest.mark.parametrize("encoding, bom, expected", [
    ("utf-8", False, "UTF-8"), ("utf-8", True, "UTF-8 (มี BOM)"), ("cp874", False, "TIS-620 / Windows-874"),
    ("tis-620", False, "TIS-620 / Windows-874"), ("utf-16", False, "UTF-16"),
])
def test_csv_encodings_are_detected(ctx, encoding, bom, expected):
    table = read_source(csv_bytes(ROWS, encoding, bom), "register.csv")
    assert table.encoding == expected
    assert table.sheets[0].rows[1][1] == ["1/2564", "15/01/2564", "เขตราษฎร์บูรณะ", "ถนนชำรุด"]


def test_a_file_mixing_utf8_and_tis620_lines_is_read_line_by_line(ctx):
    content = csv_bytes(ROWS[:1]) + "2/2564,16/01/2564,เขตบางรัก,ไฟดับ\r\n".encode("cp874") + \
        "3/2564,17/01/2564,เขตดุสิต,ขยะ\r\n".encode()
    table = read_source(content, "mixed.csv")
    assert table.encoding == "UTF-8 + TIS-620 (ผสม)"
    cells = [cells for _n, cells in table.sheets[0].rows]
    assert cells[1] == ["2/2564", "16/01/2564", "เขตบางรัก", "ไฟดับ"]
    assert cells[2] == ["3/2564", "17/01/2564", "เขตดุสิต", "ขยะ"]
    assert any("สองแบบ" in note and "2" in note for note in table.notes)


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_csv_delimiter_is_detected(ctx, delimiter):
    table = read_source(csv_bytes(ROWS, delimiter=delimiter), "register.csv")
    assert table.sheets[0].rows[1][1][2] == "เขตราษฎร์บูรณะ"


def test_xlsx_merged_cells_belong_to_every_row_they_span_and_hidden_sheets_are_skipped(ctx):
    content = xlsx_bytes(
        {"ทะเบียน": [["เลขทะเบียนรับ", "หน่วยงาน", "เรื่อง", "รายละเอียด", "หมายเหตุ"],
                     ["1/2564", "เขตบางรัก", "ก", "ยาวข้ามสองช่อง", None],
                     ["2/2564", None, "ข", "x", "y"],
                     ["3/2564", None, "ค", "x", "y"]],
         "ซ่อน": [["ไม่ควรอ่าน"]]},
        merges={"ทะเบียน": ["B2:B4", "D2:E2"]}, hidden=("ซ่อน",))
    table = read_source(content, "register.xlsx")
    assert [s.name for s in table.sheets] == ["ทะเบียน"]
    rows = [cells for _n, cells in table.sheets[0].rows]
    assert [r[1] for r in rows[1:]] == ["เขตบางรัก"] * 3  # down the merge
    assert rows[1][3] == "ยาวข้ามสองช่อง" and len(rows[1]) == 4  # across: not copied
    assert any("ซ่อน" in note for note in table.notes)


def test_xlsx_keeps_dates_and_numbers_typed_and_the_table_round_trips(ctx):
    content = xlsx_bytes({"S": [["วันที่รับเรื่อง", "เลข"], [datetime(2021, 1, 15), 125]]})
    table = read_source(content, "a.xlsx")
    assert table.sheets[0].rows[1][1] == [datetime(2021, 1, 15), 125]
    again = SourceTable.from_bytes(table.to_bytes())
    assert again.sheets[0].rows == table.sheets[0].rows and again.format == "xlsx"


@pytest.mark.parametrize("content, name, words", [
    (b"", "a.csv", "ว่างเปล่า"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.xls", ".xls"),
    (b"not a zip", "broken.xlsx", "ไม่ใช่ไฟล์ Excel"),
    (b"PK\x03\x04 broken zip", "broken.xlsx", "เปิดไฟล์ Excel ไม่ได้"),
])
def test_unreadable_files_say_why_in_thai(ctx, content, name, words):
    with pytest.raises(UnreadableFile) as exc:
        read_source(content, name)
    assert words in str(exc.value)


def test_bytes_invalid_in_both_encodings_are_reported(ctx):
    content = csv_bytes(ROWS[:1]) + b"1/2564,\xdb\xdc,x,y\r\n"
    table = read_source(content, "odd.csv")
    assert any("อ่านไม่ได้" in note for note in table.notes)

