"""A wheel built from the checkout, installed into a fresh virtual environment, serves the site.

The new environment sees the test environment's packages for its dependencies (through a
.pth file, to stay fast and offline), but `tracker` itself, its templates, static files,
seeds, migrations and compiled catalogues must come from the installed wheel.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
import requests
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "tracker" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"

pytestmark = pytest.mark.slow


def run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(arg) for arg in args], capture_output=True, text=True, timeout=300, **kwargs
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dutch(message: str) -> str:
    with CATALOGUE.open("rb") as po_file:
        translation = read_po(po_file)[message].string
    assert translation and translation != message
    return translation


def seeded_brand() -> tuple[str, str] | None:
    """Return the slug and name of a brand in the shipped seeds, KLM if it is there."""
    files = sorted((ROOT / "seeds" / "brands").glob("*.yaml"))
    files.sort(key=lambda path: path.stem != "klm")
    for path in files:
        brand = yaml.safe_load(path.read_text()).get("brand", {})
        if brand.get("key") and brand.get("name"):
            return brand["key"], brand["name"]
    return None


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its python."""
    work = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", work, ROOT)
    [wheel] = work.glob("*.whl")
    venv = work / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip()
    )
    # Dependencies from the test environment, after the new one's own site-packages.
    (site / "test-env-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", wheel)
    return python


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    venv = installed.parent.parent
    probe = run(
        installed,
        "-c",
        "import tracker; from tracker.config import resource_path as r; "
        "print(tracker.__file__); print(r('templates')); print(r('static')); print(r('seeds'))",
        cwd=venv.parent,
    ).stdout.split()
    assert all(Path(path).is_relative_to(venv) for path in probe), probe
    package = Path(probe[0]).parent
    assert list(package.glob("translations/nl/LC_MESSAGES/messages.mo"))
    assert (package / "migrations" / "versions").is_dir()


def test_the_installed_app_migrates_seeds_and_serves_on_first_start(installed, db_kit, tmp_path):
    outside = tmp_path / "elsewhere"  # not the checkout: nothing may be found relative to it
    outside.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRACKER_")}
    env.pop("DATABASE_URL", None)
    env["TRACKER_INSTANCE_PATH"] = str(tmp_path / "instance")
    if db_kit.kind == "postgresql":  # on the PostgreSQL run, a fresh, empty database there
        env["DATABASE_URL"] = db_kit.fresh(migrated=False)
    port = free_port()
    server = subprocess.Popen(
        [installed, "-m", "flask", "--app", "tracker", "run", "--port", str(port)],
        cwd=outside,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.stdout.read()
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the installed app did not start"
            time.sleep(0.3)

        home = requests.get(f"{base}/", timeout=10)
        assert home.status_code == 200
        assert '<html lang="en"' in home.text
        css = home.text.split('rel="stylesheet" href="')[1].split('"')[0]
        stylesheet = requests.get(f"{base}{css}", timeout=10)
        assert stylesheet.status_code == 200
        assert "text/css" in stylesheet.headers["Content-Type"]
        assert len(stylesheet.content) > 1000

        dutch_home = requests.get(f"{base}/", headers={"Accept-Language": "nl"}, timeout=10)
        assert '<html lang="nl"' in dutch_home.text
        assert dutch("Skip to content") in dutch_home.text

        index = requests.get(f"{base}/brands/", timeout=10)
        assert index.status_code == 200
        brand = seeded_brand()
        if brand is not None:  # seeds/ holds brands: the first start loaded them
            slug, name = brand
            assert name in index.text
            page = requests.get(f"{base}/brands/{slug}", headers={"Accept-Language": "nl"})
            assert page.status_code == 200
            assert name in page.text
            assert dutch("Timeline") in page.text
    finally:
        server.terminate()
        server.wait(timeout=10)
        print(server.stdout.read())  # the server's log, shown by pytest when the test fails
    if db_kit.kind == "sqlite":
        assert (tmp_path / "instance" / "tracker.sqlite3").exists()
