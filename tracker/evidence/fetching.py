"""Fetch one user-given URL and describe what came back, without letting it reach inside.

This is the one place that talks to the outside world about sources. `fetch` never raises
for a network or policy problem: it returns a `FetchResult` whose `outcome` says what
happened and whose `reason` says why, so the caller can record it and retry later.

A source URL is chosen by whoever submits it, so every request is treated as hostile
(server-side request forgery). For the first request and for every redirect:

- only http and https, and only ports 80 and 443 (any port for an allow-listed host);
- the host is resolved once; every address it resolves to must be public (see
  `address_problem`: loopback, private, link-local, carrier-grade NAT, multicast, reserved,
  unspecified and their IPv4-mapped, NAT64, 6to4 and Teredo forms are refused);
- the connection goes to the address that was checked, pinned in `_PinnedAdapter`, so a
  second DNS answer cannot swap it (DNS rebinding);
- redirects are followed here, one at a time, at most `max_redirects`, each recorded as a Hop.

The answer is bounded too: connect and read timeouts per operation, a total deadline enforced
by a watchdog that shuts the sockets (a server dripping one byte per second resets every read
timeout), and the body streamed, decoded and cut at `max_bytes`.

requests-hardened is the model and supplies its list of special-purpose ranges; its own
adapter resolves and checks inside requests and can only open loopback, so the resolution,
the wider checks and the allow-list live here and the adapter only connects where told.
Proxies and .netrc from the environment are ignored: a proxy would bypass the pinning.
"""

from __future__ import annotations

import codecs
import contextlib
import enum
import functools
import hashlib
import ipaddress
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.poolmanager import PoolManager
from urllib3.util.connection import allowed_gai_family

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_PORTS = {"http": 80, "https": 443}
PUBLIC_PORTS = frozenset(DEFAULT_PORTS.values())
CHUNK_SIZE = 64 * 1024
TITLE_SCAN_BYTES = 256 * 1024  # the <title> is looked for in this much of an HTML body
TITLE_MAX_LENGTH = 300


class FetchOutcome(enum.StrEnum):
    ok = "ok"  # a response arrived (any HTTP status); see FetchResult.status
    failed = "failed"  # no usable response: DNS failure, timeout, connection reset, TLS...
    refused = "refused"  # not fetched because it is unsafe: scheme, port, private address


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = "CSR-Claims-Tracker/0.1 (+evidence archiver)"
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    # Hosts or networks (e.g. "127.0.0.1", "::1", "127.0.0.0/8", "archive.test") that may be
    # fetched even though they are not public, on any port; "host:port" or "[v6]:port" opens
    # one port only. Empty in production; the tests put loopback here.
    allow_hosts: tuple[str, ...] = ()
    # The whole fetch, redirects and body included, ends after this many seconds.
    total_timeout: float = 60.0

    def __post_init__(self):
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"FETCH_{name.upper()} must be a positive number of seconds")
        if self.max_bytes < 0 or self.max_redirects < 0:
            raise ValueError("FETCH_MAX_BYTES and FETCH_MAX_REDIRECTS cannot be negative")
        for entry in self.allow_hosts:
            _AllowRule.parse(entry)  # raises ValueError naming the entry

    @classmethod
    def from_config(cls, config) -> FetchSettings:
        allow = config.get("FETCH_ALLOW_HOSTS") or ()
        if isinstance(allow, str):  # TRACKER_FETCH_ALLOW_HOSTS="127.0.0.1, ::1"
            allow = allow.replace(",", " ").split()
        return cls(
            user_agent=config.get("FETCH_USER_AGENT", cls.user_agent),
            connect_timeout=float(config.get("FETCH_CONNECT_TIMEOUT", cls.connect_timeout)),
            read_timeout=float(config.get("FETCH_READ_TIMEOUT", cls.read_timeout)),
            max_bytes=int(config.get("FETCH_MAX_BYTES", cls.max_bytes)),
            max_redirects=int(config.get("FETCH_MAX_REDIRECTS", cls.max_redirects)),
            allow_hosts=tuple(allow),
            total_timeout=float(config.get("FETCH_TOTAL_TIMEOUT", cls.total_timeout)),
        )


@dataclass(frozen=True)
class Hop:
    """One response in a redirect chain (the last hop is the final response)."""

    url: str
    status: int
    location: str | None = None


