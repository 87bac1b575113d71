"""One requests.Session for every agency: contact User-Agent, a pause between requests to a host, retries
(Retry-After honoured), conditional GET, raw cache, and length checks on the bytes the wire carried."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.util.retry import Retry

from data_pipeline.config import SET_CONTACT, Config
from data_pipeline.sources import SourceError

RETRY_STATUSES = (429, 500, 502, 503, 504)
CHUNK = 1 << 16


class PoliteRetry(Retry):
    """urllib3's Retry (Retry-After honoured on 429 and 503), with a ceiling on how long one answer can make
    the refresh wait: a server asking for an hour gets its retries at MAX_WAIT, then the source is reported."""

    MAX_WAIT = 120.0

    def get_retry_after(self, response):
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.MAX_WAIT)


class FetchError(Exception):
    """A download that failed; str() is one line naming the source and file."""

    def __init__(self, source: str, url: str, reason: str):
        self.source, self.url, self.reason = source, url, reason
        super().__init__(f"{source}: {file_name(url)}: {reason}")


class Unreachable(FetchError):
    """The host could not be reached (no network, DNS, refused connection) after retries."""


class Refused(FetchError):
    """The agency answered 403: BLS blocks many scripted clients (SOURCES.md B.4)."""

    def __init__(self, source: str, url: str):
        reason = (
            f"the server refused the download (HTTP 403; BLS blocks many scripted clients). "
            f"Download it in a browser from {url} into a folder, then run: "
            f"python -m data_pipeline import FOLDER"
        )
        super().__init__(source, url, reason)


class BadBody(FetchError):
    """The server answered, but the body is not the agency file (HTML error page, truncated, wrong layout)."""


class NoContact(FetchError):
    """Not sent: BLS asks scripted clients for a contact e-mail and none is set."""

    def __init__(self, source: str, url: str):
        super().__init__(source, url, f"not downloaded: no contact e-mail is set; {SET_CONTACT}")


@dataclass(frozen=True)
class Provenance:
    source: str
    url: str
    retrieved_at: str
    bytes: int
    sha256: str
    etag: str | None
    last_modified: str | None
    path: str
    from_cache: bool = False

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if k != "from_cache"}, indent=1)


def file_name(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1] or url


def looks_like_html(head: bytes) -> bool:
    start = head.lstrip()[:512].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in start[:200]


def page_title(head: bytes) -> str | None:
    """The <title> of an HTML page (first 64 KB), in one short line, or None."""
    m = re.search(rb"<title[^>]*>(.*?)</title", head[:1 << 16], re.IGNORECASE | re.DOTALL)
    if not m:
        return None
    title = " ".join(html.unescape(m.group(1).decode("utf-8", "replace")).split())
    return (title[:77] + "...") if len(title) > 80 else (title or None)


def web_page_reason(url: str, head: bytes) -> str:
    """'the server sent a web page ("Access Denied") instead of occupation.xlsx'."""
    title = page_title(head)
    shown = f' ("{title}")' if title else ""
    return f"the server sent a web page{shown} instead of {file_name(url)}"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Fetcher:
    """Downloads agency files into the raw cache and returns their provenance."""

    def __init__(self, config: Config, progress: bool = True):
        self.config = config
        self.progress = progress
        self.requests_made = 0
        self.session = requests.Session()
        self.session.headers["User-Agent"] = config.user_agent
        # Only encodings this module decodes itself (so lengths are checked on the bytes the wire carried).
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        self._last_request: dict[str, float] = {}
        self._pace_lock = threading.Lock()
        retry = PoliteRetry(
            total=config.retries,
            connect=min(2, config.retries),  # a refused or unresolvable host rarely recovers in seconds
            read=config.retries,
            status=config.retries,
            backoff_factor=config.backoff,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def pace(self, url: str) -> None:
        """Wait until config.min_interval has passed since the last request to the same host."""
        host = urlsplit(url).netloc
        with self._pace_lock:
            last = self._last_request.get(host)
            if last is not None:
                wait = last + self.config.min_interval - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            self._last_request[host] = time.monotonic()

    def cache_path(self, url: str) -> Path:
        """Raw-cache location for a URL: host/path, readable and stable."""
        parts = urlsplit(url)
        host = re.sub(r"[^A-Za-z0-9.-]", "_", parts.netloc)
        segments = [re.sub(r"[^A-Za-z0-9._-]", "_", s) for s in parts.path.split("/") if s]
        segments = [s for s in segments if s not in (".", "..")] or ["index"]
        if parts.query:
            segments[-1] += "_" + hashlib.sha256(parts.query.encode()).hexdigest()[:12]
        return self.config.raw_dir.joinpath(host, *segments)

    def cached(self, url: str) -> Provenance | None:
        path = self.cache_path(url)
        meta = path.with_name(path.name + ".provenance.json")
        if not (path.exists() and meta.exists()):
            return None
        record = json.loads(meta.read_text())
        record["path"] = str(path)
        return Provenance(**record, from_cache=True)

    def get(
        self,
        source: str,
        url: str,
        validate: Callable[[Path], None] | None = None,
        use_cache_offline: bool = True,
        allow_empty: bool = False,
    ) -> Provenance:
        """Fetch url into the raw cache (conditional GET when cached); raise FetchError subclasses.

        allow_empty: an HTTP 204 or empty 200 body is an answer ("no data"), cached as a 0-byte file.
        """
        if self.config.needs_contact(source, url):
            raise NoContact(source, url)
        previous = self.cached(url)
        headers = {}
        if previous and previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous and previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        attempts = max(1, self.config.retries)
        for attempt in range(1, attempts + 1):
            try:
                return self._download(source, url, headers, previous, validate, allow_empty)
            except (requests.exceptions.ChunkedEncodingError, _Truncated) as exc:
                if attempt == attempts:
                    raise BadBody(source, url, f"the download broke off after {attempts} tries ({exc})") from None
                time.sleep(self.config.backoff * attempt)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                if previous and use_cache_offline:
                    return previous
                host = urlsplit(url).netloc
                if isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc):
                    reason = f"no answer from {host} within {self.config.timeout:g} s, {attempts} tries"
                else:
                    reason = f"could not reach {host} ({_short(exc)})"
                raise Unreachable(source, url, reason) from None
        raise AssertionError("unreachable")

    def _download(self, source, url, headers, previous, validate, allow_empty=False) -> Provenance:
        self.requests_made += 1
        self.pace(url)
        with self.session.get(url, headers=headers, timeout=self.config.timeout, stream=True) as resp:
            if resp.status_code == 304 and previous:
                return previous
            if resp.status_code == 403:
                raise Refused(source, url)
            if resp.status_code == 404:
                raise FetchError(source, url, f"not published at {url} (HTTP 404)")
            if resp.status_code not in ((200, 204) if allow_empty else (200,)):
                raise FetchError(source, url, f"HTTP {resp.status_code} after retries")
            if "html" in resp.headers.get("Content-Type", "").lower() and not url.endswith((".htm", ".html")):
                raise BadBody(source, url, web_page_reason(url, _first_bytes(resp)))
            final = self.cache_path(url)
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.with_name(final.name + f".{os.getpid()}.tmp")
            expected = resp.headers.get("Content-Length")
            digest, size = hashlib.sha256(), 0
            bar = tqdm(total=int(expected) if expected else None, unit="B", unit_scale=True,
                       desc=file_name(url), disable=not self.progress, leave=False)
            try:
                with open(tmp, "wb") as out:
                    try:
                        for chunk in _body(resp, expected, bar):
                            out.write(chunk)
                            digest.update(chunk)
                            size += len(chunk)
                    except _Undecodable as exc:
                        raise BadBody(source, url, str(exc)) from None
                with open(tmp, "rb") as f:
                    head = f.read(1 << 16)
                if looks_like_html(head[:1024]):
                    raise BadBody(source, url, web_page_reason(url, head))
                if size == 0 and not allow_empty:
                    raise BadBody(source, url, "the server sent an empty file")
                if validate and size:
                    try:
                        validate(tmp)
                    except ValueError as exc:
                        raise BadBody(source, url, str(exc)) from None
                    except SourceError as exc:  # a source's own parser; drop the temp file's name
                        raise BadBody(source, url, str(exc).split(": ", 1)[-1]) from None
                record = Provenance(
                    source=source, url=url, retrieved_at=now_utc(), bytes=size,
                    sha256=digest.hexdigest(), etag=resp.headers.get("ETag"),
                    last_modified=resp.headers.get("Last-Modified"), path=str(final),
                )
                meta = final.with_name(final.name + ".provenance.json")
                meta_tmp = meta.with_name(meta.name + ".tmp")
                meta_tmp.write_text(record.to_json())
                os.replace(tmp, final)
                os.replace(meta_tmp, meta)
                return record
            finally:
                bar.close()
                tmp.unlink(missing_ok=True)


class _Truncated(Exception):
    pass


class _Undecodable(Exception):
    pass


def _decoder(resp):
    """A zlib decompressor for the answer's Content-Encoding, or None for identity."""
    encoding = resp.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise _Undecodable(f"the server answered in an encoding Sector Pulse cannot read ({encoding[:20]})")


