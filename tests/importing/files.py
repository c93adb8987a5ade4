"""Building the messy files that real registers arrive as."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook

HEADER = ["ลำดับ", "เลขทะเบียนรับ", "วันที่รับเรื่อง", "หน่วยงาน", "ประเภทเรื่อง", "เรื่อง", "รายละเอียด",
          "ชื่อผู้ร้องเรียน", "ผลการพิจารณา", "สถานะ"]


def row(no, reg, received, agency, topic, subject, details="", name="", outcome="", status=""):
    return [no, reg, received, agency, topic, subject, details, name, outcome, status]


def csv_bytes(rows: list[list], encoding: str = "utf-8", bom: bool = False, delimiter: str = ",") -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None,
               hidden: tuple[str, ...] = ()) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for cells in rows:
            sheet.append(cells)
        for merged in (merges or {}).get(name, []):
            sheet.merge_cells(merged)
        if name in hidden:
            sheet.sheet_state = "hidden"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def messy_register() -> bytes:
    """One sheet the way registers really look: a title, a header with hints, then trouble."""
    rows = [
        ["ทะเบียนเรื่องร้องเรียน ปีงบประมาณ 2564"],  # title above the header
        [],
        ["ลำดับ", " เลขทะเบียนรับ ", "วันที่รับเรื่อง\n(วว/ดด/ปปปป)", "หน่วยงาน", "ประเภทเรื่อง", "เรื่อง", "รายละเอียด",
         "ชื่อผู้ร้องเรียน", "ผลการพิจารณา", "สถานะ"],
        row(1, "1/2564", "15/01/2564", "เขตบางรัก ", "ถนน", "ถนนชำรุด ซอยสีลม 3  ", "หลุมลึก", "นายสมชาย ใจดี"),
        row(2, "2/2564", datetime(2021, 1, 20), "สำนักงานเขตบางรัก", "ไฟฟ้าส่องสว่าง", "ไฟดับ", "", "ไม่ประสงค์ออกนาม"),
        row(3, "3/2564", 44230, "บางรัก", "ขยะ", "ขยะไม่เก็บ"),  # Excel serial date: 2021-02-04
        [],  # blank row
        row(4, "4/2564", "31/02/2564", "Bang Rak", "ถนน", "วันที่ผิด"),  # impossible date
        row(5, "5/2564", "5 มี.ค. 64", "เขตราษฏร์บูรณะ", "{ถนน,ทางเท้า}", "สะกด ฏ"),
        HEADER,  # the header repeated (a page break when it was printed)
        row(6, "6/2564", "10/03/2564", "เขตเลิงนกทา", "ถนน", "ไม่รู้จักหน่วยงาน"),
        row(7, "7/2564", "11/03/2564", "สนย.", "สะพาน", "สะพานชำรุด", "", "", "มีมูล", "ยุติ/ปิดเรื่อง"),
        row(8, "8/2564", "12/03/2564", "เขตบางรัก", "ถนน", "ซ้ำ", "รายละเอียดเดียวกัน"),
        row(8, "8/2564", "12/03/2564", "เขตบางรัก", "ถนน", "ซ้ำ", "รายละเอียดเดียวกัน"),  # duplicate row
        row(9, "9/2564", "01/01/2599", "เขตบางรัก", "ถนน", "อนาคต"),  # a date in the future
        row(10, "10/2564", "13/03/2564", "เขตบางรัก", "ถนน", "ยุติแต่ไม่มีผล", "", "", "", "ยุติ/ปิดเรื่อง"),
        ["รวม", "10 เรื่อง"],  # a total row
    ]
    return xlsx_bytes({"2564": rows})


def simple_rows(count: int, year_be: int = 2564, agency: str = "เขตบางรัก") -> list[list]:
    rows = [HEADER]
    for i in range(1, count + 1):
        rows.append(row(i, f"{i}/{year_be}", f"{(i % 28) + 1:02d}/03/{year_be}", agency, "ถนน", f"เรื่องที่ {i}",
                        f"รายละเอียด {i}", f"นายทดสอบ ลำดับ{i}"))
    return rows


def today_be() -> int:
    return date.today().year + 543
