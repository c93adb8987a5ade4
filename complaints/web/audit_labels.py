"""Thai words for what the audit log stores as codes: actions, outcomes, verification problems."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTIONS = {
    "auth.login": _l("เข้าสู่ระบบ"),
    "auth.logout": _l("ออกจากระบบ"),
    "auth.password": _l("ใส่รหัสผ่านถูกต้อง (รอขั้นยืนยันตัวตนที่สอง)"),
    "auth.second_factor": _l("ยืนยันตัวตนขั้นที่สอง"),
    "auth.reauth": _l("ยืนยันรหัสผ่านอีกครั้ง"),
    "auth.reauth_required": _l("ต้องยืนยันรหัสผ่านอีกครั้งก่อนดำเนินการ"),
    "access.denied": _l("ถูกปฏิเสธการเข้าถึง"),
    "csrf.rejected": _l("แบบฟอร์มไม่ถูกต้อง (CSRF)"),
    "case.view": _l("เปิดดูเรื่อง"),
    "case.list": _l("ค้นหา/ดูรายการเรื่อง"),
    "case.export": _l("ส่งออกรายการเรื่อง"),
    "case.create": _l("บันทึกเรื่องใหม่"),
    "case.update": _l("แก้ไขเรื่อง"),
    "case.edit": _l("เปิดหน้าแก้ไขเรื่อง"),
    "report.view": _l("ดูรายงานสรุป"),
    "report.export": _l("ส่งออกรายงาน"),
    "identity.reveal": _l("เปิดดูข้อมูลผู้ร้องเรียน"),
    "user.create": _l("สร้างผู้ใช้"),
    "user.disable": _l("ระงับผู้ใช้"),
    "user.enable": _l("เปิดใช้ผู้ใช้อีกครั้ง"),
    "user.update": _l("แก้ไขข้อมูลผู้ใช้"),
    "user.unlock": _l("ปลดล็อกบัญชีผู้ใช้"),
    "user.password_reset": _l("ตั้งรหัสผ่านชั่วคราวให้ผู้ใช้"),
    "user.second_factor_enrol": _l("ผูกแอปยืนยันตัวตนขั้นที่สอง"),
    "user.second_factor_reset": _l("ยกเลิกการผูกแอปยืนยันตัวตนขั้นที่สอง"),
    "user.recovery_codes": _l("ออกรหัสสำรองสำหรับเข้าระบบ"),
    "user.scope": _l("เปลี่ยนขอบเขตหน่วยงานของผู้ใช้"),
    "user.password_change": _l("เปลี่ยนรหัสผ่าน"),
    "import.upload": _l("อัปโหลดไฟล์นำเข้า"),
    "import.commit": _l("นำเข้าข้อมูลเรื่อง"),
    "import.cancel": _l("ยกเลิกการนำเข้า"),
    "import.expire": _l("ไฟล์นำเข้าหมดอายุ"),
    "import.mapping.save": _l("บันทึกการจับคู่คอลัมน์นำเข้า"),
    "import.mapping.delete": _l("ลบการจับคู่คอลัมน์นำเข้า"),
    "survey.round_create": _l("สร้างรอบแบบสำรวจ"),
    "survey.round_update": _l("แก้ไขรอบแบบสำรวจ"),
    "survey.round_delete": _l("ลบรอบแบบสำรวจ"),
    "survey.question_create": _l("เพิ่มคำถามแบบสำรวจ"),
    "survey.question_update": _l("แก้ไขคำถามแบบสำรวจ"),
    "survey.question_delete": _l("ลบคำถามแบบสำรวจ"),
    "survey.question_move": _l("เรียงลำดับคำถามแบบสำรวจ"),
    "survey.release": _l("นำคำตอบแบบสำรวจเข้าผลรวม"),
    "survey.export": _l("ส่งออกผลแบบสำรวจ"),
    "survey.submit": _l("ตอบแบบสำรวจ"),
    "survey.results": _l("ดูผลแบบสำรวจ"),
    "audit.view": _l("ดูบันทึกการเข้าถึง"),
    "audit.export": _l("ส่งออกบันทึกการเข้าถึง"),
    "audit.verify": _l("ตรวจสอบความถูกต้องของบันทึก"),
    "audit.checkpoint": _l("ส่งออกจุดตรวจสอบที่ลงนาม"),
    "audit.alerts": _l("ดูรายการการเข้าถึงผิดปกติ"),
    "audit.reveal_reasons": _l("ดูเหตุผลการเปิดดูข้อมูลผู้ร้องเรียน"),
    "audit.adopt": _l("เริ่มใช้จุดตรวจสอบกับบันทึกเดิม"),
    "demo.generate": _l("สร้างข้อมูลทดลอง"),
}

OUTCOMES = {
    "ok": _l("สำเร็จ"),
    "denied": _l("ถูกปฏิเสธ"),
    "not_found": _l("ไม่พบ/นอกขอบเขต"),
    "failed": _l("ไม่สำเร็จ"),
    "error": _l("ผิดพลาด"),
}

OBJECT_TYPES = {
    "case": _l("เรื่อง"),
    "user": _l("ผู้ใช้"),
    "survey_round": _l("รอบแบบสำรวจ"),
    "import": _l("ชุดนำเข้า"),
    "import_mapping": _l("การจับคู่คอลัมน์นำเข้า"),
}

# Verification problems (audit.verify codes). Parameters: seq, first, last, end, after.
PROBLEMS = {
    "missing": _l("รายการที่ #%(first)s ถึง #%(last)s หายไป (ถูกลบ)"),
    "outside_sequence": _l("รายการที่ #%(seq)s มีเลขลำดับนอกลำดับ ระบบไม่ได้บันทึกรายการนี้"),
    "beyond_end": _l("รายการที่ #%(seq)s ระบบไม่ได้บันทึก (อยู่หลังรายการสุดท้ายที่ระบบบันทึกไว้ #%(end)s)"),
    "link": _l("รายการที่ #%(seq)s เชื่อมโยงกับรายการก่อนหน้าไม่ถูกต้อง (มีการลบ แทรก หรือสลับลำดับรายการ)"),
    "altered": _l("รายการที่ #%(seq)s ถูกแก้ไข (รหัสตรวจสอบ MAC ไม่ตรงกัน)"),
    "checkpoint_mismatch": _l("รายการที่ #%(seq)s ไม่ตรงกับจุดตรวจสอบที่ลงนามไว้ (ถูกแทนที่)"),
    "external_mismatch": _l("รายการที่ #%(seq)s ไม่ตรงกับไฟล์จุดตรวจสอบที่เก็บไว้ภายนอก (บันทึกถูกย้อนกลับหรือเขียนใหม่)"),
    "head_mismatch": _l("รายการที่ #%(seq)s ไม่ตรงกับตำแหน่งท้ายสุดที่ระบบบันทึกไว้ (ถูกแทนที่)"),
    "truncated": _l("รายการที่ #%(first)s ถึง #%(last)s หายไปจากท้ายบันทึก (บันทึกถูกตัดหรือย้อนกลับ)"),
    "head_missing": _l("ข้อมูลตำแหน่งท้ายสุดของบันทึกหายไป รายการหลัง #%(after)s อาจถูกลบ"),
    "head_altered": _l("ข้อมูลตำแหน่งท้ายสุดของบันทึกถูกแก้ไข รายการหลัง #%(after)s อาจถูกลบ"),
    "forged": _l("รายการที่ #%(seq)s ระบบไม่ได้บันทึก (รหัสตรวจสอบ MAC ไม่ตรงกัน)"),
    "checkpoint_missing": _l("จุดตรวจสอบที่ลงนามของรายการที่ #%(seq)s ถูกลบ"),
    "checkpoint_forged": _l("จุดตรวจสอบของรายการที่ #%(seq)s มีลายมือชื่อดิจิทัลไม่ถูกต้อง (ถูกแก้ไขหรือปลอม)"),
    "external_forged": _l("ไฟล์จุดตรวจสอบไม่ได้ลงนามด้วยกุญแจของระบบนี้ (ถูกแก้ไขหรือมาจากระบบอื่น)"),
}


def action_label(code: str | None) -> str:
    return str(ACTIONS.get(code, code or ""))


def outcome_label(code: str | None) -> str:
    return str(OUTCOMES.get(code, code or ""))


def object_type_label(code: str | None) -> str:
    return str(OBJECT_TYPES.get(code, code or ""))


def problem_text(problem: dict) -> str:
    """A verification problem (as stored in an ``audit.verify`` entry) in Thai."""
    params = {"seq": problem.get("seq"), **(problem.get("params") or {})}
    if problem.get("code") == "missing" and params.get("first") == params.get("last"):
        return str(_l("รายการที่ #%(seq)s หายไป (ถูกลบ)", seq=params.get("first")))
    if problem.get("code") == "truncated" and params.get("first") == params.get("last"):
        return str(_l("รายการที่ #%(seq)s หายไปจากท้ายบันทึก (บันทึกถูกตัดหรือย้อนกลับ)", seq=params.get("first")))
    template = PROBLEMS.get(problem.get("code"))
    if template is None:
        return str(problem.get("text") or problem.get("code") or "")
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(problem.get("text") or "")
