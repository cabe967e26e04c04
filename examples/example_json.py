"""A small JSON API with the JSON plugin: sensor readings that clients post
and read back. `await req.json()` answers malformed JSON with 400, bodies
over 4 KiB with 413 and other content types with 415; `jsonify()` (as the
original picoweb's) and returned dicts answer in JSON.

Try it:  cd examples && python3 example_json.py
         curl -i -H 'Content-Type: application/json' -d '{"sensor": "t1", "value": 21.5}' http://127.0.0.1:8081/readings
         curl -i http://127.0.0.1:8081/readings/1
"""

import picoweb
from picoweb_plugins.json import Json, jsonify

app = picoweb.WebApp(__name__)
app.install(Json(max_size=4096))
readings = []


@app.route("/")
async def index(req, resp):
    await picoweb.start_response(resp)
    await resp.awrite(
        "<p>POST JSON like <code>{\"sensor\": \"t1\", \"value\": 21.5}</code> to "
        "<a href='readings'>readings</a>, then GET readings/&lt;id&gt;.</p>"
    )


@app.route("/readings", methods=["GET", "POST"])
async def all_readings(req, resp):
    if req.method == "GET":
        return readings  # a list: sent as JSON
    reading = await req.json()
    if (not isinstance(reading, dict) or not isinstance(reading.get("sensor"), str)
            or not isinstance(reading.get("value"), (int, float))):
        raise picoweb.HTTPError(400, 'expected {"sensor": "...", "value": <number>}')
    reading = {"id": len(readings) + 1, "sensor": reading["sensor"], "value": reading["value"]}
    readings.append(reading)
    await jsonify(resp, reading, status=201, headers={"Location": app.url_for("one_reading", reading_id=reading["id"])})


@app.route("/readings/<int:reading_id>")
async def one_reading(req, resp, reading_id):
    if not 1 <= reading_id <= len(readings):
        return {"error": "no reading %d" % reading_id}, 404
    return readings[reading_id - 1]


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=0)
