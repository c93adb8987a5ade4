"""WTForms classes. Labels are Thai source text, translated to English by the catalogue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from complaints.thai import DateParseError, format_date, parse_date
from complaints.vocabulary import (
    CHANNELS,
    CLASSIFICATIONS,
    KINDS,
    OUTCOMES,
    ROLES,
    STATUSES,
    URGENCIES,
    choices,
)


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, str(text)) for value, text in pairs]


class ThaiDateField(StringField):
    """A date typed as Thai offices write it (15/01/2564, 15 ม.ค. 2564); shown in the Buddhist era."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_date(self.data, "numeric") if self.data else ""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_date(valuelist[0])
            except DateParseError as exc:
                raise ValueError(str(exc)) from exc


class LoginForm(FlaskForm):
    username = StringField(_l("ชื่อผู้ใช้"), validators=[DataRequired(_l("กรุณากรอกชื่อผู้ใช้")), Length(max=64)])
    password = PasswordField(_l("รหัสผ่าน"), validators=[DataRequired(_l("กรุณากรอกรหัสผ่าน")), Length(max=256)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("รหัสผ่านปัจจุบัน"), validators=[DataRequired(_l("กรุณากรอกรหัสผ่านปัจจุบัน"))])
    new = PasswordField(_l("รหัสผ่านใหม่ (อย่างน้อย 12 ตัวอักษร)"),
                        validators=[DataRequired(_l("กรุณากรอกรหัสผ่านใหม่"))])
    confirm = PasswordField(_l("ยืนยันรหัสผ่านใหม่"), validators=[DataRequired(_l("กรุณายืนยันรหัสผ่านใหม่"))])


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token: sign-out, language switch."""


class CaseForm(FlaskForm):
    register_no = StringField(_l("เลขทะเบียนรับ"), validators=[Optional(), Length(max=40)],
                              description=_l("เว้นว่างเพื่อให้ระบบออกเลขถัดไปของปีงบประมาณ"))
    received_date = ThaiDateField(_l("วันที่รับเรื่อง"), validators=[InputRequired(_l("กรุณาระบุวันที่รับเรื่อง"))],
                                  description=_l("วว/ดด/ปปปป (พ.ศ.) เช่น 15/01/2564"))
    kind = SelectField(_l("ประเภท"), choices=options(choices(KINDS)))
    classification = SelectField(_l("ชั้นความลับ"), choices=[])
    urgency = SelectField(_l("ชั้นความเร็ว"), choices=options(choices(URGENCIES)))
    channel = SelectField(_l("ช่องทางที่รับเรื่อง"), choices=options(choices(CHANNELS)))
    agency_code = SelectField(_l("หน่วยงานที่ถูกร้องเรียน/รับผิดชอบ"), choices=[],
                              validators=[DataRequired(_l("กรุณาเลือกหน่วยงาน"))])
    category_code = SelectField(_l("ประเภทเรื่อง (หัวข้อ)"), choices=[],
                                validators=[DataRequired(_l("กรุณาเลือกประเภทเรื่อง"))])
    status = SelectField(_l("สถานะ"), choices=options(choices(STATUSES)))
    outcome = SelectField(_l("ผลสรุปของผู้บังคับบัญชา (รหัส)"), choices=options(choices(OUTCOMES, blank="—")),
                          validate_choice=False)
    closed_date = ThaiDateField(_l("วันที่ยุติเรื่อง"), validators=[Optional()])
    assigned_inspector_id = SelectField(_l("ผู้ตรวจราชการที่รับผิดชอบ"), choices=[], coerce=str,
                                        validate_choice=False)
    anonymous = BooleanField(_l("ไม่ประสงค์ออกนาม (บัตรสนเท่ห์)"))
    subject = StringField(_l("เรื่อง"), validators=[DataRequired(_l("กรุณาระบุเรื่อง")), Length(max=500)])
    details = TextAreaField(_l("รายละเอียด"), validators=[Length(max=20000)])
    complainant_name = StringField(_l("ชื่อผู้ร้องเรียน"), validators=[Length(max=300)])
    complainant_contact = StringField(_l("ที่อยู่/ช่องทางติดต่อผู้ร้องเรียน"), validators=[Length(max=500)])
    complainant_id_no = StringField(_l("เลขประจำตัวประชาชนผู้ร้องเรียน"), validators=[Length(max=20)])
    persons_concerned = TextAreaField(_l("เจ้าหน้าที่/บุคคลที่เกี่ยวข้อง"), validators=[Length(max=5000)])
    conclusion = TextAreaField(_l("ผลสรุปของผู้บังคับบัญชา (ข้อความ)"), validators=[Length(max=20000)])


# -- sign-in hardening, identity reveal, administration (issue 3) -------------------------------

class CodeForm(FlaskForm):
    """The second step of a sign-in, or confirming an enrolment: a 6-digit code or a recovery code."""

    code = StringField(_l("รหัสยืนยัน 6 หลักจากแอป หรือรหัสกู้คืน"),
                       validators=[DataRequired(_l("กรุณากรอกรหัสยืนยัน")), Length(max=32)])


class ReauthForm(FlaskForm):
    password = PasswordField(_l("รหัสผ่าน"), validators=[DataRequired(_l("กรุณากรอกรหัสผ่าน")), Length(max=256)])
    code = StringField(_l("รหัสยืนยัน 6 หลักจากแอป หรือรหัสกู้คืน"), validators=[Optional(), Length(max=32)])


class RevealForm(FlaskForm):
    reason = TextAreaField(_l("เหตุผลที่ต้องทราบตัวผู้ร้องเรียน"),
                           validators=[DataRequired(_l("กรุณาระบุเหตุผล")), Length(max=2000)],
                           description=_l("เช่น ต้องติดต่อผู้ร้องเพื่อขอข้อมูลเพิ่มเติมในการตรวจสอบข้อเท็จจริง "
                                          "เหตุผลนี้ถูกเข้ารหัสและบันทึกไว้ให้ผู้ตรวจสอบบันทึกการเข้าถึง"))
    password = PasswordField(_l("รหัสผ่าน"), validators=[Optional(), Length(max=256)])
    code = StringField(_l("รหัสยืนยัน 6 หลักจากแอป หรือรหัสกู้คืน"), validators=[Optional(), Length(max=32)])


class UserForm(FlaskForm):
    """An account as an administrator edits it. Roles, zones and agencies are lists of checkboxes."""

    username = StringField(_l("ชื่อผู้ใช้ (อักษรอังกฤษตัวเล็ก ตัวเลข . _ -)"), validators=[Optional(), Length(max=64)])
    display_name = StringField(_l("ชื่อ-นามสกุล"),
                               validators=[DataRequired(_l("กรุณาระบุชื่อ-นามสกุล")), Length(max=200)])
    roles = SelectMultipleField(_l("บทบาท"), choices=options(choices(ROLES)), validate_choice=False)
    clearance = SelectField(_l("ชั้นความลับสูงสุดที่เข้าถึงได้"), choices=options(choices(CLASSIFICATIONS)))
    all_agencies = BooleanField(_l("เข้าถึงได้ทุกหน่วยงาน"))
    zones = SelectMultipleField(_l("กลุ่มเขต"), choices=[], validate_choice=False)
    agencies = SelectMultipleField(_l("หน่วยงาน"), choices=[], validate_choice=False)
