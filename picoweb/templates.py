"""Templates: utemplate's syntax, compiled in memory, with escaped output.

`{{ expr }}` output is HTML-escaped unless the value is `safe()` markup
(anything with an `__html__()` method). A template compiles on its first
render and again when its file, or a file it includes, changes (in debug
mode, on every render). Nothing is written to disk. Imported on the first
render, never by an app that renders no template.
"""

import os
import sys

from .response import start_response

BATCH = 512  # bytes of output gathered per write: fewer writes, a bounded heap

# Loaded to compile a template, then dropped (unless loaded before), so that
# an app keeps its compiled templates on the heap, not the compiler.
COMPILER_MODULES = ("picoweb.template_compiler", "utemplate.source", "utemplate.compiled", "utemplate")


class TemplateError(Exception):
    """A template that cannot be found or compiled; names it (and the line)."""


class Safe:
    """Markup to emit as it is: `{{ safe(html) }}`, or pass `safe(html)` in."""

    def __init__(self, text):
        self.text = str(text)

    def __html__(self):
        return self.text

    def __str__(self):
        return self.text


def safe(text):
    """Mark trusted HTML so `{{ }}` emits it unescaped. Never wrap user input."""
    return Safe(text)


def escape(value):
    """What `{{ value }}` emits: `value.__html__()` if it has one, else str(value)
    with & < > " ' escaped (as picoweb.pages.escape_html does: not imported,
    to keep that module off the heap of an app that shows no error page)."""
    if type(value) is not str:
        html = getattr(value, "__html__", None)
        if html is not None:
            return html()
        value = str(value)
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def stamp(path):
    """What tells one version of a file from the next: mtime and size."""
    st = os.stat(path)
    return getattr(st, "st_mtime_ns", st[8]), st[6]  # MicroPython: a tuple, whole seconds


class Loader:
    """Finds templates in `app.root_path + "/templates"`; keeps each compiled,
    and compiles it again when one of its files changed, or always when
    app.debug > 0. `load(name)` returns the render function."""

    def __init__(self, app):
        self.app = app
        self.folder = app.root_path + "/templates"
        self.compiled = {}  # name -> (render, args declaration, [(path, stamp)])

    def path(self, name):
        if name[:1] in ("/", "\\") or ".." in name.replace("\\", "/").split("/"):
            raise TemplateError("template names stay inside %s: %r" % (self.folder, name))
        return self.folder + "/" + name

    def load(self, name):
        entry = self.compiled.get(name)
        if entry is None or self.app.debug > 0 or _changed(entry[2]):
            entry = self.compiled[name] = self.compile_template(name)
        return entry[0]

    def args(self, name):
        """The `{% args %}` declaration of a loaded template."""
        return self.compiled[name][1]

    def compile_template(self, name):
        """Compile `name` now: (render, args declaration, [(path, stamp)])."""
        loaded = [module for module in COMPILER_MODULES if module in sys.modules]
        try:
            from .template_compiler import compile_template
        except ImportError as exc:
            if "utemplate" not in str(exc):
                raise
            raise ImportError("templates need utemplate: pip install 'picoweb[templates]', "
                              "or mip.install('utemplate') on MicroPython")
        try:
            return compile_template(self, name)
        finally:
            for module in COMPILER_MODULES:
                if module not in loaded:
                    sys.modules.pop(module, None)
            package = sys.modules["picoweb"]
            if "picoweb.template_compiler" not in loaded and hasattr(package, "template_compiler"):
                delattr(package, "template_compiler")  # the package's own reference


def _changed(sources):
    for path, seen in sources:
        try:
            if stamp(path) != seen:
                return True
        except OSError:
            return True
    return False


def render(app, name, args):
    """The generator of `name`'s pieces for `args` (a tuple or list);
    compiles first, so errors come before any output."""
    if not isinstance(args, (tuple, list)):
        raise TypeError("template args are a tuple or list, not %s: (value,) for one"
                        % type(args).__name__)
    if app.template_loader is None:
        app.template_loader = Loader(app)
    loader = app.template_loader
    template = loader.load(name)
    try:
        return template(*args)
    except TypeError:
        # A generator runs nothing when called: this is the arguments' fault.
        declared = loader.args(name) if hasattr(loader, "args") else "?"
        raise TypeError("%s takes {%% args %s %%}, not %d argument(s)" % (name, declared, len(args)))


async def stream(app, resp, name, args):
    """Write `name` rendered with `args` to `resp` in batches of BATCH bytes,
    as HTML with `resp.status` unless the response was started. The head
    goes out with the first batch, so an error before it (a template that
    does not compile, say) still becomes a clean error page."""
    pieces = render(app, name, args)
    if not resp.started:
        await start_response(resp, status=resp.status)
    pending = []
    size = 0
    for piece in pieces:
        pending.append(piece)
        size += len(piece)
        if size >= BATCH:
            await resp.awrite("".join(pending))
            pending = []
            size = 0
    if pending:
        await resp.awrite("".join(pending))
