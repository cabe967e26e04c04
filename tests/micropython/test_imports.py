# Imports every module of picoweb/ and picoweb_plugins/ under the import guard,
# so a module-level import of something the unix port lacks fails the suite
# even if no other test touches that module. A module that is not meant to run
# on MicroPython can be listed in SKIP.
import os
import sys

# CPython only: MicroPython has no asyncio.Protocol and no signal handlers
# (picoweb.signals), the picoweb command (argparse, subprocess, fork) is not
# for boards, nor the hints of picoweb.plugin_hints. template_compiler needs utemplate, which this file
# system lacks; tests/test_templates.py runs it under the unix port.
SKIP = ("picoweb.asyncio_protocol", "picoweb.__main__", "picoweb.cli", "picoweb.reload", "picoweb.workers",
        "picoweb.signals", "picoweb.plugin_hints", "picoweb.template_compiler")


def _modules(folder, package):
    for entry in os.ilistdir(folder):
        name, kind = entry[0], entry[1]
        if kind == 0x4000:
            yield from _modules(folder + "/" + name, package + "." + name)
        elif name.endswith(".py"):
            stem = name[:-3]
            yield package if stem == "__init__" else package + "." + stem


def _found():
    found = []
    for package in ("picoweb", "picoweb_plugins"):
        try:
            os.stat("/lib/" + package)
        except OSError:
            continue
        found.extend(sorted(_modules("/lib/" + package, package)))
    return found


def test_every_module_imports():
    failed = []
    names = _found()
    print("importing %d modules" % len(names))
    for name in names:
        if name in SKIP:
            continue
        try:
            __import__(name)
        except Exception as e:
            print("cannot import", name)
            sys.print_exception(e)
            failed.append(name)
    assert not failed, "modules that fail to import: %s" % failed
