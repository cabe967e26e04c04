"""CSRF plugin: the browser's Sec-Fetch-Site / Origin and a session-tied
token, both checked on every unsafe request once installed.

    from picoweb_plugins.csrf import Csrf, csrf_exempt
    app.install(Sessions(secret_key=KEY))
    app.install(Csrf())
    # in a form: {{ req.csrf_input() }}; from a script: the X-CSRF-Token header

Pieces usable alone: tokens.py (masked tokens), origin.py (the header
decision). Needs the sessions plugin; form fields are read with the forms
plugin (a token in the header needs no forms plugin).
"""

from .plugin import Csrf, csrf_exempt
