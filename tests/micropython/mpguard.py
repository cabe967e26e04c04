# Import guard: makes the WebAssembly port look like the MicroPython unix port
# (the one closest to real boards) as far as imports go.
#
# The wasm "pyscript" build freezes a set of micropython-lib packages that the
# unix port does not have. Code that imports them passes here and then fails
# on a board, so after install() those imports raise ImportError, for every
# module imported later (framework, plugins and tests alike): code must carry
# its own fallback (try/except ImportError).
#
# This works because the `import` statement in this build calls an overridden
# builtins.__import__ (MICROPY_CAN_OVERRIDE_BUILTINS). The override gets no
# caller globals, so it cannot tell framework code from the rest; asyncio is
# therefore fully imported before the guard goes up (it needs js/jsffi).
import builtins

# micropython-lib packages frozen into the pyscript variant but not into the
# unix port (plus the JS bridge and typing, which neither port has).
BANNED = (
    "abc", "base64", "copy", "datetime", "fnmatch", "functools", "gzip",
    "hmac", "html", "inspect", "itertools", "js", "jsffi", "locale",
    "logging", "operator", "pathlib", "stat", "string", "tarfile", "types",
    "typing", "unittest", "uu", "zlib",
)

# Built-in modules that the pyscript variant extends with a frozen .py
# (os.path, collections.defaultdict, time.strftime, ...): hand out the plain
# built-in module instead, which is what the unix port has.
BUILTIN = {
    "binascii": "ubinascii",
    "collections": "ucollections",
    "io": "uio",
    "os": "uos",
    "time": "utime",
}

real_import = builtins.__import__


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0:
        top = name.split(".")[0]
        if top in BANNED or (top in BUILTIN and name != top):
            raise ImportError("no module named '%s' on the MicroPython unix port" % name)
        name = BUILTIN.get(name, name)
    return real_import(name, globals, locals, fromlist, level)


def install():
    import asyncio

    # Load asyncio's lazily imported parts now, while js/jsffi may be imported.
    for attr in ("Event", "Lock", "gather", "wait_for"):
        getattr(asyncio, attr)
    builtins.__import__ = _guarded_import


def uninstall():
    builtins.__import__ = real_import
