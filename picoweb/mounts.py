"""Mounted apps: a Mount is a route to a whole app, found before the
routes; a request is resolved through them once, to the app and path its
route belongs to.

Imported with the first mount, not with the core.
"""


class Mount:
    """A route to a whole app: `prefix` and every path below it."""

    def __init__(self, prefix, app):
        if not prefix.startswith("/") or prefix.endswith("/"):
            raise ValueError("mount prefix must start and not end with '/': %r" % prefix)
        self.prefix = prefix
        self.app = app

    def match(self, path):
        """The path as the mounted app sees it, or None if not under prefix."""
        prefix = self.prefix
        if not path.startswith(prefix):
            return None
        if len(path) == len(prefix):
            return "/"
        # startswith(), not path[i]: MicroPython interns a character indexed out of a str.
        return path[len(prefix):] if path.startswith("/", len(prefix)) else None


def add_mount(router, mount):
    """Add `mount` to a router's mounts, longest prefix first."""
    router.mounts.append(mount)
    router.mounts.sort(key=lambda each: -len(each.prefix))


def find_mount(router, path):
    """(Mount, the path below it) for the mount serving `path`, or None."""
    for mount in router.mounts:
        sub_path = mount.match(path)
        if sub_path is not None:
            return mount, sub_path
    return None


def resolve(app, path):
    """The hops of a request for `path` to `app`: (app, prefix, path) of
    each app on the way, as each sees it, from `app` to the one whose
    route serves it."""
    hops = ((app, "", path),)
    prefix = ""
    while app.router.mounts:
        found = find_mount(app.router, path)
        if found is None:
            break
        mount, path = found
        prefix += mount.prefix
        app = mount.app
        hops += ((app, prefix, path),)
    return hops


async def enter(req, resp):
    """Serve `req` with the app of its next hop, seeing the path and
    prefix found for it when the request was resolved."""
    view = req.app, req.prefix, req.path, req.level
    req.level += 1
    sub, req.prefix, req.path = req.hops[req.level]
    req.app = sub
    try:
        if not sub.inited:
            await sub.start()
        await sub.handle(req, resp)
    finally:
        req.app, req.prefix, req.path, req.level = view
