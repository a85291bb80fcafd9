"""Open data: the downloads at /data/, the Atom feeds, and what search engines read."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from tracker.opendata import structured
from tracker.opendata.builds import Builder, build_downloads_command
from tracker.opendata.views import bp
from tracker.web import register_nav


def init_app(app: Flask) -> None:
    """Register downloads (and the command that builds them), feeds, sitemap and robots.txt."""
    app.extensions["opendata_builder"] = Builder(app)
    app.cli.add_command(build_downloads_command)
    app.register_blueprint(bp)
    register_nav(app, "opendata.data_page", _l("Open data"), 80)
    app.jinja_env.globals.update(
        claim_reviews=structured.claim_reviews,
        claim_verdict=structured.verdict,
        organization_ld=structured.organization,
    )
