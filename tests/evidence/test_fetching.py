"""The safe fetcher against local web servers on loopback, reached through the allow-list.

Each server records the requests it gets and a spy records every outgoing connection, so
"refused" is shown to mean "not even connected to". Host names are answered by a fake
resolver (socket.getaddrinfo), the one the fetcher and urllib3 both use.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests.adapters

from tracker.evidence.fetching import (
    FetchOutcome,
    FetchSettings,
    Hop,
    address_problem,
    fetch,
)

# --- Local servers -----------------------------------------------------------------------

Route = tuple[int, dict[str, str], bytes] | Callable[[BaseHTTPRequestHandler], None]


class Site:
    """A local web server serving the routes a test gives it; it records every request."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                site.requests.append((self.path, dict(self.headers.items())))
                route = site.routes.get(self.path, (404, {}, b"not here"))
                if callable(route):
                    route(self)
                    return
                status, headers, body = route
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.host, self.port = host, self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _headers in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RawServer:
    """A TCP server that runs `behave(connection, stop)` for each client, for bad servers."""

    def __init__(self, behave: Callable[[socket.socket, threading.Event], None] | None):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        self.behave = behave
        if behave is not None:  # None: listen but never accept (the kernel still connects)
            threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.recv(65536)
                self.behave(connection, self.stop)
            except OSError:
                pass

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    yield server
    server.close()


@pytest.fixture
def other_site() -> Iterator[Site]:
    server = Site()
    yield server
    server.close()


@pytest.fixture
def raw_servers() -> Iterator[Callable]:
    servers = []

    def start(behave):
        servers.append(RawServer(behave))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def settings_for(*allowed: str, **overrides) -> FetchSettings:
    """Settings for a test: short timeouts and only the given hosts opened."""
    values = {"connect_timeout": 2.0, "read_timeout": 5.0, "total_timeout": 15.0}
    return FetchSettings(allow_hosts=allowed, **(values | overrides))


def only(site: Site) -> FetchSettings:
    """Open exactly this server (its address and port), nothing else on loopback."""
    return settings_for(f"127.0.0.1:{site.port}")


@pytest.fixture
def connections(monkeypatch) -> list:
    """Record the address of every outgoing TCP connection."""
    seen = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        seen.append(address[:2])
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


@pytest.fixture
def dns(monkeypatch) -> Callable:
    """Answer chosen host names with chosen addresses; count the questions per name."""
    answers: dict[str, Callable[[], list[str]]] = {}
    asked: dict[str, int] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in answers:
            return real(host, port, family, type, proto, flags)
        asked[host] = asked.get(host, 0) + 1
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]()
        ]

    def answer(host: str, *addresses: str, then: tuple[str, ...] | None = None) -> dict:
        calls = iter(range(1_000_000))
        answers[host] = lambda: list(addresses if next(calls) == 0 or then is None else then)
        return asked

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answer


# --- Pages that come back ----------------------------------------------------------------

REPORT = (
    b"<!doctype html><html><head><meta charset=windows-1252>\n"
    b"<title>\n  Caf\xe9 &amp; Co:   sustainability\n report 2023 </title></head>"
    b"<body><svg><title>logo</title></svg><p>Net zero by 2030.</p></body></html>"
)


def test_a_normal_page_is_described_and_kept(site, connections):
    site.routes["/report"] = (
        200,
        {
            "Content-Type": "text/html; charset=windows-1252",
            "ETag": '"v1"',
            "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT",
        },
        REPORT,
    )
    result = fetch(site.url("/report"), only(site))

    assert result.outcome is FetchOutcome.ok
    assert (result.status, result.reason, result.truncated) == (200, None, False)
    assert result.final_url == site.url("/report")
    assert result.title == "Café & Co: sustainability report 2023"
    assert result.body == REPORT and result.size == len(REPORT)
    assert result.sha256 == hashlib.sha256(REPORT).hexdigest()
    assert result.content_type == "text/html; charset=windows-1252"
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert ("ETag", '"v1"') in result.headers
    assert (result.http_version, result.reason_phrase) == ("HTTP/1.1", "OK")
    assert result.hops == (Hop(site.url("/report"), 200),)
    assert result.peer_address == "127.0.0.1"
    assert result.fetched_at.tzinfo is not None
    assert "CSR-Claims-Tracker" in site.requests[0][1]["User-Agent"]
    assert connections == [("127.0.0.1", site.port)]


