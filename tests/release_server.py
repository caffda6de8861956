"""A stand-in for GitHub's release API on 127.0.0.1, so download tests never reach the internet.

`serve_release({"yolo11n-cls.pt": b"..."}, digests={...})` answers `GET /release` with a release JSON shaped like
GitHub's (`assets[].name, size, browser_download_url, digest`) and `GET /files/<name>` with the bytes. The server runs
in a daemon thread, stops when the `with` block ends, and stops by itself after `lifetime_s` whatever happens.
"""

import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FakeRelease:
    url: str  # the release API address to put in `weights_release_url`
    requests: list[str] = field(default_factory=list)  # paths asked for, in order


def sha256_digest(content: bytes) -> str:
    return f"sha256:{hashlib.sha256(content).hexdigest()}"


@contextmanager
def serve_release(
    files: dict[str, bytes], digests: dict[str, str | None] | None = None, lifetime_s: float = 120.0
) -> Iterator[FakeRelease]:
    """`digests[name]` overrides an asset's digest (None: the asset has none); by default it is the true sha256."""
    digests = digests or {}
    served: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        timeout = 10  # a stalled client cannot hold a thread for long

        def do_GET(self) -> None:
            served.append(self.path)
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/release":
                assets = [
                    {"name": name, "size": len(content), "browser_download_url": f"{base}/files/{name}"}
                    | ({"digest": d} if (d := digests.get(name, sha256_digest(content))) is not None else {})
                    for name, content in files.items()
                ]
                self._send(json.dumps({"tag_name": "v-test", "assets": assets}).encode(), "application/json")
            elif self.path.startswith("/files/") and self.path.removeprefix("/files/") in files:
                self._send(files[self.path.removeprefix("/files/")], "application/octet-stream")
            else:
                self._send(b'{"message": "Not Found"}', "application/json", status=404)

        def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    deadline = threading.Timer(lifetime_s, server.shutdown)
    deadline.daemon = True
    thread.start()
    deadline.start()
    try:
        yield FakeRelease(url=f"http://127.0.0.1:{server.server_address[1]}/release", requests=served)
    finally:
        deadline.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/release"