def _body(resp, expected: str | None, bar) -> Iterator[bytes]:
    """The decoded body, checked against Content-Length on the bytes the wire carried (compressed or not).

    A body cut short (fewer wire bytes than announced, or a compressed stream without its end) raises _Truncated.
    """
    decoder = _decoder(resp)
    wire = 0
    try:
        for chunk in resp.raw.stream(CHUNK, decode_content=False):
            wire += len(chunk)
            bar.update(len(chunk))
            data = decoder.decompress(chunk) if decoder else chunk
            if data:
                yield data
    except urllib3.exceptions.ReadTimeoutError:
        raise requests.exceptions.Timeout("timed out reading the body") from None
    except urllib3.exceptions.ProtocolError:
        raise _Truncated(f"{wire} of {expected} bytes" if expected else f"the connection closed after {wire} bytes") \
            from None
    except zlib.error as exc:
        raise _Truncated(f"the compressed body is damaged after {wire} bytes ({exc})") from None
    if expected is not None and expected.isdigit() and wire != int(expected):
        raise _Truncated(f"{wire} of {expected} bytes")
    if decoder:
        tail = decoder.flush()
        if tail:
            yield tail
        if not decoder.eof:
            raise _Truncated(f"the compressed body ends early, after {wire} bytes")


def _first_bytes(resp, limit: int = 1 << 16) -> bytes:
    """Up to limit decoded bytes of a (small, HTML) answer, to read its title; never raises."""
    out = b""
    try:
        for chunk in resp.iter_content(CHUNK):
            out += chunk
            if len(out) >= limit:
                break
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError):
        pass
    return out[:limit]


def _short(exc: BaseException) -> str:
    text = str(exc)
    m = re.search(r"\[Errno [^\]]+\] [^')\"]+", text)
    if m:
        return m.group(0)
    return type(exc).__name__

