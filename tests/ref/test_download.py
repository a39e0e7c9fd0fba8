"""Download: progress, resume of a partial file, sha256 check and a clear error with no network."""

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ulmfit_ref.download import DownloadError, cache_dir, download

PAYLOAD = bytes(range(256)) * 1000


class RangeHandler(BaseHTTPRequestHandler):
    """Serves PAYLOAD, honouring a `Range: bytes=N-` header; records the ranges asked for."""

    ranges = []

    def do_GET(self):
        start = int(self.headers["Range"].split("=")[1].rstrip("-")) if "Range" in self.headers else 0
        self.ranges.append(start)
        body = PAYLOAD[start:]
        self.send_response(206 if start else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    RangeHandler.ranges = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}/aclImdb_v1.tar.gz"
    httpd.shutdown()


SHA = hashlib.sha256(PAYLOAD).hexdigest()


def test_download_checks_the_sha256(server, tmp_path):
    dest = download(server, tmp_path / "a.tar.gz", SHA)
    assert dest.read_bytes() == PAYLOAD
    assert download(server, dest, SHA) == dest and RangeHandler.ranges == [0]  # cached: not fetched again


def test_download_resumes_a_partial_file(server, tmp_path):
    (tmp_path / "a.tar.gz.part").write_bytes(PAYLOAD[:1000])
    dest = download(server, tmp_path / "a.tar.gz", SHA)
    assert dest.read_bytes() == PAYLOAD and RangeHandler.ranges == [1000]


def test_a_wrong_sha256_removes_the_file_and_fails(server, tmp_path):
    with pytest.raises(DownloadError, match="does not match"):
        download(server, tmp_path / "a.tar.gz", "0" * 64)
    assert not (tmp_path / "a.tar.gz").exists() and not (tmp_path / "a.tar.gz.part").exists()


def test_no_network_says_how_to_pass_a_local_path(tmp_path):
    with pytest.raises(DownloadError, match="--data PATH"):
        download("http://127.0.0.1:9/aclImdb_v1.tar.gz", tmp_path / "a.tar.gz", timeout=2)


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ULMFIT_CACHE", str(tmp_path))
    assert cache_dir() == tmp_path
    monkeypatch.delenv("ULMFIT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "ulmfit"
