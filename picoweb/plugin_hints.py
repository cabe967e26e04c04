"""Names plugins give requests, and which plugin: reading one on a request
whose app lacks it says what to install, instead of a bare AttributeError.

CPython only (request.py adds them there): a board's heap has no room for
the courtesy.
"""

HINTS = (("json", "json"), ("read_form_data", "forms"), ("parse_qs", "forms"), ("form", "forms"),
         ("files", "forms"), ("session", "sessions"), ("user", "auth"), ("csrf_token", "csrf"),
         ("csrf_input", "csrf"))


def add_plugin_hints(request_class):
    """Give `request_class` a property for each name in HINTS."""
    for name, plugin in HINTS:
        setattr(request_class, name, _missing_plugin(name, plugin))


def _missing_plugin(name, plugin):
    slot = "_own_" + name  # what an app put there itself

    def get(req):
        try:
            return getattr(req, slot)
        except AttributeError:
            raise AttributeError(
                "req.%s comes with the %s plugin: app.install(picoweb_plugins.%s.%s()) on this "
                "app or one it is mounted in" % (name, plugin, plugin, plugin.capitalize()))

    def assign(req, value):
        setattr(req, slot, value)

    return property(get, assign)
