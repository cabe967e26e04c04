"""Static files plugin: a directory served under a URL prefix.

    from picoweb_plugins.static import Static
    app.install(Static(root="static", prefix="/static/", max_age=3600))

Answers GET and HEAD with Content-Type, ETag, Last-Modified, 304 for
If-None-Match / If-Modified-Since, single byte ranges (206 / 416), a
precompressed `name.gz` sibling for clients that accept gzip, and
`index.html` for directories. Nothing outside the root is ever opened.
"""

import os

from picoweb import HTTPError, get_mime_type
from picoweb.compat import IS_MICROPYTHON

from .header_values import (
    accepts_gzip, format_http_date, not_modified, parse_range, quote_path, range_applies,
)

if IS_MICROPYTHON:
    _realpath = None  # see Static._stat
else:
    from os.path import realpath as _realpath

_S_IFMT = 0o170000
_S_IFDIR = 0o040000
_S_IFREG = 0o100000
_S_IFLNK = 0o120000

# Types the core's table lacks; `Static(mime_types=...)` adds more.
_MORE_TYPES = {
    "mjs": "text/javascript", "map": "application/json", "csv": "text/csv",
    "md": "text/markdown; charset=utf-8", "gz": "application/gzip",
    "zip": "application/zip", "avif": "image/avif", "bmp": "image/bmp",
    "woff": "font/woff", "ttf": "font/ttf", "otf": "font/otf",
    "mp3": "audio/mpeg", "ogg": "audio/ogg", "wav": "audio/wav",
    "webm": "video/webm", "webmanifest": "application/manifest+json",
}


def _package_dir(name):
    module = __import__(name)
    for part in name.split(".")[1:]:
        module = getattr(module, part)
    path = getattr(module, "__file__", None)
    if not path:  # a namespace package
        return list(module.__path__)[0]
    cut = max(path.rfind("/"), path.rfind("\\"))
    return path[:cut] if cut > 0 else "."