@pytest.mark.parametrize(
    ("content_type", "body", "title"),
    [
        ("text/html", "<title>Naïve café “quoted”</title>".encode(), "Naïve café “quoted”"),
        (
            "text/html",
            b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
            b"<title>R\xe9sum\xe9</title>",
            "Résumé",
        ),
        ("text/html; charset=utf-8", b"\xef\xbb\xbf<title>With a BOM</title>", "With a BOM"),
        ("application/xhtml+xml", b"<html><title>XHTML</title></html>", "XHTML"),
        ("text/html", b"<script>var t = '<title>no</title>'</script><title>yes</title>", "yes"),
        ("text/html", b"<!-- <title>no</title> --><title>yes</title>", "yes"),
        ("text/html", b"<html><body>No title at all</body></html>", None),
        ("text/html", b"<title>   </title>", None),
        ("text/html", b"<title>" + b"long " * 200 + b"</title>", "long " * 59 + "long…"),
        ("text/plain", b"<title>not a page</title>", None),
    ],
)
def test_the_title_is_read_from_html_only(site, content_type, body, title):
    site.routes["/page"] = (200, {"Content-Type": content_type}, body)
    result = fetch(site.url("/page"), only(site))
    assert result.outcome is FetchOutcome.ok
    assert result.title == title


def test_a_compressed_page_is_kept_decoded(site):
    page = b"<title>Compressed</title>" + b"x" * 5000
    site.routes["/gz"] = (
        200,
        {"Content-Type": "text/html", "Content-Encoding": "gzip"},
        gzip.compress(page),
    )
    result = fetch(site.url("/gz"), only(site))
    assert (result.body, result.title) == (page, "Compressed")
    assert result.sha256 == hashlib.sha256(page).hexdigest()
    assert ("Content-Encoding", "gzip") in result.headers  # as received, for the WARC record


def test_a_pdf_is_kept_without_a_title(site):
    pdf = b"%PDF-1.4\n1 0 obj << /Title (Annual report) >> endobj\ntrailer\n%%EOF\n"
    site.routes["/annual.pdf"] = (200, {"Content-Type": "application/pdf"}, pdf)
    result = fetch(site.url("/annual.pdf"), only(site))
    assert result.outcome is FetchOutcome.ok
    assert (result.content_type, result.title, result.body) == ("application/pdf", None, pdf)
    assert result.sha256 == hashlib.sha256(pdf).hexdigest()


def test_a_404_is_an_answer(site):
    result = fetch(site.url("/gone"), only(site))
    assert (result.outcome, result.status, result.body) == (FetchOutcome.ok, 404, b"not here")
    assert result.reason_phrase == "Not Found"


# --- Redirects ---------------------------------------------------------------------------


def test_a_redirect_chain_is_followed_and_recorded(site):
    site.routes["/old"] = (301, {"Location": "/moved"}, b"")
    site.routes["/moved"] = (302, {"Location": site.url("/new?x=1")}, b"")
    site.routes["/new?x=1"] = (200, {"Content-Type": "text/html"}, b"<title>New home</title>")

    result = fetch(site.url("/old"), only(site))

    assert (result.outcome, result.status, result.title) == (FetchOutcome.ok, 200, "New home")
    assert result.requested_url == site.url("/old")
    assert result.final_url == site.url("/new?x=1")
    assert result.hops == (
        Hop(site.url("/old"), 301, "/moved"),
        Hop(site.url("/moved"), 302, site.url("/new?x=1")),
        Hop(site.url("/new?x=1"), 200),
    )


def chain(site: Site, length: int) -> str:
    """Routes /chain/N redirecting to /chain/N-1 ... /chain/0, a page; return /chain/length."""
    for n in range(1, length + 1):
        site.routes[f"/chain/{n}"] = (302, {"Location": f"/chain/{n - 1}"}, b"")
    site.routes["/chain/0"] = (200, {"Content-Type": "text/html"}, b"<title>End</title>")
    return site.url(f"/chain/{length}")


def test_five_redirects_are_followed(site):
    result = fetch(chain(site, 5), only(site))
    assert (result.outcome, result.title, len(result.hops)) == (FetchOutcome.ok, "End", 6)


