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
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("en", "nl")
    PAGE_SIZE = 50
    SQL_ECHO = False
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REDIS_URL = None
    SITE_NAME = "Claims & Evidence"


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
