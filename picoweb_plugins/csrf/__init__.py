"""CSRF plugin: the browser's Sec-Fetch-Site / Origin and a session-tied
token, both checked on every unsafe request once installed.

    from picoweb_plugins.csrf import Csrf, csrf_exempt
    app.install(Sessions(secret_key=KEY))
    app.install(Forms())
    app.install(Csrf())
    # in a form: <input type="hidden" name="csrf_token" value="{{ req.csrf_token() }}">
    # from a script: the X-CSRF-Token header

plugin.py: Csrf, csrf_exempt. Pieces usable alone: tokens.py (masked
tokens), origin.py (the header decision). Needs the sessions plugin, and
the forms plugin for tokens in form fields.
"""

from picoweb_plugins.sessions.lazy import lazy_names

__getattr__ = lazy_names(globals(), {
    "Csrf": "plugin", "csrf_exempt": "plugin",
})