def test_a_sixth_redirect_is_not_followed(site):
    result = fetch(chain(site, 6), only(site))
    assert result.outcome is FetchOutcome.failed
    assert "more than 5 redirects" in result.reason
    assert len(result.hops) == 6 and result.final_url is None
    assert "/chain/0" not in site.paths()


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://10.0.0.1/admin", "10.0.0.1 is a private address"),
        ("http://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT address"),
        ("http://[::ffff:127.0.0.1]/", "IPv4-mapped form of 127.0.0.1, a loopback address"),
        ("http://[64:ff9b::a9fe:a9fe]/", "NAT64 form of 169.254.169.254, a link-local"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://2130706433/", "2130706433 resolves to 127.0.0.1, a loopback address"),
        ("http://0x7f.1/", "resolves to 127.0.0.1, a loopback address"),
        ("http://[fd00::1]:8080/", "fd00::1 is a private address"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://127.0.0.1:11211/_stats", "only http and https"),
    ],
)
def test_a_redirect_inside_is_refused_without_connecting(site, connections, target, problem):
    site.routes["/go"] = (302, {"Location": target}, b"")
    result = fetch(site.url("/go"), only(site))

    assert result.outcome is FetchOutcome.refused
    assert problem in result.reason
    assert result.reason.startswith(f"redirect to {target} not followed")
    assert result.hops == (Hop(site.url("/go"), 302, target),)
    assert result.body == b"" and result.final_url is None
    assert connections == [("127.0.0.1", site.port)]  # the first hop only


@pytest.mark.parametrize("opened_as", ["address and port", "host name"])
def test_a_redirect_to_loopback_beyond_the_allow_list_is_refused(
    site, other_site, dns, connections, opened_as
):
    """The allow-list opens one test server; a redirect cannot use it to reach another."""
    if opened_as == "host name":  # only the name is trusted, not the address behind it
        dns("evidence.test", "127.0.0.1")
        start, settings = site.url("/go", host="evidence.test"), settings_for("evidence.test")
    else:
        start, settings = site.url("/go"), only(site)
    other_site.routes["/admin"] = (200, {}, b"internal")
    site.routes["/go"] = (302, {"Location": other_site.url("/admin")}, b"")

    result = fetch(start, settings)

    assert result.outcome is FetchOutcome.refused
    assert "127.0.0.1 is a loopback address" in result.reason
    assert other_site.requests == []
    assert connections == [("127.0.0.1", site.port)]


def test_a_redirect_to_the_same_server_under_its_address_is_refused(site, dns):
    dns("evidence.test", "127.0.0.1")
    site.routes["/go"] = (302, {"Location": site.url("/secret")}, b"")
    result = fetch(site.url("/go", host="evidence.test"), settings_for("evidence.test"))
    assert result.outcome is FetchOutcome.refused
    assert site.paths() == ["/go"]


def test_a_redirect_to_a_failing_host_keeps_the_chain(site, dns):
    dns("evidence.test", "127.0.0.1")
    site.routes["/go"] = (302, {"Location": "http://nowhere.invalid/"}, b"")
    result = fetch(site.url("/go", host="evidence.test"), settings_for("evidence.test"))
    assert result.outcome is FetchOutcome.failed
    assert "nowhere.invalid could not be resolved" in result.reason
    assert len(result.hops) == 1


# --- HTTPS: connected to the checked address, verified against the name -------------------


