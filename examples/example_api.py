"""A JSON API mounted at /api, built on a WebApp subclass: init() sets up
an in-memory store, handle() logs every API call, and one error handler
answers all HTTP errors of the API (404, 405, 400...) in JSON.

Try it:  cd examples && python3 example_api.py
         curl -i -X POST -d '{"name": "milk"}' http://127.0.0.1:8081/api/items
         curl -i http://127.0.0.1:8081/api/items/1
"""

import json

import picoweb


class ItemStore(picoweb.WebApp):
    """Items kept in memory, by id."""

    def init(self):
        # Runs once before the server starts: open a real database here.
        self.items = {}
        self.next_id = 1
        super().init()

    async def handle(self, req, resp):
        await super().handle(req, resp)
        self.log.info("api: %s %s%s -> %d", req.method, req.prefix, req.path, resp.status)

    def find(self, item_id):
        if item_id not in self.items:
            raise picoweb.HTTPError(404, "no item %d" % item_id)
        return self.items[item_id]


api = ItemStore(__name__)


async def read_item(req):
    """The JSON object in the request body, which must have a "name"."""
    try:
        item = json.loads(await req.read_body())
    except ValueError:
        raise picoweb.HTTPError(400, "the body is not JSON")
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise picoweb.HTTPError(400, 'expected {"name": "..."}')
    return item


@api.errorhandler(picoweb.HTTPError)
async def json_error(req, resp, exc):
    return {"error": exc.status, "message": exc.message}, exc.status


@api.route("/items")
async def list_items(req, resp):
    return [api.items[key] for key in sorted(api.items)]


@api.route("/items", methods=["POST"])
async def create_item(req, resp):
    item = await read_item(req)
    item = {"id": api.next_id, "name": item["name"]}
    api.items[item["id"]] = item
    api.next_id += 1
    return item, 201, {"Location": "%s/items/%d" % (req.prefix, item["id"])}


@api.route("/items/<int:item_id>")
async def get_item(req, resp, item_id):
    return api.find(item_id)


@api.route("/items/<int:item_id>", methods=["PUT"])
async def update_item(req, resp, item_id):
    api.find(item_id)["name"] = (await read_item(req))["name"]
    return api.find(item_id)


@api.route("/items/<int:item_id>", methods=["DELETE"])
async def delete_item(req, resp, item_id):
    api.find(item_id)
    del api.items[item_id]
    return "", 204


app = picoweb.WebApp(__name__)
app.mount("/api", api)


@app.route("/")
async def index(req, resp):
    return (
        "<h1>Items API</h1><p>GET or POST <a href='api/items'>/api/items</a>;"
        " GET, PUT or DELETE /api/items/&lt;id&gt;. Bodies are JSON:"
        ' <code>{"name": "milk"}</code>.</p>'
    )


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
