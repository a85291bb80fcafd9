"""Admin pages: accounts, their roles, and verifying brand representatives."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import col, func, or_, select

from tracker.admin.forms import AccessForm
from tracker.auth import admin_required
from tracker.db import get_session
from tracker.models import Brand, Role, User, Visibility
from tracker.services import accounts

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


@bp.get("/")
@admin_required
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
@admin_required
def users():
    session = get_session()
    query = select(User)
    text = (request.args.get("q") or "").strip()[:200]
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(
                func.lower(User.email).like(pattern),
                func.lower(User.display_name).like(pattern),
                func.lower(User.public_handle).like(pattern),
            )
        )
    role = request.args.get("role") or ""
    if role in Role.__members__:
        query = query.where(User.role == Role(role))
    pending = request.args.get("pending") == "1"
    if pending:
        query = query.where(User.role == Role.representative, User.representative_verified == False)  # noqa: E712
    page = max(
        1, int(request.args.get("page", "1")) if request.args.get("page", "1").isdigit() else 1
    )
    rows = session.exec(
        query.order_by(col(User.created_at).desc(), col(User.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    waiting = session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.representative, User.representative_verified == False)  # noqa: E712
    ).one()
    brands = {
        brand.id: brand
        for brand in session.exec(
            select(Brand).where(col(Brand.id).in_({u.brand_id for u in rows if u.brand_id}))
        )
    }
    return render_template(
        "admin/users.html",
        users=rows[:PAGE_SIZE],
        more=len(rows) > PAGE_SIZE,
        page=page,
        brands=brands,
        q=text,
        role=role,
        pending=pending,
        waiting=waiting,
        roles=list(Role),
    )


def _published_brands():
    return (
        get_session()
        .exec(select(Brand).where(Brand.visibility == Visibility.published).order_by(Brand.name))
        .all()
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id: int):
    session = get_session()
    account = session.get(User, user_id)
    if account is None:
        abort(404)
    form = AccessForm(
        data=None
        if request.method == "POST"
        else {
            "role": account.role.value,
            "brand": str(account.brand_id or ""),
            "verified": account.representative_verified,
            "active": account.is_active,
        }
    )
    form.fill_choices(_published_brands())
    if form.validate_on_submit():
        brand = session.get(Brand, int(form.brand.data)) if form.brand.data.isdigit() else None
        role = Role(form.role.data)
        if role == Role.representative and brand is None:
            form.brand.errors.append(_("Choose the brand this representative speaks for."))
        else:
            try:
                changes = accounts.change_access(
                    session=session,
                    user=account,
                    actor=current_user,
                    role=role,
                    brand=brand,
                    verified=form.verified.data,
                    active=form.active.data,
                )
            except accounts.LastAdmin:
                form.role.errors.append(
                    _("This is the last active administrator; make someone else one first.")
                )
            else:
                session.commit()
                flash(
                    _("The account was updated.") if changes else _("Nothing changed."),
                    "success",
                )
                return redirect(url_for("admin.user", user_id=account.id))
    brand = session.get(Brand, account.brand_id) if account.brand_id else None
    status = 422 if form.errors else 200
    return render_template(
        "admin/user.html",
        account=account,
        form=form,
        brand=brand,
        events=accounts.events(session, account),
    ), status
