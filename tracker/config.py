"""Configuration: defaults, then the instance config file, then TRACKER_* variables."""

import json
import os
from pathlib import Path

from flask import Flask


class Defaults:
    SECRET_KEY = None  # generated into the instance folder on first start
    DATABASE_URL = None  # None means SQLite in the instance folder
    AUTO_MIGRATE = True  # migrate (and seed an empty database) when the app starts
    AUTO_SEED = True
    SEED_PATH = None  # None means the packaged seeds/ folder
    LEGAL_RULES_PATH = None  # None means the packaged tracker/legal/rules.yaml
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("en", "nl")
    PAGE_SIZE = 50
    SQL_ECHO = False
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Cookies are marked Secure whenever the request came over HTTPS (tracker.auth.cookies);
    # set SESSION_COOKIE_SECURE to insist on it regardless.
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 30 * 24 * 3600
    # Behind a reverse proxy, trust this many proxies' X-Forwarded-For/-Proto/-Host headers,
    # e.g. {"x_for": 1, "x_proto": 1, "x_host": 1}. Empty means no proxy is trusted.
    PROXY_FIX = {}
    REDIS_URL = None
    SITE_NAME = "Claims & Evidence"
    # The site's public address, ending in "/" ("https://claims.example.org/"): the links in
    # the downloads. Without it, the address a request came to (and build-downloads needs
    # --site).
    SITE_URL = None
    # Downloads (/data/): a changed record waits at most OPENDATA_MAX_AGE seconds for new
    # files; a request that finds them stale starts a build in the background and waits for
    # it at most OPENDATA_WAIT seconds, else gets the previous build.
    OPENDATA_MAX_AGE = 600
    OPENDATA_WAIT = 2.0
    # Accounts and contributions
    ANONYMOUS_SUBMISSIONS = True  # contributing without an account
    FOUR_EYES_CONTRADICTIONS = True  # a second moderator confirms every new contradiction
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_RESET_MAX_AGE = 3600  # seconds a reset link stays valid
    # Mail: without MAIL_SERVER, each message is written to MAIL_OUTBOX (default
    # instance/outbox/) as one .eml file; with it, sent over SMTP.
    MAIL_SERVER = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True  # STARTTLS on MAIL_PORT
    MAIL_USE_SSL = False  # implicit TLS (usually port 465)
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "tracker@localhost"
    MAIL_OUTBOX = None
    MAIL_TIMEOUT = 10
    # Rate limits (Flask-Limiter syntax), per client address and per account. Counters live
    # in memory per worker, or in Redis when REDIS_URL is set (shared by every worker).
    RATELIMIT_ENABLED = True
    RATELIMIT_SUBMIT = "10 per minute;60 per hour"
    RATELIMIT_SUBMIT_ACCOUNT = "30 per hour;200 per day"
    RATELIMIT_AUTH = "10 per minute;100 per hour"
    RATELIMIT_AUTH_ACCOUNT = "20 per hour"
    RATELIMIT_KEY_PREFIX = "tracker"
    # Fetching source pages (tracker.evidence.fetching): public http(s) addresses on ports 80
    # and 443 only; FETCH_ALLOW_HOSTS opens named hosts or networks ("127.0.0.1:8080",
    # "10.0.0.0/8", "archive.test") on any port, for tests and closed installations.
    FETCH_USER_AGENT = "CSR-Claims-Tracker/0.1 (+evidence archiver)"
    FETCH_CONNECT_TIMEOUT = 5.0  # seconds per connection attempt
    FETCH_READ_TIMEOUT = 20.0  # seconds of silence while waiting for data
    FETCH_TOTAL_TIMEOUT = 60.0  # seconds for a whole fetch, redirects and body included
    FETCH_MAX_BYTES = 20 * 1024 * 1024  # a longer body is cut there (and marked truncated)
    FETCH_MAX_REDIRECTS = 5
    FETCH_ALLOW_HOSTS = ()
    # Optionally ask the Wayback Machine to capture each source too (tracker.evidence.wayback).
    WAYBACK_ENABLED = False
    WAYBACK_SAVE_URL = "https://web.archive.org/save/"
    WAYBACK_TIMEOUT = 120.0  # seconds; saving answers when the capture is done
    # Background jobs (huey): a SQLite file (JOBS_DATABASE, default instance/jobs.sqlite3),
    # or Redis when REDIS_URL is set; JOBS_IMMEDIATE runs each job inline (the tests).
    JOBS_DATABASE = None
    JOBS_IMMEDIATE = False
    # `flask run` (the quick start) runs one worker thread inside the server from its first
    # request, so one command also archives sources; gunicorn never does (run `flask worker`).
    WORKER_IN_PROCESS = True
    # Archived copies of sources: WARC files under ARCHIVE_PATH (default instance/archive/).
    # A failed fetch is retried after ARCHIVE_RETRY_DELAY seconds, doubling each time up to
    # ARCHIVE_RETRY_MAX_DELAY, at most ARCHIVE_RETRY_LIMIT times in a row; the sweep queues
    # at most ARCHIVE_SWEEP_BATCH fetches a minute.
    ARCHIVE_PATH = None
    ARCHIVE_RETRY_DELAY = 60
    ARCHIVE_RETRY_MAX_DELAY = 86400
    ARCHIVE_RETRY_LIMIT = 8
    ARCHIVE_SWEEP_BATCH = 100
    # Link health: each archived source address is re-checked every LINK_CHECK_INTERVAL
    # seconds (0: no scheduled checks), a broken one after LINK_CHECK_RETRY_DELAY seconds,
    # doubling up to the interval; at most one request per host per LINK_CHECK_HOST_DELAY
    # seconds and LINK_CHECK_BATCH addresses per run. Readers are told a page is unavailable
    # after LINK_CHECK_CONFIRM broken checks in a row.
    LINK_CHECK_INTERVAL = 86400
    LINK_CHECK_RETRY_DELAY = 3600
    LINK_CHECK_HOST_DELAY = 5
    LINK_CHECK_BATCH = 100
    LINK_CHECK_CONFIRM = 2


def _coerce(raw: str):
    """Read an environment value as JSON where it parses, else as the plain string."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def load_config(app: Flask, overrides: dict | None = None) -> None:
    """Fill app.config from defaults, instance/config.py, TRACKER_* and DATABASE_URL."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for key, raw in os.environ.items():
        if key.startswith("TRACKER_"):
            app.config[key.removeprefix("TRACKER_")] = _coerce(raw)
    for plain in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        if os.environ.get(plain):
            app.config[plain] = os.environ[plain]
    if overrides:
        app.config.update(overrides)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def _instance_secret(instance: Path) -> str:
    """Return the secret key kept in the instance folder, creating it once."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(os.urandom(32).hex())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def resource_path(name: str) -> Path:
    """Return a shipped folder (templates, static, seeds): inside the package when installed
    from a wheel, at the top of the repository in a checkout."""
    package = Path(__file__).parent
    installed = package / name
    return installed if installed.is_dir() else package.parent / name
