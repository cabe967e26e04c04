"""Read a multipart/form-data body from `req.reader` in bounded chunks:
text fields into a MultiDict, files into sinks, never a whole file in memory."""

from picoweb import HTTPError
from picoweb.compat import call

from .multidict import MultiDict
from .multipart import DATA, END, PART, MultipartParser, parse_disposition
from .uploads import DiskFile, UploadedFile
from .urlencoded import decode_utf8


async def read_multipart(req, boundary, forms, on_file=None):
    """Return (fields, files) MultiDicts; `forms` holds the limits (the
    body's own is the reader's). On any error every file written so far is
    dropped."""
    parser = MultipartParser(boundary, forms.max_part_header_size, forms.max_boundary_padding)
    reader = req.reader
    fields = MultiDict()
    files = MultiDict()
    state = _FormState(forms, on_file, fields, files)
    try:
        while parser.state != "done":
            chunk = await reader.read(forms.read_size)
            if chunk:
                parser.feed(chunk)
            while True:
                event = parser.next_event()
                if event is None:
                    break
                await state.handle(event)
            if not chunk:
                parser.end_of_input()
                break
    except BaseException:
        await state.abort()
        raise
    return fields, files


class _FormState:
    """Turns parser events into fields and files, enforcing the limits."""

    def __init__(self, forms, on_file, fields, files):
        self.forms = forms
        self.on_file = on_file
        self.fields = fields
        self.files = files
        self.parts = 0
        self.memory = 0  # bytes of text fields and part headers held, across the form
        self.name = None
        self.upload = None  # the UploadedFile being received, if a file part
        self.sink = None
        self.text = None  # the text field being received

    async def handle(self, event):
        kind, value = event
        if kind == DATA:
            await self._data(value)
        elif kind == PART:
            await self._start(value)
        elif kind == END:
            await self._end()

    async def _start(self, headers):
        forms = self.forms
        self.parts += 1
        if self.parts > forms.max_fields:
            raise HTTPError(413, "too many form fields")
        # Headers stay in memory with their UploadedFile: they count as field bytes.
        self._hold(sum(len(key) + len(value) for key, value in headers.items()))
        name, filename = parse_disposition(headers.get("content-disposition", ""))
        self.name = name
        if filename is None:
            self.text = bytearray()
            return
        content_type = headers.get("content-type", "application/octet-stream")
        self.upload = UploadedFile(name, filename, content_type, headers=headers)
        if self.on_file is None:
            self.sink = DiskFile(forms.upload_dir)
            self.upload.path = self.sink.path
        else:
            self.sink = await call(self.on_file, name, filename, content_type)
            self.upload.sink = self.sink

    async def _data(self, data):
        forms = self.forms
        upload = self.upload
        if upload is not None:
            upload.size += len(data)
            if forms.max_file_size is not None and upload.size > forms.max_file_size:
                raise HTTPError(413, "uploaded file too large")
            if self.sink is not None:  # on_file returned None: drop the bytes
                await call(self.sink.write, data)
            return
        self._hold(len(data))
        if len(self.text) + len(data) > forms.max_field_size:
            raise HTTPError(413, "form field too large")
        self.text += data

    def _hold(self, size):
        self.memory += size
        if self.memory > self.forms.max_memory:
            raise HTTPError(413, "form fields too large")

    async def _end(self):
        upload = self.upload
        if upload is None:
            self.fields.add(self.name, decode_utf8(bytes(self.text)))
            self.text = None
            return
        sink = self.sink
        self.sink = self.upload = None
        if sink is not None:
            await call(sink.close)
        self.files.add(upload.name, upload)

    async def abort(self):
        """Drop what a failed form left: the open sink and files on disk."""
        sink = self.sink
        self.sink = None
        if sink is not None:
            await call(getattr(sink, "abort", sink.close))
        for _, upload in self.files.items():
            upload.remove()