@dataclass(frozen=True)
class FetchResult:
    requested_url: str
    outcome: FetchOutcome
    fetched_at: datetime
    reason: str | None = None  # why it failed, was refused or was cut short
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    last_modified: str | None = None
    etag: str | None = None
    title: str | None = None  # <title> of an HTML page, else None
    body: bytes = b""
    truncated: bool = False  # the body was cut at max_bytes (reason says so)
    sha256: str | None = None  # of body, as kept
    # The final response's status line and headers, as received, for the WARC record.
    http_version: str = "HTTP/1.1"
    reason_phrase: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    hops: tuple[Hop, ...] = field(default_factory=tuple)
    # The address actually connected to for the final response, if known.
    peer_address: str | None = None

    @property
    def size(self) -> int:
        return len(self.body)


# --- Which addresses are public ---------------------------------------------------------

_CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")


def address_problem(address: str | IPAddress) -> str | None:
    """Return why an address must not be fetched from ("a loopback address"), or None."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        # Forms that carry an IPv4 address are judged by that address.
        if ip.ipv4_mapped is not None:
            return _embedded_problem("an IPv4-mapped", ip.ipv4_mapped)
        if ip in _NAT64:  # the well-known prefix never carries a non-public address (RFC 6052)
            return _embedded_problem("a NAT64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip in _LOCAL_NAT64:
            return "a local-use NAT64 address"
        if ip.sixtofour is not None:
            return "a 6to4 address"
        if ip.teredo is not None:
            return "a Teredo tunnel address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip in _CARRIER_GRADE_NAT:
        return "a carrier-grade NAT address"
    if ip.is_multicast:
        return "a multicast address"
    if ip in _SITE_LOCAL:
        return "a site-local address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if any(ip.version == net.version and ip in net for net in EXTRA_BLOCKED_NET_RANGES):
        return "a special-purpose address"
    if not ip.is_global:
        return "not a public address"
    return None


def _embedded_problem(form: str, inner: ipaddress.IPv4Address) -> str | None:
    problem = address_problem(inner)
    return f"{form} form of {inner}, {problem}" if problem else None


@dataclass(frozen=True)
class _AllowRule:
    """One FETCH_ALLOW_HOSTS entry: a host name or a network, optionally with one port."""

    name: str | None
    network: IPNetwork | None
    port: int | None

    @classmethod
    def parse(cls, entry: str) -> _AllowRule:
        text, port = entry.strip().lower(), None
        try:
            if text.startswith("["):  # "[::1]" or "[::1]:8080"
                text, bracket, rest = text[1:].partition("]")
                if not bracket or (rest and not rest.startswith(":")):
                    raise ValueError
                port = int(rest[1:]) if rest else None
            elif text.count(":") == 1:  # "127.0.0.1:8080" or "archive.test:8080"
                text, _, number = text.partition(":")
                port = int(number)
        except ValueError:
            raise ValueError(f"FETCH_ALLOW_HOSTS entry {entry!r} is not host:port") from None
        if not text:
            raise ValueError(f"FETCH_ALLOW_HOSTS entry {entry!r} names no host")
        try:
            return cls(None, ipaddress.ip_network(text, strict=False), port)
        except ValueError:
            if "/" in text or ":" in text:
                raise ValueError(f"FETCH_ALLOW_HOSTS entry {entry!r} is not valid") from None
            return cls(text.rstrip("."), None, port)

    def admits(self, host: str, port: int, addresses: list[IPAddress]) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.name is not None:
            return host.rstrip(".") == self.name
        return all(a.version == self.network.version and a in self.network for a in addresses)


# --- Checking one hop --------------------------------------------------------------------


class _Refused(Exception):
    """The target is not fetched: the message says why, for a person."""


class _Failed(Exception):
    """The target could not be reached: the message says why, for a person."""


@dataclass(frozen=True)
class _Target:
    host: str
    port: int
    address: IPAddress


def _check_target(url: str, rules: list[_AllowRule]) -> _Target:
    """Return where url may be fetched from, or raise _Refused / _Failed."""
    parts = urlparse(url)  # parsed as requests' adapter parses it, so both see one host
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise _Refused(f"only http and https addresses are fetched, not {scheme or 'this'}:")
    host = parts.hostname
    if not host:
        raise _Refused("the address names no host")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise _Refused("the address has an invalid port") from None
    addresses = _resolve(host, port)
    if any(rule.admits(host, port, addresses) for rule in rules):
        return _Target(host, port, addresses[0])
    for address in addresses:  # all of them: the name must not lead inside by any answer
        if problem := address_problem(address):
            if _is_address(host):
                raise _Refused(f"{host} is {problem}")
            raise _Refused(f"{host} resolves to {address}, {problem}")
    if port not in PUBLIC_PORTS:
        raise _Refused(f"port {port} is not fetched (only 80 and 443)")
    return _Target(host, port, addresses[0])


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _resolve(host: str, port: int) -> list[IPAddress]:
    """Resolve host once, as urllib3 would (same address families), keeping the order."""
    try:
        answers = socket.getaddrinfo(
            host, port, family=allowed_gai_family(), type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError) as error:
        raise _Failed(f"the host name {host} could not be resolved ({error})") from None
    addresses: list[IPAddress] = []
    for family, _type, _proto, _name, sockaddr in answers:
        if family in (socket.AF_INET, socket.AF_INET6):
            address = ipaddress.ip_address(sockaddr[0])
            if address not in addresses:
                addresses.append(address)
    if not addresses:
        raise _Failed(f"the host name {host} has no IPv4 or IPv6 address")
    return addresses


# --- Connecting where we checked, within the time allowed -----------------------------------


class _Deadline:
    """Shut a fetch's sockets when its total time is up, wherever the fetch is blocked."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        # A duplicate descriptor: shutting it down ends the connection for every holder (TLS
        # wrapping detaches the original socket object), and it cannot be reused under us.
        duplicate = sock.dup()
        with self._lock:
            self._sockets.append(duplicate)
            if self.expired:
                _shut(duplicate)

    def _expire(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._stopped = True
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedConnection:
    """A urllib3 connection whose socket is handed to the fetch's deadline."""

    def __init__(self, *args, deadline: _Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self._deadline.watch(sock)
        return sock


class _WatchedHTTPConnection(_WatchedConnection, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _WatchedPoolManager(PoolManager):
    def __init__(self, *args, deadline: _Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def _new_pool(self, scheme, host, port, request_context=None):
        pool = super()._new_pool(scheme, host, port, request_context)
        watched = _WatchedHTTPSConnection if scheme == "https" else _WatchedHTTPConnection
        pool.ConnectionCls = functools.partial(watched, deadline=self.deadline)
        return pool


class _PinnedAdapter(HTTPAdapter):
    """Connect to the address checked for each host, keeping the name for Host and TLS.

    As requests-hardened's IPFilterAdapter does, but the address comes from `pins`, filled
    by fetch() after `_check_target`, instead of a second resolution; a host with no pin is
    refused, so a URL that requests reads differently from us cannot slip past the check.
    """

    def __init__(self, deadline: _Deadline):
        self.deadline = deadline
        self.pins: dict[tuple[str, int], IPAddress] = {}
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        self._pool_connections, self._pool_maxsize, self._pool_block = connections, maxsize, block
        self.poolmanager = _WatchedPoolManager(
            num_pools=connections, maxsize=maxsize, block=block, deadline=self.deadline,
            **pool_kwargs,
        )  # fmt: skip

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        raise _Refused("fetching through a proxy is not supported")

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        host, port, scheme = host_params["host"], host_params["port"], host_params["scheme"]
        address = self.pins.get((host, port or DEFAULT_PORTS.get(scheme, 0)))
        if address is None:
            raise _Refused(f"{host} was not checked before connecting")
        request.headers = CaseInsensitiveDict(request.headers)
        request.headers["Host"] = (f"[{host}]" if ":" in host else host) + (
            f":{port}" if port else ""
        )
        if scheme == "https":  # verify the certificate and send SNI for the name, not the address
            pool_kwargs["assert_hostname"] = host
            pool_kwargs["server_hostname"] = host
        host_params["host"] = f"[{address}]" if address.version == 6 else str(address)
        return host_params, pool_kwargs


# --- The fetch ---------------------------------------------------------------------------


def fetch(url: str, settings: FetchSettings | None = None) -> FetchResult:
    """Fetch url (following redirects) and return what happened. Never raises."""
    settings = settings or FetchSettings()
    fetched_at = datetime.now(UTC)
    try:
        return _Fetch(url, settings, fetched_at).run()
    except Exception as error:  # the contract: never raise, say why
        log.exception("fetching %s failed unexpectedly", url)
        return FetchResult(
            url, FetchOutcome.failed, fetched_at, reason=f"unexpected error: {error}"
        )


class _Fetch:
    def __init__(self, url: str, settings: FetchSettings, fetched_at: datetime):
        self.url = url
        self.settings = settings
        self.fetched_at = fetched_at
        self.rules = [_AllowRule.parse(entry) for entry in settings.allow_hosts]
        self.hops: list[Hop] = []

    def run(self) -> FetchResult:
        deadline = _Deadline(self.settings.total_timeout)
        session = requests.Session()
        session.trust_env = False  # no proxies, .netrc or CA overrides from the environment
        session.headers["User-Agent"] = self.settings.user_agent
        adapter = _PinnedAdapter(deadline)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            return self._follow(session, adapter, deadline)
        except _Refused as refusal:
            return self._result(FetchOutcome.refused, str(refusal))
        except _Failed as failure:
            return self._result(FetchOutcome.failed, str(failure))
        finally:
            deadline.stop()
            session.close()

    def _follow(self, session, adapter: _PinnedAdapter, deadline: _Deadline) -> FetchResult:
        url = self.url
        for _ in range(self.settings.max_redirects + 1):
            request = _prepare(session, url)
            target = _check_target(request.url, self.rules)
            adapter.pins[(target.host, target.port)] = target.address
            response = self._send(session, request, deadline)
            location = session.get_redirect_target(response)
            if location is None:
                return self._answer(response, target, deadline)
            self.hops.append(Hop(response.url, response.status_code, location))
            response.close()
            url = urljoin(response.url, location)
        raise _Failed(f"more than {self.settings.max_redirects} redirects")

    def _send(self, session, request, deadline: _Deadline) -> requests.Response:
        remaining = deadline.remaining()
        if remaining <= 0:
            raise _Failed(_time_limit(deadline))
        timeout = (
            min(self.settings.connect_timeout, remaining),
            min(self.settings.read_timeout, remaining),
        )
        try:
            response = session.send(request, allow_redirects=False, stream=True, timeout=timeout)
        except requests.RequestException as error:
            if deadline.expired:
                raise _Failed(_time_limit(deadline)) from None
            raise _Failed(_describe(error, timeout)) from None
        if deadline.expired:  # the watchdog's shutdown can look like the end of the headers
            response.close()
            raise _Failed(_time_limit(deadline))
        return response

    def _answer(self, response, target: _Target, deadline: _Deadline) -> FetchResult:
        body, cut = _read_body(response, self.settings.max_bytes, deadline)
        raw = response.raw
        self.hops.append(Hop(response.url, response.status_code))
        return FetchResult(
            requested_url=self.url,
            outcome=FetchOutcome.ok,
            fetched_at=self.fetched_at,
            reason=cut,
            final_url=response.url,
            status=response.status_code,
            content_type=response.headers.get("Content-Type"),
            last_modified=response.headers.get("Last-Modified"),
            etag=response.headers.get("ETag"),
            title=page_title(body, response.headers.get("Content-Type")),
            body=body,
            truncated=cut is not None,
            sha256=hashlib.sha256(body).hexdigest(),
            http_version={10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2"}.get(
                getattr(raw, "version", 11), "HTTP/1.1"
            ),
            reason_phrase=response.reason or "",
            headers=tuple(raw.headers.items()),
            hops=tuple(self.hops),
            peer_address=str(target.address),
        )

    def _result(self, outcome: FetchOutcome, reason: str) -> FetchResult:
        if self.hops:  # the chain was broken off at a redirect: say where it went
            reason = f"redirect to {self._last_location()} not followed: {reason}"
        return FetchResult(self.url, outcome, self.fetched_at, reason=reason, hops=tuple(self.hops))

    def _last_location(self) -> str:
        return urljoin(self.hops[-1].url, self.hops[-1].location or "")


def _time_limit(deadline: _Deadline) -> str:
    return f"no complete answer within {deadline.seconds:g} s (the time limit)"


def _prepare(session: requests.Session, url: str) -> requests.PreparedRequest:
    """Build the request for url as requests would send it, or refuse a malformed address."""
    scheme = urlparse(url.strip()).scheme.lower()
    if scheme and scheme not in DEFAULT_PORTS:  # requests would not even parse these
        raise _Refused(f"only http and https addresses are fetched, not {scheme}:")
    try:
        return session.prepare_request(requests.Request("GET", url))
    except (requests.RequestException, ValueError, UnicodeError) as error:
        raise _Refused(f"not a valid web address ({error})") from None


def _read_body(
    response: requests.Response, max_bytes: int, deadline: _Deadline
) -> tuple[bytes, str | None]:
    """Read at most max_bytes of the decoded body; say why it was cut short, if it was."""
    chunks, size, cut = [], 0, None
    try:
        while size <= max_bytes:
            chunk = response.raw.read(min(CHUNK_SIZE, max_bytes + 1 - size), decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except (urllib3.exceptions.HTTPError, OSError) as error:
        cut = f"body cut after {size} bytes: {_describe(error)}"
    finally:
        response.close()
        deadline.stop()
    body = b"".join(chunks)
    if len(body) > max_bytes:
        body, cut = body[:max_bytes], f"body cut at the size limit of {max_bytes} bytes"
    elif deadline.expired:  # the watchdog ended the body early (or just after its end)
        cut = f"body cut after {size} bytes: the fetch took longer than {deadline.seconds:g} s"
    return body, cut


def _describe(error: BaseException, timeout: tuple[float, float] | None = None) -> str:
    """Say in a few words why a connection or a read failed."""
    causes = list(_causes(error))
    connect, read = timeout or (None, None)
    for cause in causes:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "connection reset"
        if isinstance(cause, urllib3.exceptions.SSLError | requests.exceptions.SSLError):
            return f"TLS error: {causes[-1]}"
        if isinstance(cause, urllib3.exceptions.DecodeError):
            return "the content encoding could not be decoded"
    for cause in causes:
        # urllib3's NewConnectionError subclasses ConnectTimeoutError: not every one is a timeout.
        if isinstance(cause, urllib3.exceptions.NewConnectionError):
            continue
        if isinstance(
            cause, requests.exceptions.ConnectTimeout | urllib3.exceptions.ConnectTimeoutError
        ):
            return f"no connection within {connect:g} s" if connect else "connection timed out"
        if isinstance(cause, requests.exceptions.ReadTimeout | urllib3.exceptions.ReadTimeoutError):
            return f"no answer within {read:g} s" if read else "read timed out"
        if type(cause).__name__ in ("RemoteDisconnected", "IncompleteRead"):
            return "the server closed the connection early"
    return f"connection failed: {causes[-1]}"


def _causes(error: BaseException):
    """Yield error and what it wraps (requests and urllib3 nest their exceptions)."""
    seen, pending = set(), [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        pending.extend([getattr(current, "reason", None), current.__cause__, current.__context__])


# --- The page title ----------------------------------------------------------------------

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_HTML_START = re.compile(rb"(\xef\xbb\xbf)?\s*<(!doctype\s+html|html|head|title)\b", re.I)
# As browsers do (WHATWG Encoding), these labels mean windows-1252.
_WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii", "l1"}


def page_title(body: bytes, content_type: str | None) -> str | None:
    """Return the <title> of an HTML body (whitespace collapsed, shortened), else None."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in _HTML_TYPES and not (not media_type and _HTML_START.match(body[:1024])):
        return None
    head = body[:TITLE_SCAN_BYTES]
    text = head.decode(_html_encoding(head, content_type), errors="replace")
    if "<title" not in text.lower():
        return None
    parser = _TitleParser()
    # Usually the title is near the top. Feed the rest in one piece, not in many: HTMLParser
    # re-scans an unfinished construct on every feed, which a hostile page can make quadratic.
    parser.feed(text[:16384])
    if parser.title is None:
        parser.feed(text[16384:])
    title = parser.title if parser.title is not None else "".join(parser.parts or ())
    title = " ".join(title.split())
    if len(title) > TITLE_MAX_LENGTH:
        title = title[: TITLE_MAX_LENGTH - 1].rstrip() + "…"
    return title or None


def _html_encoding(head: bytes, content_type: str | None) -> str:
    """Pick the encoding as a browser would: byte order mark, header, <meta>, else UTF-8."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return name
    candidates = [
        match.group(1)
        for match in (
            _CHARSET.search((content_type or "").encode("latin-1", "replace")),
            _META_CHARSET.search(head[:4096]),
        )
        if match
    ]
    for candidate in candidates:
        label = candidate.decode("ascii").lower()
        if label in _WINDOWS_1252:
            return "cp1252"
        try:
            name = codecs.lookup(label).name
        except LookupError:
            continue
        if not name.startswith("utf-16"):  # a UTF-16 label in ASCII bytes is a lie
            return name
    return "utf-8"


class _TitleParser(HTMLParser):
    """Collect the text of the first <title> outside inline SVG."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] | None = None
        self.title: str | None = None
        self._svg_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self._svg_depth += 1
        elif tag == "title" and not self._svg_depth and self.parts is None:
            self.parts = []

    def handle_endtag(self, tag):
        if tag == "svg" and self._svg_depth:
            self._svg_depth -= 1
        elif tag == "title" and self.parts is not None and self.title is None:
            self.title = "".join(self.parts)

    def handle_data(self, data):
        if self.parts is not None and self.title is None:
            self.parts.append(data)
