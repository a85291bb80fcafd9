"""Cookies that never travel in clear text once the site is reached over HTTPS."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def _with_secure(header: str) -> str:
    attributes = [part.strip().lower() for part in header.split(";")[1:]]
    return header if "secure" in attributes else f"{header}; Secure"


class SecureCookiesOverHttps:
    """WSGI middleware: mark every cookie Secure when the request came over HTTPS.

    It follows the request (wsgi.url_scheme, which ProxyFix sets from X-Forwarded-Proto
    behind a trusted proxy), so the same deployment works on plain http://localhost in
    development and sends the session, remember-me and language cookies only over TLS in
    production. SESSION_COOKIE_SECURE / REMEMBER_COOKIE_SECURE can still force it always.
    """

    def __init__(self, wsgi_app: Callable):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def start_secure(status, headers, exc_info=None):
            headers = [
                (name, _with_secure(value) if name.lower() == "set-cookie" else value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_secure)
