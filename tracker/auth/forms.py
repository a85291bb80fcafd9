"""Forms for logging in, registering, resetting a password and the account page."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from tracker.forms import HoneypotForm, TrackerForm, newlines, strip
from tracker.services.accounts import HANDLE_PATTERN

EMAIL_MAX = 320
# Deliberately loose: one @, no spaces, a dot in the domain. Whether mail arrives is what
# counts, and only sending a message shows that.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PASSWORD_MAX = 1000  # Argon2 takes any length; this only stops absurd request bodies


def _email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=EMAIL_MAX, message=_l("Use at most %(max)d characters.")),
            Regexp(EMAIL_PATTERN, message=_l("Enter an email address like name@example.org.")),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


class NewPassword:
    """A new password: long enough, not absurdly long."""

    def __call__(self, form, field) -> None:
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if len(field.data or "") < minimum:
            raise ValidationError(
                _l(
                    "Use at least %(min)d characters; a few words make a good password.",
                    min=minimum,
                )
            )
        if len(field.data) > PASSWORD_MAX:
            raise ValidationError(_l("Use at most %(max)d characters.", max=PASSWORD_MAX))


def _new_password_fields():
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")), NewPassword()],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(HoneypotForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password.")),
            Length(max=PASSWORD_MAX, message=_l("Use at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device for 30 days"))


class RegisterForm(HoneypotForm):
    email = _email_field()
    display_name = StringField(
        _l("Your name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter a name.")),
            Length(max=120, message=_l("Use at most %(max)d characters.")),
        ],
        description=_l("Shown to moderators only, never on the public site."),
        render_kw={"autocomplete": "name"},
    )
    password, confirm = _new_password_fields()


class ResetRequestForm(HoneypotForm):
    email = _email_field()


class ResetForm(TrackerForm):
    password, confirm = _new_password_fields()


class ProfileForm(TrackerForm):
    display_name = StringField(
        _l("Your name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter a name.")),
            Length(max=120, message=_l("Use at most %(max)d characters.")),
        ],
        description=_l("Shown to moderators only, never on the public site."),
    )
    public_handle = StringField(
        _l("Public handle"),
        filters=[strip],
        validators=[
            DataRequired(_l("Choose a handle.")),
            Regexp(
                HANDLE_PATTERN,
                message=_l(
                    "Use 3 to 40 lower-case letters, digits and hyphens, starting and ending "
                    "with a letter or digit."
                ),
            ),
        ],
        description=_l(
            "If you moderate, your decisions are published in the moderation log under this handle."
        ),
    )


class PasswordForm(TrackerForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = _new_password_fields()


class RepresentationForm(TrackerForm):
    brand = SelectField(
        _l("Brand"),
        validators=[DataRequired(_l("Choose the brand you speak for."))],
        coerce=str,
    )
    note = TextAreaField(
        _l("How can we check that you speak for this brand?"),
        filters=[newlines],
        validators=[
            DataRequired(_l("Tell the administrators how to check your role.")),
            Length(max=2000, message=_l("Use at most %(max)d characters.")),
        ],
        description=_l(
            "For example your role, your work email address at the brand's domain, or a page "
            "on the brand's website that names you. An administrator checks it before you "
            "can answer on the brand's behalf."
        ),
    )
