"""Rate limits on the forms that write: per client address and per account.

Counters live in memory (per worker process) unless REDIS_URL is set; then every worker
shares them in Redis. A breach answers 429 with the site's error page. Views are marked with
`rate_limited(...)` where they are defined; each app gets its own Limiter, configured from
its settings, which wraps the marked views once the blueprints are registered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_login import current_user

SUBMIT = "submit"
AUTH = "auth"
LOGIN = "login"


def rate_limited(*scopes: str) -> Callable:
    """Mark a view as drawing on the named rate-limit budgets (SUBMIT, AUTH, LOGIN)."""

    def mark(view: Callable) -> Callable:
        view.rate_limit_scopes = scopes  # type: ignore[attr-defined]
        return view

    return mark


def client_address() -> str:
    """Return the client's address (ProxyFix puts the real one here behind a proxy)."""
    return request.remote_addr or "unknown"


def account_key() -> str:
    return f"account:{current_user.get_id()}"


def login_email_key() -> str:
    """Key login attempts by the address being tried, so one account cannot be hammered."""
    email = (request.form.get("email") or "").strip().lower()
    return "login:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def _anonymous() -> bool:
    return not current_user.is_authenticated


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _decorators(limiter: Limiter) -> dict[str, list[Callable]]:
    # Shared scopes: every form of a kind draws on one budget, so switching forms gains
    # nothing. Only POSTs count; reading a form is free.
    return {
        SUBMIT: [
            limiter.shared_limit(_setting("RATELIMIT_SUBMIT"), scope="submit", methods=["POST"]),
            limiter.shared_limit(
                _setting("RATELIMIT_SUBMIT_ACCOUNT"),
                scope="submit-account",
                key_func=account_key,
                exempt_when=_anonymous,
                methods=["POST"],
            ),
        ],
        AUTH: [limiter.shared_limit(_setting("RATELIMIT_AUTH"), scope="auth", methods=["POST"])],
        LOGIN: [
            limiter.shared_limit(
                _setting("RATELIMIT_AUTH_ACCOUNT"),
                scope="login-account",
                key_func=login_email_key,
                methods=["POST"],
            )
        ],
    }


def init_app(app: Flask) -> Limiter:
    """Create the app's Limiter and wrap every marked view; call after the blueprints."""
    config = app.config
    redis_url = config.get("REDIS_URL")
    limiter = Limiter(
        key_func=client_address,
        storage_uri=config.get("RATELIMIT_STORAGE_URI") or redis_url or "memory://",
        key_prefix=config.get("RATELIMIT_KEY_PREFIX") or "tracker",
        # If Redis goes away, keep serving with per-process counters rather than fail pages.
        swallow_errors=True,
        in_memory_fallback_enabled=bool(redis_url),
        headers_enabled=True,
        enabled=bool(config.get("RATELIMIT_ENABLED", True)),
    )
    limiter.init_app(app)
    decorators = _decorators(limiter)
    for endpoint, view in list(app.view_functions.items()):
        for scope in getattr(view, "rate_limit_scopes", ()):
            for decorate in decorators[scope]:
                view = decorate(view)
        app.view_functions[endpoint] = view
    app.extensions["tracker_limiter"] = limiter
    return limiter
