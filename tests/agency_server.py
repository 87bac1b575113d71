"""A local HTTP server on 127.0.0.1 that serves a folder in an agency's URL layout, with injectable faults.

It can answer like the real agencies do: gzip bodies whose Content-Length counts the compressed bytes, a gzip
body cut short, 429/503 with Retry-After, 403 from some point of a run on, an "Access Denied" web page with
status 200, and the Census API's key errors. Every request is logged with its arrival time (time.monotonic()).
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Fault:
    """One scripted answer: status (with optional Retry-After), an HTML page, a truncated or reset body."""

    status: int = 200
    retry_after: str | None = None
    body: bytes | None = None
    content_type: str | None = None
    truncate_to: int | None = None  # send a Content-Length for the whole file, then only this many bytes
    reset: bool = False  # close the socket mid-body
    delay: float = 0.0
    gzip: bool = False  # send this answer gzip-encoded (Content-Length counts the compressed bytes)


# What the Census Data API answers without a valid key (status 200, a web page), and a key error in plain text.
CENSUS_INVALID_KEY_PAGE = (
    b"<html><head><title>Invalid Key</title></head><body><p>A valid <em>key</em> must be included with each "
    b"data API request. You included a key with this request, however, it is not valid. Please check your key "
    b"and try again.</p><p>If you do not have a key you may sign up for one "
    b"<a href=\"https://api.census.gov/data/key_signup.html\">here</a>.</p></body></html>"
)
CENSUS_MISSING_KEY_TEXT = b"error: A valid key must be included with each data API request."


@dataclass
class AgencyServer:
    root: Path
    faults: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    overrides: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, dict]] = field(default_factory=list)
    log: list[tuple[float, str]] = field(default_factory=list)  # (time.monotonic() on arrival, path)
    gzip: bool = False  # gzip every 200 answer to a client that accepts it, as BLS's CDN does
    refuse_after: int | None = None  # answer 403 to every request after this many (a CDN block part-way)
    etag: str | None = '"v1"'
    last_modified: str | None = "Wed, 15 May 2026 12:00:00 GMT"
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_fault(self, path: str, *faults: Fault) -> None:
        self.faults[path].extend(faults)

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


def _handler(state: AgencyServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep pytest output clean
            pass

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            state.log.append((time.monotonic(), path))
            state.requests.append((path, dict(self.headers)))
            queue = state.faults.get(path)
            fault = queue.popleft() if queue else None
            if state.refuse_after is not None and len(state.requests) > state.refuse_after:
                fault = Fault(status=403, body=b"<html><head><title>Access Denied</title></head></html>",
                              content_type="text/html")
            if fault and fault.delay:
                time.sleep(fault.delay)
            if fault and fault.status == 204:  # No Content: no body, no Content-Length (the Census API's "no data")
                self.send_response(204)
                self.end_headers()
                return
            if fault and fault.status != 200:
                body = fault.body or f"error {fault.status}".encode()
                self.send_response(fault.status)
                if fault.retry_after:
                    self.send_header("Retry-After", fault.retry_after)
                self.send_header("Content-Type", fault.content_type or "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if fault and fault.body is not None:
                data = fault.body
            elif path in state.overrides:
                data = state.overrides[path]
            else:
                parts = [p for p in path.split("/") if p]
                target = state.root.joinpath(*parts)
                if ".." in parts or not target.is_file():
                    self.send_response(404)
                    self.send_header("Content-Length", "9")
                    self.end_headers()
                    self.wfile.write(b"not found")
                    return
                data = target.read_bytes()
            if state.etag and self.headers.get("If-None-Match") == state.etag and not fault:
                self.send_response(304)
                self.send_header("ETag", state.etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", (fault.content_type if fault and fault.content_type else "text/csv"))
            accepts = "gzip" in self.headers.get("Accept-Encoding", "")
            if (state.gzip and accepts) or (fault and fault.gzip):
                data = gzip.compress(data, mtime=0)
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            if state.etag:
                self.send_header("ETag", state.etag)
            if state.last_modified:
                self.send_header("Last-Modified", state.last_modified)
            self.end_headers()
            if fault and (fault.truncate_to is not None or fault.reset):
                cut = fault.truncate_to if fault.truncate_to is not None else len(data) // 2
                self.wfile.write(data[:cut])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.wfile.write(data)

    return Handler


def start(root: Path) -> tuple[AgencyServer, ThreadingHTTPServer]:
    state = AgencyServer(root=Path(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
