"""A JSON API that pages from another origin may call (the cors plugin):
notes that https://notes.example reads and writes with the user's cookies.
The API is a sub-app mounted at /api with Cors installed on it alone, so
the site's own pages answer without CORS headers.

Browsers ask first (a preflight OPTIONS) for a JSON POST or a DELETE: it is
answered 204 with what may follow, and cached for 10 minutes; an origin,
method or header not listed gets 403. Every answer of the API, errors too,
carries Access-Control-Allow-Origin for the allowed origin only.

Try it:  cd examples && python3 example_cors_api.py
         curl -i -X OPTIONS -H 'Origin: https://notes.example' -H 'Access-Control-Request-Method: DELETE' http://127.0.0.1:8081/api/notes/1
         curl -i -H 'Origin: https://notes.example' http://127.0.0.1:8081/api/notes
         curl -i -H 'Origin: https://evil.example' http://127.0.0.1:8081/api/notes   (no CORS headers)
"""

import picoweb
from picoweb_plugins.cors import Cors
from picoweb_plugins.json import Json

ORIGIN = "https://notes.example"  # the front end allowed to call the API

api = picoweb.WebApp(__name__)
api.install(Json(max_size=4096))
api.install(Cors(origins=[ORIGIN], methods=["GET", "POST", "DELETE"], headers=["Content-Type"],
                 expose_headers=["X-Total-Count"], credentials=True, max_age=600))
notes = {}  # id -> {"id", "text"}
next_id = [1]


@api.route("/notes", methods=["GET", "POST"])
async def all_notes(req, resp):
    if req.method == "GET":
        resp.headers["X-Total-Count"] = str(len(notes))  # scripts may read it: exposed
        return [notes[key] for key in sorted(notes)]
    note = await req.json()
    if not isinstance(note, dict) or not isinstance(note.get("text"), str):
        raise picoweb.HTTPError(400, 'expected {"text": "..."}')
    note = {"id": next_id[0], "text": note["text"]}
    next_id[0] += 1
    notes[note["id"]] = note
    return note, 201


@api.route("/notes/<int:note_id>", methods=["GET", "DELETE"])
async def one_note(req, resp, note_id):
    if note_id not in notes:
        raise picoweb.HTTPError(404, "no note %d" % note_id)
    if req.method == "DELETE":
        del notes[note_id]
        resp.set_body(b"", 204)
        return None
    return notes[note_id]


@api.route("/whoami")
async def whoami(req, resp):
    # A credentialed request: the browser sent the user's cookie with it.
    return {"user": req.cookies.get("user")}


app = picoweb.WebApp(__name__)
app.mount("/api", api)


@app.route("/")
async def index(req, resp):
    return ("<p>A JSON API for pages on <code>%s</code>: <a href='api/notes'>api/notes</a>, "
            "api/notes/&lt;id&gt;, <a href='api/whoami'>api/whoami</a>.</p>" % ORIGIN)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
