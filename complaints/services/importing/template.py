"""The Thai template registrars fill in: one row per case, drop-down lists, an explanation sheet."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from complaints import exports
from complaints.extensions import db
from complaints.models import Agency, Category
from complaints.services.reference import sort_agencies
from complaints.vocabulary import CHANNELS, CLASSIFICATIONS, KINDS, OUTCOMES, STATUSES, URGENCIES

# header, width, list of allowed values (sheet "รายการ" column) or None, explanation
COLUMNS = [
    ("เลขทะเบียนรับ", 14, None, "เลขทะเบียนรับเดิม เช่น 125/2564 (ไม่ซ้ำในปีงบประมาณเดียวกัน) เว้นว่างได้"),
    ("วันที่รับเรื่อง", 16, None, "วว/ดด/ปปปป พ.ศ. เช่น 15/01/2564 หรือ 15 ม.ค. 2564 (จำเป็น)"),
    ("ลักษณะเรื่อง", 16, "kinds", "เรื่องร้องเรียน หรือ เรื่องลับ (ว่าง = เรื่องร้องเรียน)"),
    ("ชั้นความลับ", 16, "classifications", "ไม่มีชั้นความลับ ลับ ลับมาก ลับที่สุด (ว่าง = ไม่มีชั้นความลับ)"),
    ("ชั้นความเร็ว", 14, "urgencies", "ปกติ ด่วน ด่วนมาก ด่วนที่สุด (ว่าง = ปกติ)"),
    ("ช่องทางที่รับเรื่อง", 22, "channels", "เช่น หนังสือ/จดหมาย สายด่วน กทม. 1555 Traffy Fondue"),
    ("หน่วยงาน", 30, "agencies", "สำนักงานเขตหรือสำนักที่ถูกร้องเรียน เช่น เขตบางรัก สนย. (จำเป็น)"),
    ("ประเภทเรื่อง", 28, "categories", "หัวข้อของเรื่อง เช่น ถนน/ผิวจราจรชำรุด (ว่าง = อื่น ๆ)"),
    ("เรื่อง", 40, None, "ชื่อเรื่องสั้น ๆ (ว่างได้ถ้ามีรายละเอียด)"),
    ("รายละเอียด", 60, None, "รายละเอียดของเรื่อง"),
    ("ชื่อผู้ร้องเรียน", 24, None, "เว้นว่างหรือเขียน ไม่ประสงค์ออกนาม สำหรับบัตรสนเท่ห์"),
    ("ที่อยู่/ช่องทางติดต่อ", 30, None, "ที่อยู่ โทรศัพท์ อีเมลของผู้ร้องเรียน"),
    ("เลขประจำตัวประชาชน", 18, None, "13 หลัก"),
    ("เจ้าหน้าที่/บุคคลที่เกี่ยวข้อง", 30, None, "เจ้าหน้าที่หรือบุคคลที่ถูกกล่าวถึง"),
    ("สถานะ", 20, "statuses", "รับเรื่อง อยู่ระหว่างดำเนินการ มีผลสรุปแล้ว ยุติ/ปิดเรื่อง (ว่าง = ตามผลสรุป)"),
    ("ผลการพิจารณา", 24, "outcomes", "ผลสรุปของผู้บังคับบัญชาแบบรหัส เช่น มีมูล ไม่มีมูล (จำเป็นเมื่อมีผลสรุปหรือยุติแล้ว)"),
    ("ผลสรุปของผู้บังคับบัญชา", 40, None, "ผลสรุปเป็นข้อความ"),
    ("วันที่ยุติเรื่อง", 16, None, "วว/ดด/ปปปป พ.ศ."),
]
EXAMPLE = ["125/2564", "15/01/2564", "เรื่องร้องเรียน", "ไม่มีชั้นความลับ", "ปกติ", "สายด่วน กทม. 1555",
           "เขตบางรัก", "ไฟฟ้าส่องสว่าง", "ไฟฟ้าส่องสว่างดับ ถนนสีลม", "ไฟดับทั้งซอยมาสองสัปดาห์ (ตัวอย่าง ลบแถวนี้ได้)",
           "นางสาวตัวอย่าง ทดสอบ", "0812345678", "", "", "ยุติ/ปิดเรื่อง", "แก้ไขปัญหาแล้ว",
           "เขตซ่อมแซมแล้ว", "30/01/2564"]


def _labels(vocabulary: dict) -> list[str]:
    return [text._args[0] if hasattr(text, "_args") else str(text) for text in vocabulary.values()]


def build_template() -> bytes:
    agencies = sort_agencies(db.session.scalars(select(Agency).where(Agency.active.is_(True))))
    categories = db.session.scalars(select(Category).where(Category.active.is_(True)).order_by(Category.sort_order))
    lists = {
        "kinds": _labels(KINDS), "classifications": _labels(CLASSIFICATIONS), "urgencies": _labels(URGENCIES),
        "channels": _labels(CHANNELS), "statuses": _labels(STATUSES), "outcomes": _labels(OUTCOMES),
        "agencies": [a.short_th for a in agencies], "categories": [c.name_th for c in categories],
    }
    workbook = exports.workbook()
    sheet = workbook.active
    sheet.title = "ทะเบียน"
    choices = workbook.create_sheet("รายการ")
    for index, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        exports.put(choices, 1, index, name)
        for row, value in enumerate(values, start=2):
            exports.put(choices, row, index, value)
        lists[name] = f"รายการ!${letter}$2:${letter}${len(values) + 1}"
    choices.sheet_state = "hidden"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, (header, width, choice, _note) in enumerate(COLUMNS, start=1):
        cell = exports.put(sheet, 1, index, header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        if header.startswith("วันที่") or header == "เลขทะเบียนรับ" or header == "เลขประจำตัวประชาชน":
            for row in range(2, 2001):  # text cells: Excel must not turn 15/01/2564 or 0812... into numbers
                sheet.cell(row, index).number_format = "@"
        if choice:
            validation = DataValidation(type="list", formula1=f"={lists[choice]}", allow_blank=True,
                                        showErrorMessage=False)
            validation.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(validation)
    for index, value in enumerate(EXAMPLE, start=1):
        exports.put(sheet, 2, index, value)
    sheet.freeze_panes = "C2"
    notes = workbook.create_sheet("คำอธิบาย")
    exports.append(notes, ["คอลัมน์", "คำอธิบาย"])
    for header, _width, _choice, note in COLUMNS:
        exports.append(notes, [header, note])
    exports.append(notes, [])
    exports.append(notes, ["", "หัวคอลัมน์ภาษาอื่นหรือสลับลำดับได้ ระบบจับคู่ให้อัตโนมัติ และเลือกเองได้ในหน้านำเข้า"])
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 28, 100
    for cell in notes[1]:
        cell.font = bold
    return exports.xlsx_bytes(workbook)
