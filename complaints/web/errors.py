"""Error pages. A service's NotFound is a 404 whether the case is missing or out of scope."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from complaints.extensions import db
from complaints.services import audit_trail
from complaints.services.errors import Forbidden, NotFound, Unreadable


def _page(status: int, title: str, message: str = ""):
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _not_found_page():
    return _page(404, _("ไม่พบข้อมูล"), _("ไม่พบสิ่งที่ต้องการ หรือท่านไม่มีสิทธิ์เข้าถึง"))


def install(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def _not_found(_exc):
        return _not_found_page()

    @app.errorhandler(Forbidden)
    def _forbidden(_exc):
        return _page(403, _("ไม่มีสิทธิ์"), _("ท่านไม่มีสิทธิ์ดำเนินการนี้"))

    @app.errorhandler(Unreadable)
    def _unreadable(_exc):
        return _page(500, _("ถอดรหัสข้อมูลไม่ได้"),
                     _("ข้อมูลของเรื่องนี้ถอดรหัสไม่ได้ ระบบจึงไม่แสดงข้อมูลใด ๆ และได้บันทึกเหตุการณ์แล้ว "
                       "กรุณาแจ้งผู้ดูแลระบบ"))

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        actor = current_user if current_user.is_authenticated else None
        audit_trail.record(actor, "csrf.rejected", outcome="denied", reason=str(exc.description)[:100])
        return _page(400, _("แบบฟอร์มหมดอายุหรือไม่ถูกต้อง"),
                     _("แบบฟอร์มนี้หมดอายุหรือไม่ได้ส่งมาจากระบบ กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"))

    @app.errorhandler(HTTPException)
    def _http(exc):
        if exc.code == 404:
            return _not_found_page()
        titles = {
            401: _("กรุณาเข้าสู่ระบบ"),
            403: _("ไม่มีสิทธิ์"),
            405: _("ไม่รองรับคำขอนี้"),
            413: _("ไฟล์ใหญ่เกินกำหนด"),
        }
        return _page(exc.code or 500, titles.get(exc.code, _("เกิดข้อผิดพลาด")))

    @app.errorhandler(Exception)
    def _crash(exc):
        g.rollback = True
        # Nothing of the request's work is kept; rolling back now also lets the error page itself
        # read from the database after a failed statement (PostgreSQL refuses until then).
        db.session.rollback()
        current_app.logger.exception("unhandled error: %s", exc)
        return _page(500, _("เกิดข้อผิดพลาดในระบบ"),
                     _("ระบบขัดข้อง ไม่มีการบันทึกการเปลี่ยนแปลงใด ๆ กรุณาลองใหม่อีกครั้ง"))
