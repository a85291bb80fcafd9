"""URLs as the tracker compares them: one key for every spelling of the same page."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

# Parameters that only say how a reader arrived; they never change which page it is.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src"}
)


def url_key(url: str) -> str:
    """Return a normalised form of url for finding duplicates.

    Scheme, "www.", default ports, fragments, trailing slashes, tracking parameters and the
    order of query parameters are ignored; the host is compared case-insensitively.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    port = parts.port
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/%:@!$&'()*+,;=-._~").rstrip("/")
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not name.lower().startswith("utm_") and name.lower() not in TRACKING_PARAMETERS
    )
    key = f"{host}{path}"
    if query:
        key += "?" + urlencode(query)
    return key
