"""Administration of user accounts: create, change roles, clearance and scope, disable and enable,
unlock, reset the password or the second factor. Every change is audited by the services and applies
on the user's next request, live sessions included."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from complaints.clock import utcnow
from complaints.extensions import db
from complaints.forms import UserForm, options
from complaints.models import Agency, User
from complaints.services import reference, second_factor, users
from complaints.services.errors import Invalid, NotFound

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user(user_id: int) -> User:
    user = users.get_user(user_id)
    if user is None:
        raise NotFound()
    return user


def _agency_groups() -> list[tuple[str, list[Agency]]]:
    """Agencies for the scope checkboxes: the districts of each zone, then the departments."""
    agencies = reference.sort_agencies(db.session.scalars(select(Agency).where(Agency.active.is_(True))))
    groups = [(zone.name_th, [a for a in agencies if a.zone_code == zone.code]) for zone in reference.zones()]
    groups.append((_("สำนัก/หน่วยงานอื่น"), [a for a in agencies if a.kind != "district"]))
    return [(name, members) for name, members in groups if members]


def _prepare(form: UserForm) -> UserForm:
    form.zones.choices = options((z.code, z.name_th) for z in reference.zones())
    form.agencies.choices = options((a.code, a.display_th) for _, group in _agency_groups() for a in group)
    return form


def _show_errors(form: UserForm, exc: Invalid) -> None:
    for name, message in exc.errors.items():
        if name in form:
            form[name].errors = list(form[name].errors) + [message]
        else:
            form.form_errors.append(message)


def _page(form: UserForm, user: User | None = None):
    codes_left = second_factor.recovery_codes_left(user) if user and user.has_second_factor else 0
    return render_template("admin/user_form.html", form=form, user=user, groups=_agency_groups(),
                           zones=reference.zones(), now=utcnow(), codes_left=codes_left)


@bp.get("/users", endpoint="users")
def users_page():
    return render_template("admin/users.html", users=users.list_users(), now=utcnow())


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = _prepare(UserForm())
    if form.validate_on_submit():
        password = users.temporary_password()
        try:
            user = users.create_user(
                current_user, username=form.username.data or "", display_name=form.display_name.data or "",
                password=password, roles=form.roles.data or [], clearance=form.clearance.data,
                agencies=form.agencies.data or [], zones=form.zones.data or [],
                all_agencies=form.all_agencies.data, must_change_password=True,
            )
        except Invalid as exc:
            _show_errors(form, exc)
        else:
            return render_template("admin/temporary_password.html", user=user, password=password, created=True)
    elif request.method == "GET":
        form.clearance.data = "unclassified"
    return _page(form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = _user(user_id)
    if request.method == "POST":
        form = _prepare(UserForm())
        if form.validate_on_submit():
            try:
                changed = users.update_account(
                    current_user, user, display_name=form.display_name.data or "", roles=form.roles.data or [],
                    clearance=form.clearance.data, agencies=form.agencies.data or [], zones=form.zones.data or [],
                    all_agencies=form.all_agencies.data,
                )
            except Invalid as exc:
                _show_errors(form, exc)
            else:
                if changed:
                    flash(_("บันทึกการเปลี่ยนแปลงของ %(name)s แล้ว มีผลทันทีตั้งแต่คำขอถัดไปของผู้ใช้",
                            name=user.username), "success")
                else:
                    flash(_("ไม่มีการเปลี่ยนแปลง"), "info")
                return redirect(url_for("admin.user_edit", user_id=user.id))
    else:
        form = _prepare(UserForm(data={
            "username": user.username, "display_name": user.display_name, "roles": sorted(user.roles),
            "clearance": user.clearance, "all_agencies": user.all_agencies, "zones": sorted(user.zone_codes),
            "agencies": sorted(user.agency_codes),
        }))
    return _page(form, user)


def _act(user_id: int, work, done: str):
    """Run one account action from a button (POST with CSRF token) and go back to the user's page."""
    user = _user(user_id)
    try:
        result = work(user)
    except Invalid as exc:
        for message in exc.errors.values():
            flash(message, "error")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    if isinstance(result, str):  # a temporary password, shown once
        return render_template("admin/temporary_password.html", user=user, password=result, created=False)
    flash(done % {"name": user.username}, "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/disable")
def user_disable(user_id: int):
    return _act(user_id, lambda u: users.disable_user(current_user, u),
                _("ระงับบัญชี %(name)s แล้ว และออกจากระบบทุกเครื่องแล้ว"))


@bp.post("/users/<int:user_id>/enable")
def user_enable(user_id: int):
    return _act(user_id, lambda u: users.enable_user(current_user, u), _("เปิดใช้บัญชี %(name)s แล้ว"))


@bp.post("/users/<int:user_id>/unlock")
def user_unlock(user_id: int):
    return _act(user_id, lambda u: users.unlock(current_user, u), _("ปลดล็อกบัญชี %(name)s แล้ว"))


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    return _act(user_id, lambda u: users.reset_password(current_user, u), "")


@bp.post("/users/<int:user_id>/second-factor")
def user_second_factor(user_id: int):
    return _act(user_id, lambda u: second_factor.reset(current_user, u),
                _("ล้างการตั้งค่ารหัสยืนยันตัวตนสองชั้นของ %(name)s แล้ว ผู้ใช้ต้องตั้งค่าใหม่เมื่อเข้าสู่ระบบ"))
