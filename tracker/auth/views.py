"""Log in and out, register, reset a forgotten password, and the account page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlmodel import select

from tracker import notify
from tracker.auth.forms import (
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
    RepresentationForm,
    ResetForm,
    ResetRequestForm,
)
from tracker.db import get_session
from tracker.forms import EmptyForm
from tracker.limits import AUTH, LOGIN, rate_limited
from tracker.models import Brand, Visibility
from tracker.services import accounts

bp = Blueprint("auth", __name__)


def EMAIL_TAKEN() -> str:
    return _("An account with this email address exists. Log in, or reset its password.")


def safe_next(default: str) -> str:
    """Return ?next= when it is a path on this site, else default (no open redirects)."""
    target = request.values.get("next") or ""
    parts = urlsplit(target)
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not parts.scheme
        and not parts.netloc
    ):
        return target
    return default


@bp.route("/login", methods=["GET", "POST"])
@rate_limited(AUTH, LOGIN)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("auth.account")))
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            user = accounts.authenticate(
                session=session, email=form.email.data, password=form.password.data
            )
        except accounts.InvalidCredentials:
            form.password.errors.append(_("Wrong email address or password."))
        else:
            session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(safe_next(url_for("auth.account")))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash(_("You are logged out."), "success")
    return redirect(url_for("public.home"))


@bp.route("/register", methods=["GET", "POST"])
@rate_limited(AUTH)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("auth.account"))
    form = RegisterForm()
    if form.is_submitted():
        session = get_session()
        valid = form.validate()
        # Say so now rather than after the other fields are fixed.
        if not form.email.errors and accounts.find_by_email(session, form.email.data or ""):
            form.email.errors.append(EMAIL_TAKEN())
            valid = False
        try:
            user = valid and accounts.register(
                session=session,
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
            )
        except accounts.EmailTaken:
            form.email.errors.append(EMAIL_TAKEN())
            user = None
        if user:
            session.commit()
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(safe_next(url_for("auth.account")))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/reset-password", methods=["GET", "POST"])
@rate_limited(AUTH)
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(get_session(), form.email.data)
        if user is not None and user.is_active:
            token = accounts.reset_token(user=user, secret_key=current_app.secret_key)
            notify.send(
                user.email,
                "mail/reset_subject.txt",
                "mail/reset.txt",
                locale=str(get_locale()),
                user=user,
                link=url_for("auth.reset", token=token, _external=True),
                hours=current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600 or 1,
            )
        # The same answer whether or not the address has an account: no one can use this
        # form to find out who is registered.
        flash(
            _(
                "If an account uses that address, a message with a link to choose a new "
                "password is on its way. The link works once, for a limited time."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@rate_limited(AUTH)
def reset(token: str):
    session = get_session()
    try:
        user = accounts.user_for_reset(
            session=session,
            token=token,
            secret_key=current_app.secret_key,
            max_age=current_app.config["PASSWORD_RESET_MAX_AGE"],
        )
    except accounts.InvalidToken:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetForm()
    if form.validate_on_submit():
        accounts.reset_password(session=session, user=user, password=form.password.data)
        session.commit()
        logout_user()
        flash(_("Your password was changed. Log in with the new one."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200


# --- The account page ------------------------------------------------------------------


def _brand_choices() -> list[tuple[str, str]]:
    brands = get_session().exec(
        select(Brand).where(Brand.visibility == Visibility.published).order_by(Brand.name)
    )
    return [("", _("Choose a brand"))] + [(str(brand.id), brand.name) for brand in brands]


def _account_page(status: int = 200, **forms):
    user = current_user._get_current_object()
    profile = forms.get("profile") or ProfileForm(
        formdata=None, display_name=user.display_name, public_handle=user.public_handle
    )
    password = forms.get("password") or PasswordForm(formdata=None)
    representation = forms.get("representation") or RepresentationForm(
        formdata=None, brand=str(user.brand_id or "")
    )
    representation.brand.choices = _brand_choices()
    brand = get_session().get(Brand, user.brand_id) if user.brand_id else None
    return (
        render_template(
            "auth/account.html",
            profile_form=profile,
            password_form=password,
            representation_form=representation,
            represented_brand=brand,
        ),
        status,
    )


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/profile")
@login_required
def profile():
    form = ProfileForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            accounts.update_profile(
                session=session,
                user=current_user,
                display_name=form.display_name.data,
                public_handle=form.public_handle.data,
            )
        except accounts.HandleTaken:
            form.public_handle.errors.append(_("Someone else uses this handle; choose another."))
        else:
            session.commit()
            flash(_("Your profile was saved."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(422, profile=form)


@bp.post("/account/password")
@login_required
@rate_limited(AUTH)
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not accounts.check_password(current_user, form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            session = get_session()
            accounts.set_password(session=session, user=current_user, password=form.password.data)
            session.commit()
            # The session names the old password's fingerprint; log in again with the new.
            login_user(current_user._get_current_object())
            flash(_("Your password was changed. Other devices are logged out."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(422, password=form)


@bp.post("/account/representation")
@login_required
def representation():
    form = RepresentationForm()
    form.brand.choices = _brand_choices()
    if form.validate_on_submit():
        session = get_session()
        brand = session.get(Brand, int(form.brand.data))
        if brand is None:
            abort(400)
        try:
            accounts.request_representation(
                session=session, user=current_user, brand=brand, note=form.note.data
            )
        except accounts.AccountError:
            form.brand.errors.append(
                _("Moderators and administrators cannot speak for a brand with this account.")
            )
        else:
            session.commit()
            flash(
                _(
                    "Thank you. An administrator will check your request; until then you "
                    "cannot answer on the brand's behalf."
                ),
                "success",
            )
            return redirect(url_for("auth.account"))
    return _account_page(422, representation=form)
