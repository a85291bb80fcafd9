"""Accounts: registering, checking passwords, reset tokens, roles and representatives."""

from __future__ import annotations

import re
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, func, select

from tracker.db import utcnow
from tracker.models import AccountAction, AccountEvent, Brand, Role, User

# The library's defaults follow RFC 9106's second recommendation; check_needs_rehash moves
# stored hashes to whatever the defaults become on the next successful login.
hasher = PasswordHasher()
# Compared against when the email is unknown, so a login takes as long either way.
_DUMMY_HASH = hasher.hash(secrets.token_hex(16))
RESET_SALT = "password-reset"
HANDLE_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")


class AccountError(Exception):
    """An account operation was refused; field names the form field it concerns."""

    field: str | None = None

    def __init__(self, message: str = "", field: str | None = None):
        super().__init__(message)
        if field:
            self.field = field


class EmailTaken(AccountError):
    field = "email"


class HandleTaken(AccountError):
    field = "public_handle"


class InvalidCredentials(AccountError):
    """The email and password do not match an active account."""


class InvalidToken(AccountError):
    """The reset link is malformed, expired, or was already used."""


class LastAdmin(AccountError):
    """The change would leave the site without an active administrator."""


def normalise_email(email: str) -> str:
    """Return the form an email address is stored and compared in."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """Return an Argon2id hash of the password."""
    return hasher.hash(password)


def handle_from(name: str) -> str:
    """Turn a display name into a handle's stem: lower-case ASCII letters, digits, hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:30].strip("-")
    return stem if len(stem) >= 3 else "contributor"


def _handle_free(session: Session, handle: str, *, except_user: User | None = None) -> bool:
    query = select(User.id).where(User.public_handle == handle)
    if except_user is not None and except_user.id is not None:
        query = query.where(User.id != except_user.id)
    return session.exec(query).first() is None


def unique_handle(session: Session, name: str) -> str:
    """Return a free public handle derived from a name."""
    stem = handle_from(name)
    if _handle_free(session, stem):
        return stem
    while True:
        candidate = f"{stem}-{secrets.token_hex(2)}"
        if _handle_free(session, candidate):
            return candidate


def find_by_email(session: Session, email: str) -> User | None:
    """Return the account with that email address, if any."""
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def register(
    *,
    session: Session,
    email: str,
    display_name: str,
    password: str,
    role: Role = Role.contributor,
    public_handle: str | None = None,
    actor: User | None = None,
) -> User:
    """Create an account; raise EmailTaken or HandleTaken."""
    email = normalise_email(email)
    if find_by_email(session, email) is not None:
        raise EmailTaken("an account with this email address exists")
    if public_handle is None:
        public_handle = unique_handle(session, display_name)
    elif not _handle_free(session, public_handle):
        raise HandleTaken("this handle is taken")
    user = User(
        email=email,
        display_name=display_name.strip(),
        public_handle=public_handle,
        password_hash=hash_password(password),
        role=role,
    )
    session.add(user)
    session.flush()
    _event(session, user, AccountAction.registered, actor=actor, role=role.value)
    return user


def authenticate(*, session: Session, email: str, password: str) -> User:
    """Return the active account these credentials open, rehashing an outdated hash."""
    user = find_by_email(session, email)
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise InvalidCredentials("wrong email or password") from None
    if user is None or not user.is_active:
        raise InvalidCredentials("wrong email or password")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.add(user)
    return user


def check_password(user: User, password: str) -> bool:
    """Say whether password is the user's current password."""
    try:
        return hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(*, session: Session, user: User, password: str) -> None:
    """Give the account a new password; every other session and reset link stops working."""
    user.password_hash = hash_password(password)
    user.updated_at = utcnow()
    session.add(user)


def update_profile(*, session: Session, user: User, display_name: str, public_handle: str) -> None:
    """Change the account's display name and public handle; raise HandleTaken."""
    if not _handle_free(session, public_handle, except_user=user):
        raise HandleTaken("this handle is taken")
    user.display_name = display_name.strip()
    user.public_handle = public_handle
    user.updated_at = utcnow()
    session.add(user)


