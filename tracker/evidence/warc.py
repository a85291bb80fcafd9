"""Keep fetched bodies as WARC records (ISO 28500), one file per capture, written atomically.

Layout: ARCHIVE_PATH/YYYY/MM/<timestamp>-<random>.warc.gz, one file per successful fetch,
holding three gzip members: the request (as sent, rebuilt), the response (status line,
headers and the body as kept) and a metadata record (the redirect chain, the address actually
connected to, a truncation note). The database keeps the file's path relative to the archive
folder and the offset and length of the response record in it.

A file is written under a temporary name in the same folder, flushed to disk and then renamed
into place, and only afterwards is the database row that points to it committed: a crash
leaves at worst an orphaned file, never a row pointing at half a record. Files are never
rewritten. Block and payload digests are SHA-256; the body's SHA-256 is checked again on
every read.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from tracker.evidence.fetching import FetchResult

# Headers that describe the bytes on the wire, not the body as kept (decoded, maybe cut).
WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


class ArchiveCorrupt(Exception):
    """A stored copy is missing or does not match the SHA-256 recorded for it."""


class SHA256Writer(WARCWriter):
    """A WARC writer whose block and payload digests are SHA-256 rather than SHA-1."""

    @staticmethod
    def _create_digester():
        return Digester("sha256")


@dataclass(frozen=True)
class StoredCapture:
    path: str  # relative to the archive folder
    offset: int  # of the response record in the file
    length: int  # of the response record (its gzip member)


def payload_digest(sha256_hex: str) -> str:
    """Return a body's SHA-256 as WARC writes it: "sha256:" and base32."""
    return "sha256:" + base64.b32encode(bytes.fromhex(sha256_hex)).decode("ascii")


def _kept_headers(result: FetchResult) -> list[tuple[str, str]]:
    headers = [(name, value) for name, value in result.headers if name.lower() not in WIRE_HEADERS]
    headers.extend(
        (f"X-Archive-Orig-{name}", value)
        for name, value in result.headers
        if name.lower() in WIRE_HEADERS
    )
    headers.append(("Content-Length", str(len(result.body))))
    return headers


def _request_block(result: FetchResult, user_agent: str) -> bytes:
    url = result.final_url or result.requested_url
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    lines = [
        f"GET {target} {result.http_version}",
        f"Host: {parts.netloc}",
        f"User-Agent: {user_agent}",
        "Accept-Encoding: gzip, deflate",
        "Accept: */*",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def _metadata(result: FetchResult) -> bytes:
    return json.dumps(
        {
            "requested_url": result.requested_url,
            "final_url": result.final_url,
            "hops": [
                {"url": hop.url, "status": hop.status, "location": hop.location}
                for hop in result.hops
            ],
            "peer_address": result.peer_address,
            "truncated": result.truncated,
            "reason": result.reason,
            "sha256": result.sha256,
        },
        indent=2,
    ).encode("utf-8")


def capture_records(writer: WARCWriter, result: FetchResult, *, user_agent: str):
    """Build the request, response and metadata records of one capture."""
    url = result.final_url or result.requested_url
    date = datetime_to_iso_date(result.fetched_at.replace(tzinfo=None))
    response_headers = {"WARC-Date": date}
    if result.peer_address:
        response_headers["WARC-IP-Address"] = result.peer_address
    if result.truncated:
        response_headers["WARC-Truncated"] = "length"
    status_line = f"{result.status} {result.reason_phrase}".strip()
    response = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(result.body),
        length=len(result.body),
        warc_headers_dict=response_headers,
        http_headers=StatusAndHeaders(
            status_line, _kept_headers(result), protocol=result.http_version
        ),
    )
    response_id = response.rec_headers.get_header("WARC-Record-ID")
    request_block = _request_block(result, user_agent)
    request = writer.create_warc_record(
        url,
        "request",
        payload=BytesIO(request_block),
        length=len(request_block),
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id},
    )
    metadata_block = _metadata(result)
    metadata = writer.create_warc_record(
        url,
        "metadata",
        payload=BytesIO(metadata_block),
        length=len(metadata_block),
        warc_content_type="application/json",
        warc_headers_dict={"WARC-Date": date, "WARC-Refers-To": response_id},
    )
    return request, response, metadata


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def store_capture(archive: Path, result: FetchResult, *, user_agent: str) -> StoredCapture:
    """Write one successful fetch as a new WARC file; return where its response record is."""
    moment = result.fetched_at
    relative = Path(
        f"{moment:%Y}",
        f"{moment:%m}",
        f"{moment:%Y%m%dT%H%M%SZ}-{secrets.token_hex(8)}.warc.gz",
    )
    target = archive / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.part")
    try:
        with open(temporary, "xb") as out:
            writer = SHA256Writer(out, gzip=True)
            request, response, metadata = capture_records(writer, result, user_agent=user_agent)
            writer.write_record(request)
            offset = out.tell()
            writer.write_record(response)
            length = out.tell() - offset
            writer.write_record(metadata)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        _fsync_folder(target.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return StoredCapture(path=relative.as_posix(), offset=offset, length=length)


def resolve(archive: Path, relative: str) -> Path:
    """Return the file a stored path names, refusing any path outside the archive folder."""
    root = archive.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ArchiveCorrupt(f"{relative} is outside the archive folder")
    return path


@dataclass(frozen=True)
class ArchivedBody:
    body: bytes
    status_line: str
    headers: list[tuple[str, str]]
    target_uri: str


def read_body(archive: Path, relative: str, offset: int, expected_sha256: str) -> ArchivedBody:
    """Read a capture's body back from its response record and check its SHA-256."""
    try:
        with open(resolve(archive, relative), "rb") as handle:
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)), None)
            if record is None or record.rec_type != "response":
                raise ArchiveCorrupt(f"no response record at {relative}:{offset}")
            body = record.raw_stream.read()
            headers = record.http_headers
            target = record.rec_headers.get_header("WARC-Target-URI") or ""
    except OSError as error:
        raise ArchiveCorrupt(f"{relative} cannot be read: {error.strerror}") from None
    except ArchiveCorrupt:
        raise
    except Exception as error:  # warcio raises several kinds for a damaged file
        raise ArchiveCorrupt(f"{relative} is damaged: {error}") from None
    if hashlib.sha256(body).hexdigest() != expected_sha256:
        raise ArchiveCorrupt(f"{relative}: the body does not match its recorded SHA-256")
    return ArchivedBody(
        body=body,
        status_line=headers.statusline if headers else "",
        headers=list(headers.headers) if headers else [],
        target_uri=target,
    )


def copy_file(archive: Path, relative: str, out: BinaryIO) -> None:
    """Append a capture's whole WARC file to out (gzip members concatenate into one WARC)."""
    try:
        with open(resolve(archive, relative), "rb") as handle:
            while chunk := handle.read(1 << 16):
                out.write(chunk)
    except OSError as error:
        raise ArchiveCorrupt(f"{relative} cannot be read: {error.strerror}") from None


def file_bytes(archive: Path, relative: str) -> bytes:
    """Return a capture's whole WARC file."""
    buffer = BytesIO()
    copy_file(archive, relative, buffer)
    return buffer.getvalue()
