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

from picoweb import HTTPError

from .multidict import MultiDict
from .uploads import UploadedFile
from .urlencoded import parse_urlencoded

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


class Forms:
    """The plugin and its limits, in bytes unless said otherwise; past
    one, the request is answered with 413.

    upload_dir: where uploaded files are streamed (default: tempfile's
    folder on CPython, "/tmp" on MicroPython).
    max_field_size: one text field, or one urlencoded key=value pair (64 KiB).
    max_file_size: one uploaded file (16 MiB); None: only the body limit.
    max_body: a whole form body (None: the route's max_body, which the
    core enforces anyway; the lower of the two applies).
    max_fields: fields and files in one form or query string (a count, 1000).
    max_memory: text fields and part headers held at once, or a whole
    urlencoded body (1 MiB).
    max_part_header_size: one multipart part's headers (8 KiB).
    max_boundary_padding: whitespace after a multipart delimiter (256), else 400.
    read_size: bytes read from the body at a time (4 KiB).
    """

    def __init__(self, upload_dir=None, max_field_size=65536, max_file_size=16777216,
                 max_body=None, max_fields=1000, max_memory=1048576,
                 max_part_header_size=8192, max_boundary_padding=256, read_size=4096):
        self.upload_dir = upload_dir
        self.max_field_size = max_field_size
        self.max_file_size = max_file_size
        self.max_body = max_body
        self.max_fields = max_fields
        self.max_memory = max_memory
        self.max_part_header_size = max_part_header_size
        self.max_boundary_padding = max_boundary_padding
        self.read_size = read_size

    def install(self, app):
        """Give the app's requests `form`, `files`, `read_form_data()` and
        `parse_qs()`, and remove their temp files once each is over."""
        app.add_request_attribute("form", _nothing)
        app.add_request_attribute("files", _nothing)
        app.add_request_method("read_form_data", self._read_form_data)
        app.add_request_method("parse_qs", self._parse_qs)
        app.teardown_request(_remove_uploads)

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
        """Parse the body of `req` into (form, files) MultiDicts."""
        content_type = req.headers.get("content-type", "")
        mime = content_type.partition(";")[0].strip().lower()
        limit = self.body_limit(req)
        if mime == URLENCODED:
            body = await req.read_body(min(limit, self.max_memory))
            return parse_urlencoded(body, self.max_field_size, self.max_fields), MultiDict()
        if mime == MULTIPART:
            from .formdata import read_multipart
            from .multipart import parse_boundary

            boundary = parse_boundary(content_type)
            req.reader.limit_to(limit)
            return await read_multipart(req, boundary, self, on_file)
        if not mime and (req.reader is None or req.reader.finished):
            return MultiDict(), MultiDict()
        raise HTTPError(415, "expected a urlencoded or multipart form body")

    async def _read_form_data(self, req, on_file=None):
        # req.read_form_data(): once per request, kept in req.form and req.files.
        if req.files is None:
            req.form, req.files = await self.read(req, on_file)
        return req.form

    def _parse_qs(self, req):
        req.form = self.parse_query(req)
        return req.form


async def read_form(req, on_file=None, forms=None):
    """(form, files) MultiDicts from the body of `req`; see the module
    docstring. `forms` gives the limits (default: the Forms installed on
    the app serving `req`, else the defaults). Uninstalled, temp files are
    yours to remove (UploadedFile.remove())."""
    installed = req.app.find_plugin(Forms)
    if forms is None or forms is installed:
        if installed is not None:
            await req.read_form_data(on_file)
            return req.form, req.files
        forms = Forms()
    return await forms.read(req, on_file)


def _nothing(req):
    return None


def _remove_uploads(req, resp):
    # Temp files the handler did not move would otherwise fill the disk,
    # whatever became of the request.
    files = req.files
    if files:
        for _, upload in files.items():
            upload.remove()


__all__ = ["Forms", "MultiDict", "UploadedFile", "parse_urlencoded", "read_form"]