# --- Password reset links ------------------------------------------------------------


def reset_token(*, user: User, secret_key: str) -> str:
    """Return a signed, expiring token that resets this user's current password once."""
    serializer = URLSafeTimedSerializer(secret_key, salt=RESET_SALT)
    return serializer.dumps({"u": user.id, "f": user.login_fingerprint})


def user_for_reset(*, session: Session, token: str, secret_key: str, max_age: int) -> User:
    """Return the account a reset token belongs to; raise InvalidToken.

    The token carries a digest of the password hash it was made for, so it stops working
    as soon as the password changes: it can be used once.
    """
    serializer = URLSafeTimedSerializer(secret_key, salt=RESET_SALT)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidToken("this link has expired") from None
    except BadSignature:
        raise InvalidToken("this link is not valid") from None
    user = session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active or user.login_fingerprint != data.get("f"):
        raise InvalidToken("this link is not valid")
    return user


def reset_password(*, session: Session, user: User, password: str) -> None:
    """Set a new password through a reset link, and note it on the account."""
    set_password(session=session, user=user, password=password)
    _event(session, user, AccountAction.password_reset)


# --- Roles and representatives -------------------------------------------------------


def _active_admins(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.admin, User.is_active == True)  # noqa: E712
    ).one()


def change_access(
    *,
    session: Session,
    user: User,
    actor: User,
    role: Role,
    brand: Brand | None = None,
    verified: bool = False,
    active: bool = True,
) -> list[AccountAction]:
    """Set an account's role, represented brand, verification and activity, as an admin.

    Raise LastAdmin rather than leave no active administrator. Return what changed.
    """
    was_admin = user.role == Role.admin and user.is_active
    will_be_admin = role == Role.admin and active
    if was_admin and not will_be_admin and _active_admins(session) <= 1:
        raise LastAdmin("the site needs at least one active administrator")
    if role != Role.representative:
        brand, verified = None, False
    if brand is None:
        verified = False
    changes: list[AccountAction] = []
    if role != user.role:
        _event(session, user, AccountAction.role_changed, actor=actor, old=user.role, new=role)
        changes.append(AccountAction.role_changed)
    brand_id = brand.id if brand else None
    if verified != user.representative_verified or (verified and brand_id != user.brand_id):
        action = (
            AccountAction.representative_verified
            if verified
            else AccountAction.representative_unverified
        )
        _event(session, user, action, actor=actor, brand_id=brand_id)
        changes.append(action)
    if active != user.is_active:
        action = AccountAction.reactivated if active else AccountAction.deactivated
        _event(session, user, action, actor=actor)
        changes.append(action)
    user.role = role
    user.brand_id = brand_id
    user.representative_verified = verified
    user.is_active = active
    user.updated_at = utcnow()
    session.add(user)
    return changes


def request_representation(*, session: Session, user: User, brand: Brand, note: str) -> None:
    """Ask to speak for a brand; an administrator verifies the request before it counts."""
    if user.role not in (Role.contributor, Role.representative):
        raise AccountError("moderators and administrators cannot represent a brand")
    user.role = Role.representative
    user.brand_id = brand.id
    user.representative_verified = False
    user.representative_note = note
    user.updated_at = utcnow()
    session.add(user)
    _event(session, user, AccountAction.representative_requested, brand_id=brand.id)


def events(session: Session, user: User, limit: int = 50) -> list[AccountEvent]:
    """Return what happened to an account, newest first."""
    return list(
        session.exec(
            select(AccountEvent)
            .where(AccountEvent.user_id == user.id)
            .order_by(AccountEvent.created_at.desc(), AccountEvent.id.desc())
            .limit(limit)
        )
    )


def _event(
    session: Session, user: User, action: AccountAction, *, actor: User | None = None, **detail
) -> None:
    session.flush()
    detail = {
        key: (value.value if hasattr(value, "value") else value) for key, value in detail.items()
    }
    session.add(
        AccountEvent(
            user_id=user.id, actor_id=actor.id if actor else None, action=action, detail=detail
        )
    )
