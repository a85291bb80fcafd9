"""Retake the README's screenshot: a seeded brand's timeline in headless Chromium.

    .venv/bin/python scripts/screenshot.py [--brand klm] [--out static/img/screenshot.png]

Serves the app from a temporary instance (migrated and seeded from seeds/ on first start) on
a loopback port, opens the brand page in Debian's /usr/bin/chromium through Playwright and
saves a PNG of the top of the page. Never downloads a browser.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tracker import create_app

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brand", default="klm", help="the slug of a seeded brand")
    parser.add_argument("--out", type=Path, default=ROOT / "static" / "img" / "screenshot.png")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1500)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"INSTANCE_PATH": instance, "DATABASE_URL": None})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page(
                    viewport={"width": args.width, "height": args.height}, locale="en-GB"
                )
                url = f"http://127.0.0.1:{server.server_port}/brands/{args.brand}"
                response = page.goto(url)
                if response is None or response.status != 200:
                    raise SystemExit(f"{url} answered {response and response.status}")
                page.wait_for_selector(".timeline .event")
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out), full_page=False)
                browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=5)
    print(f"Saved {args.out}")


if __name__ == "__main__":
    main()
