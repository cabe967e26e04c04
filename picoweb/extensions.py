"""The request and response classes of an app that plugins extended.

An app whose plugins added request or response extensions (see
`WebApp.add_request_method` and friends) serves its requests with
subclasses of Request and Response that carry them, and so do the apps
mounted under it: what one app's plugins add never shows on another app's
requests. Imported only by apps with such plugins.
"""

from .request import Request
from .response import Response


def classes_for(app):
    """(request class, response class) for the requests `app` serves: the
    extensions of every app from the root down to it, inner ones winning."""
    chain = []
    while app is not None:
        chain.insert(0, app)
        app = app.parent
    request_members = {}
    response_members = {}
    for each in chain:
        request_members.update(each._request_extensions)
        response_members.update(each._response_extensions)
    response_class = Response
    if response_members:
        response_class = type("Response", (Response,), response_members)
    request_members["response_class"] = response_class
    return type("Request", (Request,), request_members), response_class


def extend(app, kind, name, value):
    """Add `name` to the app's request or response extensions (`kind`)."""
    own = getattr(app, kind)
    if not own:  # the class's shared empty default: the app gets its own
        own = {}
        setattr(app, kind, own)
    own[name] = value
    # Its classes, and those of the apps under it, are made anew.
    app._classes = None
    for _, sub in app.mounts():
        sub._classes = None


def method(func):
    """`func(obj, ...)` as a method of the class it is put in: any callable
    (a bound method of a plugin, say) gets the request or response first."""

    def call_with(obj, *args, **kwargs):
        return func(obj, *args, **kwargs)

    return call_with


_UNSET = object()


def lazy_attribute(name, factory):
    """A request attribute that is `factory(req)` on first read, then kept."""
    slot = "_ext_" + name

    def get(req):
        value = getattr(req, slot, _UNSET)
        if value is _UNSET:
            value = factory(req)
            setattr(req, slot, value)
        return value

    def assign(req, value):
        setattr(req, slot, value)

    return property(get, assign)
