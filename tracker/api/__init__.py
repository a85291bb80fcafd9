"""The read API: published records as JSON, described by OpenAPI 3.1."""

from flask import Flask

from tracker.api.views import bp, render_http_error, render_internal_error
from tracker.web import register_error_renderer


def init_app(app: Flask) -> None:
    """Register the API and answer its errors as problem details."""
    app.register_blueprint(bp)
    register_error_renderer(app, bp.url_prefix + "/", render_http_error, render_internal_error)
