"""Forms plugin: urlencoded and multipart/form-data bodies, file uploads.

    from picoweb_plugins.forms import Forms, read_form
    app.install(Forms(upload_dir=None, max_file_size=16 * 1024 * 1024))

    @app.route("/upload", methods=["POST"], max_body=64 * 1024 * 1024)
    async def upload(req, resp):
        form, files = await read_form(req)      # or: await req.read_form_data()
        f = files["photo"]                      # UploadedFile: .filename .size .path
        return "%s: %d bytes" % (form["title"], f.size)

Once installed, every request has:
- `await req.read_form_data(on_file=None)`: parse the body (urlencoded or
  multipart) into `req.form` and `req.files`; returns `req.form`.
- `req.parse_qs()`: parse the query string into `req.form`; returns it.
Both are the original picoweb's calls. `req.form` and `req.files` are
`MultiDict`s: `form["k"]` is the first value, `form.getlist("k")` all of
them. A key without "=" has the value "" (the original gave True).

`read_form(req, on_file=None, forms=None)` does the same without install
and returns (form, files); `files` holds `UploadedFile`s. Each file is
streamed in bounded pieces to a temp file with a generated name in
`upload_dir` (default: tempfile's dir on CPython, "/tmp" on MicroPython),
or, given `on_file(field_name, filename, content_type)`, to the object it
returns: write(bytes) per piece, then close() (either may be async;
abort(), if it has one, replaces close() when the form fails; returning
None drops the file). Installed, the plugin deletes the temp files after
the request: move one (os.rename) to keep it; uninstalled, call remove().

Errors: 413 past a limit, 400 for malformed bodies (bad %-escapes,
invalid UTF-8 — decoding is strict, nothing is replaced —, missing or
unterminated boundary, a part without a Content-Disposition name), 415
for another Content-Type, or none with a non-empty body (a route with
headers="skip" has no Content-Type to read).

The core refuses a Content-Length over the route's `max_body` (default
`app.limits.max_body`, 1 MiB) with 413 before the handler runs: give
upload routes `max_body=...`; the form's limit is the lower of that and
`Forms.max_body`.
"""

from picoweb import HTTPError, Request

from .multidict import MultiDict
from .uploads import UploadedFile
from .urlencoded import parse_urlencoded

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


class Forms:
    """The plugin and its limits, in bytes unless said otherwise; past
    one, the request is answered with 413.

    max_field_size: one text field, or one urlencoded key=value pair (64 KiB).
    max_file_size: one uploaded file (16 MiB); None: only the body limit.
    max_body: a whole form body (None: the route's max_body, which the
    core enforces anyway; the lower of the two applies).
    max_fields: fields and files in one form or query string (a count, 1000).
    max_memory: text fields and part headers held at once, or a whole
    urlencoded body (1 MiB).
    Class attributes, also settable per instance: `read_size` (bytes read
    from the body at a time) and `max_header_size` (one part's headers).
    """

    read_size = 4096
    max_header_size = 8192

    def __init__(self, upload_dir=None, max_field_size=65536, max_file_size=16777216,
                 max_body=None, max_fields=1000, max_memory=1048576):
        self.upload_dir = upload_dir
        self.max_field_size = max_field_size
        self.max_file_size = max_file_size
        self.max_body = max_body
        self.max_fields = max_fields
        self.max_memory = max_memory

    def install(self, app):
        Request.form = None
        Request.files = None
        Request.read_form_data = _read_form_data
        Request.parse_qs = _parse_qs
        app.after_request(_remove_uploads)

    def body_limit(self, req):
        """Bytes a form body of `req` may have: the route's and ours, the lower."""
        limit = req.max_body
        if self.max_body is not None and self.max_body < limit:
            limit = self.max_body
        return limit

    def parse_query(self, req):
        """`req.qs` as a MultiDict, under this plugin's limits."""
        return parse_urlencoded(req.qs, self.max_field_size, self.max_fields)

    async def read(self, req, on_file=None):
        """Parse the body of `req` into (form, files), also kept in
        `req.form` and `req.files`; a second call returns the same pair."""
        done = getattr(req, "_forms_result", None)
        if done is not None:
            return done
        content_type = req.headers.get("content-type", "")
        mime = content_type.partition(";")[0].strip().lower()
        limit = self.body_limit(req)
        if mime == URLENCODED:
            body = await req.read_body(min(limit, self.max_memory))
            form = parse_urlencoded(body, self.max_field_size, self.max_fields)
            files = MultiDict()
        elif mime == MULTIPART:
            from .formdata import read_multipart
            from .multipart import parse_boundary

            boundary = parse_boundary(content_type)
            if req.content_length is not None and req.content_length > limit:
                raise HTTPError(413, "form body too large")
            form, files = await read_multipart(req, boundary, self, on_file, limit)
        elif not mime and (req.reader is None or req.reader.finished):
            form, files = MultiDict(), MultiDict()
        else:
            raise HTTPError(415, "expected a urlencoded or multipart form body")
        req.form = form
        req.files = files
        req._forms_result = (form, files)
        return form, files


async def read_form(req, on_file=None, forms=None):
    """(form, files) MultiDicts from the body of `req`; see the module
    docstring. `forms` gives the limits (default: the installed Forms)."""
    return await (forms or installed_forms(req)).read(req, on_file)


def installed_forms(req):
    """The Forms installed on the app serving `req` or an app it is mounted
    in; a default Forms() if none is."""
    global _default
    app = req.app
    while app is not None:
        for plugin in app.plugins:
            if isinstance(plugin, Forms):
                return plugin
        app = app.parent
    if _default is None:
        _default = Forms()
    return _default


_default = None


async def _read_form_data(req, on_file=None):
    """Parse the body into `req.form` and `req.files`; returns `req.form`."""
    return (await installed_forms(req).read(req, on_file))[0]


def _parse_qs(req):
    """Parse the query string into `req.form`; returns it."""
    req.form = installed_forms(req).parse_query(req)
    return req.form


def _remove_uploads(req, resp):
    # Temp files the handler did not move would otherwise fill the disk.
    files = req.files
    if files:
        for _, upload in files.items():
            upload.remove()


__all__ = ["Forms", "MultiDict", "UploadedFile", "installed_forms", "parse_urlencoded", "read_form"]
