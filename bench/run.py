"""Run the benchmark suite: every server under every workload, the scale and
idle-connection memory figures, WebSocket load and memory, MicroPython's
heap and a profile of picoweb.

    bench/.venv/bin/python bench/run.py            # full: writes bench/results.{md,json,png}
    bench/.venv/bin/python bench/run.py --smoke    # seconds: bench/.out/smoke/

`make bench` and `make bench-smoke` set up bench/.venv, wrk and nginx
first (bench/setup.sh). Nothing here passes or fails on speed: the exit
status is 1 only when a server gave wrong answers or could not run.
"""

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import time

import catalog
import load
import machine
import procs
import hotspots
import report
import snapshot
import wrk

BENCH = catalog.BENCH
ROOT = os.path.dirname(BENCH)
DATA = os.path.join(BENCH, ".data")
OUT = os.path.join(BENCH, ".out")

# Durations keep the full run under ten minutes on two cores (about 80
# rows of 4 s, and at most 2 minutes of waiting for a quiet machine); the
# smoke run takes about a minute and only proves the suite works.
FULL = {
    "duration": 4, "connections": 32, "threads": 1, "scale": [1, 32, 256],
    "idle_connections": 1000, "heap_requests": 1000, "profile_seconds": 5, "deadline": 900,
}
SMOKE = {
    "duration": 1, "connections": 4, "threads": 1, "scale": [1, 4, 16],
    "idle_connections": 50, "heap_requests": 50, "profile_seconds": 1, "deadline": 300,
}
# Before each row, wait for other work on the machine to calm down: at most
# this many seconds per row and in all (the run stays bounded in time).
QUIET_LIMIT = 0.25  # cores used by others
QUIET_WAIT_ROW = 10
QUIET_WAIT_TOTAL = 120
# The smoke run loads these under every workload and the other servers under
# hello only; every server's every route is still checked (check_servers).
SMOKE_ALL_WORKLOADS = ("picoweb", "picoweb-streams", "picoweb-asgi", "floor-streams", "floor-protocol", "nginx")
SCALE_SERVERS = ("picoweb", "picoweb-streams", "floor-streams", "floor-protocol")
IDLE_SERVERS = ("picoweb", "picoweb-streams", "floor-streams", "floor-protocol")


class Deadline(Exception):
    pass


class Context:
    """What every step needs: the mode's settings, the copy of the code
    under test, the errors so far, and the quiet-wait budget left."""

    def __init__(self, settings, smoke, work, code):
        self.settings = settings
        self.smoke = smoke
        self.work = work  # this mode's scratch folder: logs, the code copy, raw data
        self.code = code
        self.errors = []
        self.quiet_budget = 0 if smoke else QUIET_WAIT_TOTAL

    def wait_for_quiet(self):
        if self.quiet_budget <= 0:
            return 0
        waited = load.wait_for_quiet(QUIET_LIMIT, min(QUIET_WAIT_ROW, self.quiet_budget))
        self.quiet_budget -= waited
        return waited


def log(message):
    print(message, flush=True)


