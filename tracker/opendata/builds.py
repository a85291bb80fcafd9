"""The downloads are built off the request: by a command, or in a thread of the serving process.

`flask --app tracker build-downloads` builds them now (after a bulk load, or from cron on a
large installation, so that no reader ever waits for the first build).

A request never builds. It gets the last complete build; when that is missing or stale, it
starts a build in the background (one per process, and one at a time across processes, by
the build lock) and waits at most OPENDATA_WAIT seconds for it: a small dataset is served
fresh, a large one is served from the previous build until the new one is complete. With no
build at all yet, the view answers 503 with Retry-After.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from tracker.db import get_db, get_session
from tracker.services import export


def export_root(app: Flask) -> Path:
    """Return the folder the builds live in."""
    return Path(app.instance_path) / "opendata"


def max_age(app: Flask) -> dt.timedelta:
    """Return how long a changed record may wait for new downloads."""
    return dt.timedelta(seconds=app.config["OPENDATA_MAX_AGE"])


class Builder:
    """Start and follow the background builds of one app."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def current(self, *, site: str) -> dict | None:
        """Return the manifest to serve, starting a background build first if it is stale."""
        root = export_root(self.app)
        manifest = export.current(root)
        if not export.stale(get_session(), manifest, max_age(self.app)):
            return manifest
        thread = self.start(site=site)
        thread.join(self.app.config["OPENDATA_WAIT"])
        return export.current(root) or manifest

    def start(self, *, site: str) -> threading.Thread:
        """Start a build in the background unless one is running here; return its thread."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._build, args=(site,), name="opendata-build", daemon=True
                )
                self._thread.start()
            return self._thread

    def _build(self, site: str) -> None:
        app = self.app
        with app.app_context(), force_locale("en"):
            try:
                with app.extensions["tracker_db"].session() as session:
                    export.rebuild(
                        session,
                        root=export_root(app),
                        site=site,
                        max_age=max_age(app),
                        wait=False,  # another process is building: it will do
                    )
            except Exception:
                app.logger.exception("Building the downloads failed")


def builder(app: Flask) -> Builder:
    """Return the app's builder."""
    return app.extensions["opendata_builder"]


@click.command("build-downloads")
@click.option("--force", is_flag=True, help="Build even if the files are up to date.")
@click.option("--site", help="The site's public address, for the links in the data (SITE_URL).")
@with_appcontext
def build_downloads_command(force: bool, site: str | None) -> None:
    """Build the downloads at /data/ now if the record changed since the last build."""
    site = site or current_app.config["SITE_URL"]
    if not site:
        raise click.UsageError(
            "the links in the data need the site's address: set TRACKER_SITE_URL or pass --site"
        )
    site = site if site.endswith("/") else site + "/"
    root = export_root(current_app)
    before = export.current(root)
    with force_locale("en"), get_db().session() as session:
        manifest = export.rebuild(session, root=root, site=site, force=force)
    assert manifest is not None  # rebuild waits for a build in another process
    if before and manifest["folder"] == before["folder"]:
        click.echo(f"The downloads are up to date (made {manifest['made_at']}).")
    else:
        click.echo(f"Downloads built in {manifest['seconds']} s, for {manifest['site']}:")
    for name, file in manifest["files"].items():
        click.echo(f"  {name}  {file['bytes']:,} bytes  sha256 {file['sha256']}")
