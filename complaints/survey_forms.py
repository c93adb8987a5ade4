"""WTForms classes of the survey administration pages (kept apart from ``forms.py`` to keep both small)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from complaints.forms import ThaiDateField, options
from complaints.vocabulary import ROLES, choices

QUESTION_KIND_LABELS = {
    "scale": _l("คะแนน 1-5 (น้อยที่สุด - มากที่สุด)"),
    "yes_no": _l("ใช่ / ไม่ใช่"),
    "text": _l("ข้อความ (ไม่บังคับตอบ)"),
}


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SurveyRoundForm(FlaskForm):
    title_th = StringField(_l("ชื่อรอบการสำรวจ (ภาษาไทย)"),
                           validators=[DataRequired(_l("กรุณาระบุชื่อรอบการสำรวจ")), Length(max=300)])
    title_en = StringField(_l("ชื่อรอบการสำรวจ (ภาษาอังกฤษ)"), validators=[Optional(), Length(max=300)],
                           description=_l("เว้นว่างได้ ระบบจะแสดงชื่อภาษาไทยแทน"))
    opens_on = ThaiDateField(_l("วันเปิดแบบสำรวจ"), validators=[InputRequired(_l("กรุณาระบุวันเปิดแบบสำรวจ"))],
                             description=_l("วว/ดด/ปปปป (พ.ศ.) เช่น 01/06/2566"))
    closes_on = ThaiDateField(_l("วันปิดแบบสำรวจ"), validators=[InputRequired(_l("กรุณาระบุวันปิดแบบสำรวจ"))],
                              description=_l("ตอบได้จนถึงสิ้นวันนี้"))
    eligible_roles = CheckboxListField(_l("ผู้มีสิทธิ์ตอบ"), choices=options(choices(ROLES)),
                                       description=_l("ไม่เลือกเลย = ผู้ใช้ทุกคน"))


class NewSurveyRoundForm(SurveyRoundForm):
    source = SelectField(_l("เริ่มจากคำถามชุดใด"), choices=[], validate_choice=False)


class SurveyQuestionForm(FlaskForm):
    kind = SelectField(_l("ชนิดคำถาม"), choices=options(choices(QUESTION_KIND_LABELS)))
    text_th = TextAreaField(_l("คำถาม (ภาษาไทย)"),
                            validators=[DataRequired(_l("กรุณาพิมพ์คำถามภาษาไทย")), Length(max=1000)])
    text_en = TextAreaField(_l("คำถาม (ภาษาอังกฤษ)"), validators=[Optional(), Length(max=1000)],
                            description=_l("เว้นว่างได้ ระบบจะแสดงคำถามภาษาไทยแทน"))
    is_overall = BooleanField(_l("เป็นคำถามความพึงพอใจโดยรวม (ใช้คิดร้อยละผู้ตอบ 4-5)"))
