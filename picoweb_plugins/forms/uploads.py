"""Uploaded files: where their bytes go (a temp file or the app's sink)
and what the handler gets back (UploadedFile)."""

import os

try:
    from tempfile import mkstemp  # CPython: creates the file exclusively, mode 0600
except ImportError:  # MicroPython
    mkstemp = None

DEFAULT_UPLOAD_DIR = "/tmp"  # MicroPython only; set Forms(upload_dir=...) on a board


def upload_dir_or_default(upload_dir):
    """The folder uploads go to for `upload_dir` (None: the default), or
    ValueError naming it if it is no folder."""
    if upload_dir is None:
        if mkstemp is not None:
            import tempfile

            upload_dir = tempfile.gettempdir()
        else:
            upload_dir = DEFAULT_UPLOAD_DIR
    try:
        is_dir = os.stat(upload_dir)[0] & 0o170000 == 0o040000
    except OSError:
        is_dir = False
    if not is_dir:
        raise ValueError("Forms(upload_dir=%r): no folder there to stream uploads to" % upload_dir)
    return upload_dir


class UploadedFile:
    """One file part of a form.

    `name` is the form field, `filename` the client's name for the file
    (text only: never use it as a path), `content_type` the part's type,
    `size` its length in bytes, `headers` the part headers (lowercase keys).
    `path` is the temp file holding it, or None when an `on_file` callback
    took the bytes; then `sink` is what that callback returned.
    """

    def __init__(self, name, filename, content_type, size=0, path=None, headers=None, sink=None):
        self.name = name
        self.filename = filename
        self.content_type = content_type
        self.size = size
        self.path = path
        self.headers = headers or {}
        self.sink = sink

    def open(self, mode="rb"):
        """Open the temp file (disk uploads only)."""
        if self.path is None:
            raise ValueError("this upload went to a callback, not to a file")
        return open(self.path, mode)

    def save(self, path):
        """Keep the upload at `path` (moved there, or copied across file
        systems) and return `path`; it is not removed after the request. The
        file keeps the temp file's mode: 0600 on CPython (the owner alone
        may read it: chmod it to share it), the board's default on MicroPython."""
        if self.path is None:
            raise ValueError("this upload went to a callback, not to a file")
        try:
            os.rename(self.path, path)
        except OSError:  # another file system (EXDEV): copy, then drop the temp file
            with open(self.path, "rb") as source, _create_private(path) as target:
                while True:
                    piece = source.read(4096)
                    if not piece:
                        break
                    target.write(piece)
            os.remove(self.path)
        self.path = path
        self.kept = True
        return path

    kept = False  # save() moved it: remove() leaves it

    def remove(self):
        """Delete the temp file if it is still there (a moved or saved one is not)."""
        if self.path is not None and not self.kept:
            try:
                os.remove(self.path)
            except OSError:
                pass

    def __repr__(self):
        return "<UploadedFile %s=%r %d bytes at %r>" % (self.name, self.filename, self.size, self.path)


class DiskFile:
    """A sink writing one upload to a fresh temp file with a generated name."""

    def __init__(self, upload_dir=None):
        if mkstemp is not None:
            fd, self.path = mkstemp(prefix="upload-", dir=upload_dir)
            self.file = open(fd, "wb")
        else:
            directory = (upload_dir or DEFAULT_UPLOAD_DIR).rstrip("/")
            self.path = "%s/upload-%s" % (directory, _random_name())
            self.file = open(self.path, "wb")

    def write(self, data):
        self.file.write(data)

    def close(self):
        self.file.close()

    def abort(self):
        """Called instead of close() when the form failed: leave nothing behind."""
        self.file.close()
        try:
            os.remove(self.path)
        except OSError:
            pass


def _create_private(path):
    # The copy is as private as the temp file from its first byte (CPython);
    # MicroPython has no os.open, and boards no file modes to speak of.
    if hasattr(os, "O_CREAT"):
        return open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
    return open(path, "wb")


def _random_name():
    try:
        raw = os.urandom(8)
    except AttributeError:  # ports without urandom
        import random

        raw = bytes(random.getrandbits(8) for _ in range(8))
    import binascii

    return str(binascii.hexlify(raw), "ascii")