class Static:
    """Serve the directory `root` under the URL `prefix`.

    root: a directory; a relative one is looked up in package `pkg`, by
        default beside the app's package, module or script (`app.root_path`).
    index: file served for a directory URL ending in "/" (None: 404).
    max_age: seconds for Cache-Control (None: no header).
    gzip: send `name.gz` with Content-Encoding: gzip when the client takes it.
    dotfiles: serve names starting with "." (default: 404).
    mime_types: {"ext": "type"} added to the built-in table.
    """

    def __init__(self, root="static", prefix="/static/", pkg=None, index="index.html",
                 max_age=None, gzip=True, dotfiles=False, mime_types=None):
        if not prefix.startswith("/") or not prefix.endswith("/"):
            raise ValueError("static prefix must start and end with '/': %r" % prefix)
        self.root = root
        self.prefix = prefix
        self.pkg = pkg
        self.index = index
        self.max_age = max_age
        self.gzip = gzip
        self.dotfiles = dotfiles
        self.mime_types = dict(_MORE_TYPES)
        if mime_types:
            self.mime_types.update(mime_types)
        self.directory = None
        self.real_root = None

    def install(self, app):
        """Resolve the directory (ValueError if there is none) and add the
        routes: prefix + "<path:path>", and the prefix itself (with and
        without its "/") for the root index."""
        root = self.root.rstrip("/") or "/"
        absolute = root[:1] in ("/", "\\") or root[1:2] == ":"
        if not absolute:
            root = (_package_dir(self.pkg) if self.pkg else app.root_path) + "/" + root
        if _realpath is not None:
            root = os.path.abspath(root)  # later chdir() must not move it
            self.real_root = _realpath(root)
        if not _is_dir(_stat_or_none(root)):
            raise ValueError("Static(root=%r): no directory at %s" % (self.root, root))
        self.directory = root
        methods = ("GET", "HEAD")
        app.add_url_rule(self.prefix + "<path:path>", self.serve, methods)
        if self.index:
            app.add_url_rule(self.prefix, self.serve, methods)
            if len(self.prefix) > 1:
                app.add_url_rule(self.prefix[:-1], self._redirect_root, methods)

    async def _redirect_root(self, req, resp):
        await self._redirect(req, resp, req.path + "/")

    async def serve(self, req, resp, path=""):
        """The route handler: answer one GET or HEAD for `path` under root."""
        self.check_path(path)
        full = self.directory + "/" + path
        if not path or path.endswith("/"):
            if not self.index or not _is_dir(self._stat(full.rstrip("/") or "/")):
                raise HTTPError(404)
            name = full + self.index
            stat = None
        else:
            stat = self._stat(full)
            if _is_dir(stat):
                if self.index and self._find(full + "/" + self.index, req)[0]:
                    await self._redirect(req, resp, req.path + "/")
                    return
                raise HTTPError(404)
            name = full
        await self._send(req, resp, name, stat)

    def check_path(self, path):
        """Refuse a decoded URL path that could name something outside the
        root: HTTPError 403 for traversal tricks, 404 for hidden names."""
        # Backslash: a separator on Windows. ":" makes drive letters and
        # NTFS streams there. NUL and controls are never in a real name.
        # No loop over the characters: MicroPython interns each character a loop or an index takes out of a str, for good.
        if "\\" in path or ":" in path or "\x7f" in path or (path and min(path.encode()) < 32):
            raise HTTPError(403)
        segments = path.split("/")
        last = len(segments) - 1
        for i, segment in enumerate(segments):
            if not segment:
                if i != last:  # a leading "/" (absolute) or "a//b"
                    raise HTTPError(403)
            elif segment == "." or segment == "..":
                raise HTTPError(403)
            elif segment[:1] == "." and not self.dotfiles:
                raise HTTPError(404)

    def _stat(self, name):
        """os.stat of `name`, or None if missing or a link out of the root."""
        if _realpath is None:
            # MicroPython: board filesystems (FAT, littlefs) have no symlinks.
            try:
                return os.stat(name)
            except OSError:
                return None
        # CPython: a symlink may point anywhere. lstat() what lies below the
        # root (check_path() let no ".." through): with no link on the way,
        # the file is inside and its lstat is its stat; only a link costs a
        # realpath(), whose result must stay under the resolved root.
        path = self.directory
        try:
            for part in name[len(path) + 1:].split("/"):
                if part:
                    path += "/" + part
                    stat = os.lstat(path)
                    if stat[0] & _S_IFMT == _S_IFLNK:
                        return self._stat_through_link(name)
            return stat if path != self.directory else os.stat(path)
        except OSError:
            return None

    def _stat_through_link(self, name):
        real = _realpath(name)
        base = self.real_root if self.real_root.endswith(os.sep) else self.real_root + os.sep
        if real != self.real_root and not real.startswith(base):
            return None
        return os.stat(name)

    def _find(self, name, req, stat=None):
        """(file name, stat, gzipped, has a .gz sibling) of the regular file
        to send for `name` (`stat`: its _stat(), if known); the .gz one when
        it exists and the client takes it."""
        if stat is None:
            stat = self._stat(name)
        if not _is_file(stat):
            stat = None
        if self.gzip and not name.endswith(".gz"):
            gz_stat = self._stat(name + ".gz")
            if _is_file(gz_stat):
                if accepts_gzip(req.headers.get("Accept-Encoding", "")):
                    return name + ".gz", gz_stat, True, True
                # A board may keep only the .gz: no plain copy to fall back to.
                return name if stat else None, stat, False, True
        return (name if stat else None), stat, False, False

    def content_type(self, name):
        """The Content-Type for a file name."""
        return self.mime_types.get(name.rpartition(".")[2].lower()) or get_mime_type(name)

    async def _send(self, req, resp, name, stat=None):
        found, stat, gzipped, varies = self._find(name, req, stat)
        if found is None:
            raise HTTPError(404)
        size = stat[6]
        mtime = stat[8]
        etag = '"%x-%x%s"' % (mtime, size, "-gz" if gzipped else "")
        headers = resp.headers
        headers["ETag"] = etag
        headers["Last-Modified"] = format_http_date(mtime)
        if self.max_age is not None:
            headers["Cache-Control"] = "max-age=%d" % self.max_age
        if varies:
            headers["Vary"] = "Accept-Encoding"
        if not_modified(req.headers, etag, mtime):
            resp.set_body(b"", 304)
            return
        headers["Accept-Ranges"] = "bytes"
        first, last = 0, size - 1
        value = req.headers.get("Range")
        if value is not None and req.method == "GET" and range_applies(req.headers, etag, mtime):
            span = parse_range(value, size)
            if span is False:
                raise HTTPError(416, headers={"Content-Range": "bytes */%d" % size})
            if span:
                first, last = span
                resp.status = 206
                headers["Content-Range"] = "bytes %d-%d/%d" % (first, last, size)
        headers["Content-Type"] = self.content_type(name)
        if gzipped:
            headers["Content-Encoding"] = "gzip"
        headers["Content-Length"] = str(last - first + 1)
        resp.started = True
        try:
            f = open(found, "rb")
        except OSError:  # removed since the stat
            raise HTTPError(404)
        try:
            await resp.write_file(f, first, last - first + 1)
        finally:
            f.close()

    async def _redirect(self, req, resp, path):
        location = quote_path(req.prefix + path)
        if req.qs:
            location += "?" + req.qs
        resp.set_body(b"", 301, headers={"Location": location})


def _stat_or_none(path):
    try:
        return os.stat(path)
    except OSError:
        return None


def _is_dir(stat):
    return stat is not None and stat[0] & _S_IFMT == _S_IFDIR


def _is_file(stat):
    return stat is not None and stat[0] & _S_IFMT == _S_IFREG
