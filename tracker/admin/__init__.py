"""Admin pages: accounts, roles and the verification of brand representatives."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from tracker.admin.views import bp
from tracker.auth import register_user_nav


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_user_nav(app, "admin.users", _l("Users"), 60, lambda user: user.is_admin)
