"""Build what a board runs: the core and chosen plugins compiled to .mpy
(mpy-cross), and a ROMFS image of them (mpremote romfs build), whose
bytecode a board with a ROMFS partition runs in place from flash.

    python tools/mpbuild.py mpy   [--out build/mpy] [--plugins static,forms,json]
    python tools/mpbuild.py romfs [--out build/picoweb.romfs] [--plugins ...]

`make mpy` and `make romfs` run it with the project's .venv, where
requirements-test.txt puts mpy-cross and mpremote; bench/footprint.py
uses the same functions. The .mpy files are for MicroPython builds whose
sys.implementation._mpy matches (mpy-cross 1.29 writes version 6.3).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGINS = ("static", "forms", "json")


def tool(name):
    """A command from beside this interpreter (a venv's bin), else PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    found = beside if os.path.exists(beside) else shutil.which(name)
    if found is None:
        raise SystemExit("%s is not installed: pip install -r requirements-test.txt" % name)
    return found


def copy_sources(dest, plugins=PLUGINS):
    """The core and `plugins` as .py, in the layout mip gives /lib: the
    files their mip manifests (package.json) list, so the CPython-only
    modules (the command, ASGI) stay out."""
    for package in ("picoweb", "picoweb_plugins"):
        shutil.rmtree(os.path.join(dest, package), ignore_errors=True)
    folders = [ROOT] + [os.path.join(ROOT, "picoweb_plugins", name) for name in plugins]
    for folder in folders:
        with open(os.path.join(folder, "package.json")) as f:
            urls = json.load(f)["urls"]
        for target, source in urls:
            os.makedirs(os.path.dirname(os.path.join(dest, target)), exist_ok=True)
            shutil.copy(os.path.join(folder, source), os.path.join(dest, target))


def compile_tree(src, dest):
    """`src` copied to `dest` with every .py compiled to .mpy (other files as they are)."""
    mpy_cross = tool("mpy-cross")
    shutil.rmtree(dest, ignore_errors=True)
    for folder, _, files in os.walk(src):
        target = os.path.join(dest, os.path.relpath(folder, src))
        os.makedirs(target, exist_ok=True)
        for name in files:
            source = os.path.join(folder, name)
            if name.endswith(".py"):
                # -s: tracebacks name the module's path in the tree, as from source.
                out = os.path.join(target, name[:-3] + ".mpy")
                subprocess.run([mpy_cross, "-s", os.path.relpath(source, src), "-o", out, source],
                               check=True)
            else:
                shutil.copy(source, os.path.join(target, name))


def build_romfs(src, image):
    """A ROMFS image of the tree `src` (its .mpy files as they are)."""
    os.makedirs(os.path.dirname(os.path.abspath(image)), exist_ok=True)
    subprocess.run([tool("mpremote"), "romfs", "--no-mpy", "-o", image, "build", src],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.getsize(image)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("mpy", "romfs"))
    parser.add_argument("--out", help="build/mpy (mpy) or build/picoweb.romfs (romfs)")
    parser.add_argument("--plugins", default=",".join(PLUGINS),
                        help="comma-separated plugins to include (default: %(default)s; '' for none)")
    args = parser.parse_args()
    plugins = [name for name in args.plugins.split(",") if name]
    for name in plugins:
        if not os.path.isdir(os.path.join(ROOT, "picoweb_plugins", name)):
            raise SystemExit("no plugin %r in picoweb_plugins/" % name)
    work = os.path.join(ROOT, "build", "mpbuild")
    copy_sources(os.path.join(work, "py"), plugins)
    mpy = args.out if args.what == "mpy" and args.out else os.path.join(ROOT, "build", "mpy")
    compile_tree(os.path.join(work, "py"), mpy)
    if args.what == "mpy":
        print("wrote %s: copy its folders into /lib on the board" % os.path.relpath(mpy, ROOT))
        return
    image = args.out or os.path.join(ROOT, "build", "picoweb.romfs")
    size = build_romfs(mpy, image)
    print("wrote %s (%d bytes): `mpremote romfs deploy %s` puts it on a board with a ROMFS partition"
          % (os.path.relpath(image, ROOT), size, os.path.relpath(mpy, ROOT)))


if __name__ == "__main__":
    main()
