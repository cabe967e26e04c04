"""Forms: a GET form, a POST form echoed back, and a file upload whose
name, size and SHA-256 the server reports (the forms plugin).

Try it:  cd examples && python3 example_form.py
         curl -d 'name=Zoë&color=green&color=blue' http://127.0.0.1:8081/post
         curl -F 'note=hi' -F 'upload=@example_form.py' http://127.0.0.1:8081/upload
"""

import binascii
import hashlib

import picoweb
from picoweb.pages import escape_html
from picoweb_plugins.forms import Forms, read_form

app = picoweb.WebApp(__name__)
# Uploads go to temp files (tempfile on CPython; set upload_dir on a board).
app.install(Forms(max_file_size=16 * 1024 * 1024))

PAGE = "<!DOCTYPE html><meta charset='utf-8'><title>%s</title><h1>%s</h1>\n%s"


def page(title, body):
    return PAGE % (title, title, body)


def field_table(form):
    rows = "".join("<tr><td>%s</td><td>%s</td></tr>\n" % (escape_html(key), escape_html(value))
                   for key, value in form.items())
    return "<table border='1'>\n%s</table>\n" % rows


@app.route("/")
def index(req, resp):
    return page("Forms", "<ul><li><a href='get'>GET form</a><li><a href='post'>POST form</a>"
                         "<li><a href='upload'>file upload</a></ul>\n")


@app.route("/get")
def get_form(req, resp):
    form = req.parse_qs()  # the query string, as the original picoweb's call
    body = ("<form method='get'><input name='name' placeholder='name'> "
            "<input name='color' value='green'> <button>Send</button></form>\n")
    if form:
        body += "<p>You sent:</p>\n" + field_table(form)
    return page("GET form", body)


@app.route("/post", methods=["GET", "POST"])
async def post_form(req, resp):
    if req.method == "POST":
        form = await req.read_form_data()
        return page("POST form: you sent", field_table(form) + "<p><a href='post'>again</a></p>")
    return page("POST form", "<form method='post'><input name='name' placeholder='name'> "
                             "<label><input type='checkbox' name='color' value='green' checked>green</label>"
                             "<label><input type='checkbox' name='color' value='blue'>blue</label> "
                             "<textarea name='note'></textarea> <button>Send</button></form>\n")


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            piece = f.read(4096)  # a fixed buffer: files may be larger than the heap
            if not piece:
                break
            digest.update(piece)
    return str(binascii.hexlify(digest.digest()), "ascii")  # MicroPython has no hexdigest()


# The core answers 413 before the handler for a body over the route's max_body.
@app.route("/upload", methods=["GET", "POST"], max_body=32 * 1024 * 1024)
async def upload(req, resp):
    if req.method == "GET":
        return page("Upload", "<form method='post' enctype='multipart/form-data'>"
                              "<input name='note' placeholder='note'> "
                              "<input type='file' name='upload' multiple> "
                              "<button>Upload</button></form>\n")
    form, files = await read_form(req)
    rows = "".join("<tr><td>%s</td><td>%d</td><td><code>%s</code></td></tr>\n"
                   % (escape_html(f.filename), f.size, sha256_of(f.path)) for _, f in files.items())
    # The temp files are deleted after this request; os.rename one to keep it.
    return page("Uploaded", field_table(form) + "<table border='1'><tr><th>file</th><th>bytes</th>"
                "<th>SHA-256</th></tr>\n" + rows + "</table>\n<p><a href='upload'>again</a></p>")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=0)
