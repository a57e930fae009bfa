"""Local HTTP(S) servers the census tests fetch from: no request leaves the machine."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example Makerspace news</title><link>http://example.org/</link>
<description>news</description>
<item><title>Open night</title><link>http://example.org/1</link><pubDate>Tue, 14 Mar 2023 18:00:00 +0800</pubDate></item>
<item><title>Soldering workshop</title><link>http://example.org/2</link><pubDate>Sat, 02 Sep 2023 10:00:00 +0800</pubDate></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example Hackerspace</title><id>urn:example</id>
<updated>2024-05-01T12:00:00Z</updated>
<entry><title>3D printing</title><id>urn:example:1</id><updated>2024-04-20T09:30:00Z</updated></entry>
<entry><title>PCB night</title><id>urn:example:2</id><updated>2022-01-01T00:00:00Z</updated></entry>
</feed>"""
PARKED = ("<html><head><title>chaihuo-example.com</title></head><body><h1>该域名正在出售</h1>"
          "<p>This domain may be for sale. Make an offer.</p></body></html>").encode()
LIVE = "<html><head><meta charset='utf-8'><title>示例创客空间 Example Makerspace</title></head><body>Hi</body></html>"


def spaceapi(version: str, *, valid: bool = True, lastchange: int = 1_700_000_000) -> bytes:
    document = json.loads((FIXTURES / "importers" / f"spaceapi_v{version}.json").read_text(encoding="utf-8"))
    document["state"] = {"open": True, "lastchange": lastchange}
    if not valid:
        document["location"]["lat"] = 123.4  # outside -90..90
    return json.dumps(document).encode()


class Handler(BaseHTTPRequestHandler):
    routes: dict = {}
    hits: list = []
    agents: list = []

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        self.hits.append(self.path)
        self.agents.append(self.headers.get("User-Agent", ""))
        route = self.routes.get(self.path)
        if route is None:
            if self.path == "/robots.txt":
                route = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")
            else:
                route = (404, {"Content-Type": "text/html"}, b"<title>Not found</title>")
        if callable(route):
            route = route(self)
            if route is None:
                return
        status, headers, body = route
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server:
    """A threaded HTTP server on 127.0.0.1 with a routing table (path → (status, headers, body))."""

    def __init__(self, routes: dict, tls: ssl.SSLContext | None = None):
        handler = type("RoutedHandler", (Handler,), {"routes": routes, "hits": [], "agents": []})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.handler = handler
        self.port = self.httpd.server_address[1]
        self.scheme = "https" if tls else "http"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def slow(seconds: float):
    def answer(handler):
        time.sleep(seconds)
        return 200, {"Content-Type": "text/html"}, b"<title>late</title>"
    return answer


def free_port() -> int:
    """A port nobody listens on (bound, then closed): connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
