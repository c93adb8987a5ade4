"""Administration: the user list."""

from __future__ import annotations

from flask import Blueprint, render_template

from complaints.services import users

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users", endpoint="users")
def users_page():
    return render_template("admin/users.html", users=users.list_users())
