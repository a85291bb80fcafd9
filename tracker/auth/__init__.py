"""Accounts on the web: log in and out, register, reset a password; who may do what.

Access checks live here and nowhere else: views say `@login_required` or
`@role_required(...)`; representatives are checked with `current_user.speaks_for(brand_id)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.auth.cookies import SecureCookiesOverHttps
from tracker.auth.views import bp
from tracker.db import get_session
from tracker.models import Role, User

__all__ = ["bp", "init_app", "login_required", "moderator_required", "role_required"]

csrf = CSRFProtect()


@dataclass(frozen=True)
class UserNavItem:
    endpoint: str
    label: object
    order: int
    allowed: Callable[[User], bool]


def register_user_nav(
    app: Flask, endpoint: str, title: object, order: int, allowed: Callable[[User], bool]
) -> None:
    """Add a link to the header's account area, shown to the users allowed() accepts."""
    app.extensions.setdefault("tracker_user_nav", []).append(
        UserNavItem(endpoint, title, order, allowed)
    )


def _user_nav_items() -> list[UserNavItem]:
    if not current_user.is_authenticated:
        return []
    items = current_app.extensions.get("tracker_user_nav", [])
    return sorted((i for i in items if i.allowed(current_user)), key=lambda i: i.order)


def role_required(*roles: Role) -> Callable:
    """Let only logged-in users with one of these roles through: others get 403, and
    visitors who are not logged in are sent to the login page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorator


moderator_required = role_required(Role.moderator, Role.admin)
admin_required = role_required(Role.admin)


def load_user(user_id: str) -> User | None:
    """Find the logged-in account; a changed password or a deactivation ends the session."""
    key, _, fingerprint = user_id.partition(":")
    if not key.isdigit():
        return None
    user = get_session().get(User, int(key))
    if user is None or not user.is_active or user.login_fingerprint != fingerprint:
        return None
    return user


def init_app(app: Flask) -> None:
    """Set up CSRF on every POST, logins, secure cookies and the proxy headers to trust."""
    csrf.init_app(app)
    manager = LoginManager(app)
    manager.user_loader(load_user)
    manager.login_view = "auth.login"
    manager.login_message = _l("Please log in to see that page.")
    manager.login_message_category = "info"
    manager.localize_callback = str  # the message is a lazy string; the session needs text
    app.register_blueprint(bp)
    app.jinja_env.globals["user_nav_items"] = _user_nav_items

    app.wsgi_app = SecureCookiesOverHttps(app.wsgi_app)
    if app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, **app.config["PROXY_FIX"])

    app.after_request(_private_when_logged_in)
    app.register_error_handler(CSRFError, _csrf_error)


def _csrf_error(error: CSRFError):
    return render_template("auth/csrf_error.html", error=error), 400


def _private_when_logged_in(response):
    # A page that shows who is logged in must not be kept by a shared cache.
    if current_user.is_authenticated or (request.endpoint or "").startswith("auth."):
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.add("Cookie")
    return response
