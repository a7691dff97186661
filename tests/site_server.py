"""A static file server for the built site, gzip-compressing text the way static hosts do, so the
browser tests measure realistic transfer sizes. It serves the site's parent folder, so pages are
reached under /site/: proof that the site works below a sub-path, as on GitHub Pages."""
import functools
import gzip
import io
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".ipynb"}


@functools.lru_cache(maxsize=512)
def compressed(path, mtime_ns):
    """A file's gzip body, compressed once per version (every test visit asks for the same assets)."""
    return gzip.compress(path.read_bytes(), mtime=0)


class GzipStaticHandler(SimpleHTTPRequestHandler):
    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts_gzip and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().send_head()
        body = compressed(path, path.stat().st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, *args):
        pass


@contextmanager
def serve(site):
    """Yield the base URL of the site, served on a free loopback port."""
    handler = functools.partial(GzipStaticHandler, directory=str(Path(site).parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/{Path(site).name}/"
    finally:
        server.shutdown()
        server.server_close()
