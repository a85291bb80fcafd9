"""Compile the gettext catalogues (.po to .mo). Needs only Babel, so the build can use it."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).parent / "translations"


def compile_catalogues(folder: Path = TRANSLATIONS, *, stale_only: bool = False) -> list[Path]:
    """Write a .mo beside every .po (only those older than their .po if stale_only)."""
    written = []
    for po_path in sorted(folder.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if stale_only and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written
