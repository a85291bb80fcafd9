"""The search page, and the search box in every page's header."""

from flask import Flask

from tracker.search.views import bp


def init_app(app: Flask) -> None:
    """Register the search page."""
    app.register_blueprint(bp)