def make_certificates(folder) -> tuple[str, str, str]:
    """Make a test CA and a certificate for secure.test signed by it; return the files."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make test certificates")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    curve = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl("req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=Tracker test CA")  # fmt: skip
    openssl("req", *curve, "-keyout", "site.key", "-out", "site.csr", "-subj", "/CN=secure.test")
    (folder / "san.ext").write_text("subjectAltName=DNS:secure.test\n")
    openssl("x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "site.pem", "-days", "2", "-extfile", "san.ext")  # fmt: skip
    return str(folder / "ca.pem"), str(folder / "site.pem"), str(folder / "site.key")


@pytest.fixture
def tls_site(tmp_path, monkeypatch) -> Iterator[tuple[Site, list[str]]]:
    """A Site speaking HTTPS as secure.test, trusted through a test CA; records SNI names."""
    ca, certificate, key = make_certificates(tmp_path)
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", ca)
    server_names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    context.sni_callback = lambda _sock, name, _context: server_names.append(name)
    site = Site()
    site.server.socket = context.wrap_socket(site.server.socket, server_side=True)
    yield site, server_names
    site.close()


def test_https_goes_to_the_checked_address_and_verifies_the_name(tls_site, dns, connections):
    site, server_names = tls_site
    dns("secure.test", "127.0.0.1")
    site.routes["/"] = (200, {"Content-Type": "text/html"}, b"<title>Over TLS</title>")
    result = fetch(f"https://secure.test:{site.port}/", settings_for("secure.test"))
    assert (result.outcome, result.title) == (FetchOutcome.ok, "Over TLS"), result.reason
    assert server_names == ["secure.test"]
    assert site.requests[0][1]["Host"] == f"secure.test:{site.port}"
    assert connections == [("127.0.0.1", site.port)]


def test_https_with_a_certificate_for_another_name_fails(tls_site, dns):
    site, _server_names = tls_site
    dns("other.test", "127.0.0.1")
    result = fetch(f"https://other.test:{site.port}/", settings_for("other.test"))
    assert result.outcome is FetchOutcome.failed
    assert result.reason.startswith("TLS error") and "other.test" in result.reason
    assert site.requests == []


# --- Names, addresses, ports, schemes -------------------------------------------------------


def test_a_name_resolving_to_a_private_address_is_refused(dns, connections):
    dns("intranet.example", "10.1.2.3")
    result = fetch("http://intranet.example/wiki", settings_for())
    assert result.outcome is FetchOutcome.refused
    assert result.reason == "intranet.example resolves to 10.1.2.3, a private address"
    assert connections == []


def test_a_name_with_any_private_answer_is_refused(dns, connections):
    dns("mixed.example", "93.184.216.34", "192.168.0.10")
    result = fetch("https://mixed.example/", settings_for())
    assert result.outcome is FetchOutcome.refused
    assert "192.168.0.10, a private address" in result.reason
    assert connections == []


def test_a_public_name_on_another_port_is_refused(dns, connections):
    dns("news.example", "93.184.216.34")
    result = fetch("http://news.example:8080/story", settings_for())
    assert result.outcome is FetchOutcome.refused
    assert result.reason == "port 8080 is not fetched (only 80 and 443)"
    assert connections == []


def test_a_changed_dns_answer_cannot_move_the_connection(dns, site):
    """DNS rebinding: checked as 127.0.0.1 (opened), answered 127.0.0.2 on a second lookup."""
    internal = Site("127.0.0.2", site.port)
    try:
        internal.routes["/"] = (200, {}, b"internal")
        site.routes["/"] = (200, {}, b"public")
        asked = dns("rebind.test", "127.0.0.1", then=("127.0.0.2",))
        result = fetch(f"http://rebind.test:{site.port}/", settings_for("127.0.0.1"))
    finally:
        internal.close()
    assert (result.outcome, result.body, result.peer_address) == (
        FetchOutcome.ok,
        b"public",
        "127.0.0.1",
    )
    assert internal.requests == []
    assert asked == {"rebind.test": 1}
    assert site.requests[0][1]["Host"] == f"rebind.test:{site.port}"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/report.pdf",
        "gopher://127.0.0.1:70/_x",
        "javascript:alert(1)",
        "data:text/html,<title>x</title>",
        "  FILE:///etc/passwd",
        "example.org/no-scheme",
        "http://",
        "http:///path-only",
    ],
)
def test_only_http_and_https_addresses_are_fetched(url, connections):
    result = fetch(url, settings_for("127.0.0.1"))
    assert result.outcome is FetchOutcome.refused
    assert result.reason
    assert connections == []


def test_an_unresolvable_name_fails(dns):
    result = fetch("http://does-not-exist.invalid/", settings_for())
    assert result.outcome is FetchOutcome.failed
    assert "could not be resolved" in result.reason


def test_a_closed_port_fails(connections):
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    result = fetch(f"http://127.0.0.1:{port}/", settings_for("127.0.0.1"))
    assert (result.outcome, result.reason) == (FetchOutcome.failed, "connection refused")
    assert connections == [("127.0.0.1", port)]


# --- Bounded in size and time ------------------------------------------------------------


def endless(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("Connection", "close")
    handler.end_headers()
    try:
        while True:
            handler.wfile.write(b"x" * 8192)
    except OSError:
        pass


def test_an_endless_body_is_cut_at_the_limit(site):
    site.routes["/endless"] = endless
    result = fetch(site.url("/endless"), settings_for(f"127.0.0.1:{site.port}", max_bytes=100_000))
    assert (result.outcome, result.truncated, result.size) == (FetchOutcome.ok, True, 100_000)
    assert result.reason == "body cut at the size limit of 100000 bytes"
    assert result.sha256 == hashlib.sha256(b"x" * 100_000).hexdigest()


def test_a_compression_bomb_is_cut_after_decoding(site):
    site.routes["/bomb"] = (
        200,
        {"Content-Type": "text/html", "Content-Encoding": "gzip"},
        gzip.compress(b"\0" * 20_000_000, compresslevel=9),
    )
    result = fetch(site.url("/bomb"), settings_for(f"127.0.0.1:{site.port}", max_bytes=1_000_000))
    assert (result.truncated, result.size) == (True, 1_000_000)


def test_a_server_that_never_answers_times_out(raw_servers):
    silent = raw_servers(None)  # accepts connections (the kernel does) and says nothing
    result = fetch(silent.url(), settings_for("127.0.0.1", read_timeout=0.5))
    assert (result.outcome, result.reason) == (FetchOutcome.failed, "no answer within 0.5 s")


def drip(first: bytes, then: bytes) -> Callable:
    def behave(connection: socket.socket, stop: threading.Event) -> None:
        connection.sendall(first)
        while not stop.is_set():
            connection.sendall(then)
            time.sleep(0.05)

    return behave


def test_slowly_dripped_headers_meet_the_total_time_limit(raw_servers):
    slow = raw_servers(drip(b"HTTP/1.1 200 OK\r\nX-Padding: ", b"a"))
    settings = settings_for("127.0.0.1", read_timeout=5.0, total_timeout=1.0)
    result = fetch(slow.url(), settings)
    assert result.outcome is FetchOutcome.failed
    assert result.reason == "no complete answer within 1 s (the time limit)"


def test_a_slowly_dripped_body_is_cut_at_the_total_time_limit(raw_servers):
    slow = raw_servers(drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", b"a"))
    settings = settings_for("127.0.0.1", read_timeout=5.0, total_timeout=1.0)
    result = fetch(slow.url(), settings)
    assert (result.outcome, result.status, result.truncated) == (FetchOutcome.ok, 200, True)
    assert "took longer than 1 s" in result.reason
    assert result.body and set(result.body) == {ord("a")}


# --- Settings ----------------------------------------------------------------------------


def test_settings_come_from_the_configuration():
    settings = FetchSettings.from_config(
        {"FETCH_ALLOW_HOSTS": "127.0.0.1, [::1]:8080", "FETCH_MAX_BYTES": "1000"}
    )
    assert settings.allow_hosts == ("127.0.0.1", "[::1]:8080")
    assert settings.max_bytes == 1000
    assert FetchSettings.from_config({}).allow_hosts == ()


@pytest.mark.parametrize("entry", ["[::1", "127.0.0.1:http", "10.0.0.0/33", ""])
def test_a_bad_allow_list_entry_is_named(entry):
    with pytest.raises(ValueError, match="FETCH_ALLOW_HOSTS entry"):
        FetchSettings(allow_hosts=(entry,))


# --- Which addresses are public ----------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("93.184.216.34", None),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),  # NAT64 of a public address: how IPv6-only hosts reach it
        ("127.0.0.1", "a loopback address"),
        ("127.255.255.254", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("100.64.0.1", "a carrier-grade NAT address"),
        ("100.127.255.254", "a carrier-grade NAT address"),
        ("224.0.0.1", "a multicast address"),
        ("239.255.255.250", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("240.0.0.1", "a reserved address"),
        ("255.255.255.255", "a reserved address"),
        ("192.88.99.1", "a special-purpose address"),
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fc00::1", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("fec0::1", "a site-local address"),
        ("ff02::1", "a multicast address"),
        ("::a00:1", "a reserved address"),  # IPv4-compatible, deprecated
        ("::ffff:127.0.0.1", "an IPv4-mapped form of 127.0.0.1, a loopback address"),
        ("::ffff:10.0.0.1", "an IPv4-mapped form of 10.0.0.1, a private address"),
        ("::ffff:169.254.169.254", "an IPv4-mapped form of 169.254.169.254, a link-local"),
        ("::ffff:100.64.0.1", "an IPv4-mapped form of 100.64.0.1, a carrier-grade NAT"),
        ("64:ff9b::a00:1", "a NAT64 form of 10.0.0.1, a private address"),
        ("64:ff9b::7f00:1", "a NAT64 form of 127.0.0.1, a loopback address"),
        ("64:ff9b::a9fe:a9fe", "a NAT64 form of 169.254.169.254, a link-local address"),
        ("64:ff9b:1::a00:1", "a local-use NAT64 address"),
        ("2002:a00:1::1", "a 6to4 address"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "a Teredo tunnel address"),
        ("2001:db8::1", "a private address"),  # documentation
    ],
)
def test_address_classification(address, problem):
    found = address_problem(address)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem)