def _on_signal(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through the finally that stops the servers


def _on_alarm(signum, frame):
    raise Deadline("the run took longer than its deadline")


def start_server(name, tag, ctx):
    srv = catalog.server(name)
    path = os.path.join(ctx.work, "logs", "%s-%s.log" % (name, tag))
    return procs.ServerProcess(srv, DATA, path, {"PICOWEB_ROOT": ctx.code["path"], "BENCH_WORK": ctx.work}).start()


def warm_up(server, path, count):
    """A few requests before the load: imports, caches, first-call costs."""
    for _ in range(count):
        status, body = server.get(path)
        if status != 200:
            raise RuntimeError("%s answered %d to GET %s" % (server.server.name, status, path))
    return body


def check_servers(names, ctx):
    """Start each server once and GET every route it is measured on, checking
    the answers, before spending minutes on load. Returns the servers that work."""
    working = []
    for name in names:
        srv = catalog.server(name)
        try:
            with start_server(name, "check", ctx) as server:
                for wl in catalog.WORKLOADS:
                    if not catalog.takes_part(srv, wl):
                        continue
                    status, body = server.get(wl.path)
                    wrong = "status %d" % status if status != 200 else catalog.check_body(wl.path, body, DATA)
                    if wrong:
                        raise RuntimeError("GET %s: %s" % (wl.path, wrong))
            working.append(name)
        except (RuntimeError, OSError) as exc:
            ctx.errors.append("%s does not work: %s" % (name, exc))
            log("  %s: FAILED: %s" % (name, exc))
    return working


def measure(name, wl, ctx, connections=None):
    """One row: a fresh server, a short warm-up, wrk, the server's peak RSS,
    and how much CPU other work on the machine took meanwhile."""
    settings = ctx.settings
    connections = connections or wl.connections or settings["connections"]
    with start_server(name, "%s-c%d" % (wl.name, connections), ctx) as server:
        warm_up(server, wl.path, 1 if wl.kind == "file" else 20)
        waited = ctx.wait_for_quiet()
        meter = load.Meter().start()
        user0, system0 = server.cpu_seconds()
        result = wrk.run(server.url(wl.path), settings["duration"], connections, settings["threads"], wl.close)
        user1, system1 = server.cpu_seconds()
        result.update(meter.stop())
        # The server's CPU time per request: unlike req/s, hardly moved by
        # other work on the machine (wrk's own time is not in it).
        if result.get("requests"):
            result["cpu_user_us"] = round((user1 - user0) * 1e6 / result["requests"], 1)
            result["cpu_system_us"] = round((system1 - system0) * 1e6 / result["requests"], 1)
        result["waited"] = round(waited, 1)
        result["peak_rss_kib"] = server.peak_rss_kib()
        if server.proc.poll() is not None:
            raise RuntimeError("%s died under load: %s" % (name, server.log_tail()))
    result["server"] = name
    return result


def run_tables(servers, ctx):
    settings, smoke, errors = ctx.settings, ctx.smoke, ctx.errors
    tables = []
    for wl in catalog.WORKLOADS:
        connections = wl.connections or settings["connections"]
        if smoke and wl.connections:
            connections = min(connections, settings["connections"])
        table = {"workload": wl.name, "connections": connections, "rows": []}
        log("\n%s (%d connections)" % (wl.label, connections))
        for name in servers:
            if not catalog.takes_part(catalog.server(name), wl):
                continue
            if smoke and name not in SMOKE_ALL_WORKLOADS and wl.name != "hello-ka":
                continue
            try:
                row = measure(name, wl, ctx, connections)
            except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
                errors.append("%s / %s: %s" % (name, wl.name, exc))
                row = {"server": name, "failed": str(exc)[:200]}
            if row.get("non2xx"):
                errors.append("%s / %s: %d non-2xx answers" % (name, wl.name, row["non2xx"]))
            table["rows"].append(row)
            log("  %-16s %10s req/s  p50 %8s ms  p99 %8s ms  CPU %s µs/req  peak RSS %6s MiB  others %s  %s" % (
                name, report._num(row.get("rps")), report._num(row.get("p50_ms"), 2),
                report._num(row.get("p99_ms"), 2), report._cpu(row),
                report._num((row.get("peak_rss_kib") or 0) / 1024, 1),
                report._num(row.get("others"), 2), report._notes(row)))
        tables.append(table)
    return tables


def run_scale(servers, tables, ctx):
    """req/s of hello keep-alive at each connection count; the table's own
    row stands for the default count."""
    settings, errors = ctx.settings, ctx.errors
    hello = catalog.workload("hello-ka")
    scale = {}
    log("\nscale: hello keep-alive by connections")
    for name in SCALE_SERVERS:
        if name not in servers:
            continue
        points = {}
        for connections in settings["scale"]:
            row = None
            if connections == tables[0]["connections"]:
                row = report._row(tables[0], name)
            if row is None or not row.get("rps"):
                try:
                    row = measure(name, hello, ctx, connections)
                except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
                    errors.append("scale %s / %d: %s" % (name, connections, exc))
                    continue
            points[str(connections)] = {k: row.get(k) for k in ("rps", "p50_ms", "p99_ms", "peak_rss_kib", "others")}
            log("  %-16s %4d connections: %10s req/s" % (name, connections, report._num(row.get("rps"))))
        scale[name] = points
    return scale


def _read_line(stream, timeout):
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else ""


def run_idle(servers, ctx):
    """Server RSS before and after `idle_connections` idle keep-alive clients."""
    settings, errors = ctx.settings, ctx.errors
    count = settings["idle_connections"]
    out = {}
    log("\nidle keep-alive connections: %d" % count)
    for name in IDLE_SERVERS:
        if name not in servers:
            continue
        try:
            with start_server(name, "idle", ctx) as server:
                warm_up(server, "/hello", 20)
                time.sleep(0.3)
                before = server.rss_kib()
                client = subprocess.Popen(
                    [sys.executable, os.path.join(BENCH, "idle.py"), str(server.port), str(count), "60"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=procs.pin(procs.CLIENT_CPU))
                try:
                    line = _read_line(client.stdout, 60)
                    if not line.startswith("ready"):
                        raise RuntimeError("idle client did not get its connections: %r" % line)
                    time.sleep(0.5)
                    after = server.rss_kib()
                finally:
                    client.stdin.close()
                    try:
                        client.wait(10)
                    except subprocess.TimeoutExpired:
                        client.kill()
                        client.wait()
        except (RuntimeError, OSError) as exc:
            errors.append("idle %s: %s" % (name, exc))
            continue
        out[name] = {"connections": count, "before_kib": before, "after_kib": after,
                     "per_conn_kib": (after - before) / count}
        log("  %-16s %.1f KiB per connection (RSS %.1f -> %.1f MiB)" % (
            name, (after - before) / count, before / 1024, after / 1024))
    return out


def run_websocket(ctx):
    """bench/websocket.py in its own process (it pins itself and starts its servers)."""
    path = os.path.join(ctx.work, "websocket.json")
    argv = [sys.executable, os.path.join(BENCH, "websocket.py"), "--json", path,
            "--work", os.path.join(ctx.work, "websocket")] + (["--smoke"] if ctx.smoke else [])
    log("")
    try:
        done = subprocess.run(argv, cwd=BENCH, env=dict(os.environ, PICOWEB_ROOT=ctx.code["path"]),
                              timeout=300)
        with open(path) as f:
            result = json.load(f)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        ctx.errors.append("WebSocket: %s" % exc)
        return None
    if done.returncode != 0:
        ctx.errors.append("WebSocket: %d failed rows" % sum(1 for row in result["rows"] if row["errors"]))
    return result


def run_heap(ctx):
    settings, errors = ctx.settings, ctx.errors
    log("\nMicroPython heap (%d requests)" % settings["heap_requests"])
    path = os.path.join(ctx.work, "heap.json")
    argv = ["node", os.path.join(BENCH, "micropython_heap.mjs"), "--requests", str(settings["heap_requests"]),
            "--json", path, "--code", ctx.code["path"]]
    try:
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=400)
    except (OSError, subprocess.TimeoutExpired) as exc:
        errors.append("MicroPython heap: %s" % exc)
        return None
    sys.stdout.write(done.stdout)
    if done.returncode != 0:
        errors.append("MicroPython heap failed: %s" % (done.stderr or done.stdout)[-800:])
        return None
    with open(path) as f:
        heap = json.load(f)
    version = os.path.join(ROOT, "tests", "micropython", "package.json")
    with open(version) as f:
        heap["version"] = json.load(f)["dependencies"]["@micropython/micropython-webassembly-pyscript"]
    return heap


def run_profile(ctx, wl):
    """py-spy on picoweb under one workload; the ranked hot spots."""
    settings, errors = ctx.settings, ctx.errors
    if hotspots.py_spy() is None:
        errors.append("profile: py-spy is not installed in the bench venv")
        return None
    seconds = settings["profile_seconds"]
    raw = os.path.join(ctx.work, "profile-picoweb-%s.txt" % wl.name)
    log("\nprofile: py-spy on picoweb, %s, %d s" % (wl.label, seconds))
    try:
        with start_server("picoweb", "profile-" + wl.name, ctx) as server:
            warm_up(server, wl.path, 20)
            ctx.wait_for_quiet()
            spy = hotspots.start(server.proc.pid, seconds, raw)
            time.sleep(0.3)  # let it attach before the load starts
            result = wrk.run(server.url(wl.path), seconds + 1, settings["connections"], settings["threads"], wl.close)
            out, _ = spy.communicate(timeout=seconds + 30)
            if spy.returncode != 0 or not os.path.exists(raw):
                raise RuntimeError("py-spy failed: %s" % out.decode("utf-8", "replace")[-500:])
    except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
        errors.append("profile %s: %s" % (wl.name, exc))
        return None
    summary = hotspots.summarize(raw, [ctx.code["path"], ROOT])
    summary["rps"] = result["rps"]
    summary["workload"] = wl.name
    for name, _, pct in summary["self"][:8]:
        log("  %5.1f%%  %s" % (pct, name))
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny durations: proves the suite runs")
    parser.add_argument("--servers", help="comma-separated subset of servers (default: all)")
    parser.add_argument("--duration", type=int, help="seconds per row (overrides the mode's)")
    parser.add_argument("--out", help="folder for results.{md,json,png} (default: bench/, smoke: bench/.out/smoke)")
    args = parser.parse_args()
    settings = dict(SMOKE if args.smoke else FULL)
    if args.duration:
        settings["duration"] = args.duration
    work = os.path.join(OUT, "smoke" if args.smoke else "full")
    out_dir = args.out or (work if args.smoke else BENCH)
    names = args.servers.split(",") if args.servers else [s.name for s in catalog.SERVERS]

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(settings["deadline"])
    started = time.monotonic()
    os.makedirs(os.path.join(work, "logs"), exist_ok=True)
    os.makedirs(out_dir, exist_ok=True)
    procs.raise_nofile()
    catalog.make_data(DATA)
    code = snapshot.take(ROOT, os.path.join(work, "code"))
    ctx = Context(settings, args.smoke, work, code)
    errors = ctx.errors
    results = {"mode": "smoke" if args.smoke else "full", "settings": settings, "machine": machine.describe(),
               "code": code, "tables": [], "errors": errors}
    log("measuring picoweb %s%s (content %s), copied to %s" % (
        code["commit"], " + uncommitted changes" if code["uncommitted"] else "", code["hash"],
        os.path.relpath(code["path"], ROOT)))
    log("others' CPU use now: %.2f cores" % load.others_now())
    try:
        log("checking every server's routes")
        working = check_servers(names, ctx)
        results["tables"] = run_tables(working, ctx)
        results["scale"] = run_scale(working, results["tables"], ctx)
        results["idle"] = run_idle(working, ctx)
        results["websocket"] = run_websocket(ctx)
        # MicroPython's heap is picoweb's: not measured for a run of others alone.
        results["heap"] = run_heap(ctx) if "picoweb" in names else None
        if "picoweb" in working:
            results["profiles"] = [p for p in (run_profile(ctx, catalog.workload(name))
                                               for name in ("hello-ka", "file100k-ka")) if p]
    except Deadline as exc:
        errors.append(str(exc))
    finally:
        signal.alarm(0)
        procs.stop_all()
    results["seconds"] = round(time.monotonic() - started, 1)
    results["code_changed_during_run"] = snapshot.content_hash(ROOT) != code["hash"]

    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    text = report.markdown(results)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(text)
    try:
        report.chart(results, os.path.join(out_dir, "results.png"))
    except ImportError as exc:
        errors.append("no chart: %s" % exc)
    log("\n" + "\n".join(line for line in text.splitlines() if line.startswith("|") or line.startswith("#")))
    log("\nwrote %s/results.{md,json,png} in %.0f s" % (os.path.relpath(out_dir, ROOT), results["seconds"]))
    if errors:
        log("\n%d error(s):\n  %s" % (len(errors), "\n  ".join(errors)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
