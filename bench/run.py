"""Run the benchmark suite: every server under every workload, the scale and
idle-connection memory figures, MicroPython's heap and a profile of picoweb.

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
import machine
import procs
import profile
import report
import wrk

BENCH = catalog.BENCH
ROOT = os.path.dirname(BENCH)
DATA = os.path.join(BENCH, ".data")
OUT = os.path.join(BENCH, ".out")

# Durations keep the full run under ten minutes on two cores (about 70
# rows of 5 s); the smoke run takes seconds and only proves the suite works.
FULL = {
    "duration": 5, "connections": 32, "threads": 1, "scale": [1, 32, 256],
    "idle_connections": 1000, "heap_requests": 1000, "profile_seconds": 5, "deadline": 900,
}
SMOKE = {
    "duration": 1, "connections": 4, "threads": 1, "scale": [1, 4, 16],
    "idle_connections": 50, "heap_requests": 50, "profile_seconds": 1, "deadline": 300,
}
# The smoke run loads these under every workload and the other servers under
# hello only; every server's every route is still checked (check_servers).
SMOKE_ALL_WORKLOADS = ("picoweb", "floor-streams", "floor-protocol", "nginx")
SCALE_SERVERS = ("picoweb", "floor-streams", "floor-protocol")
IDLE_SERVERS = ("picoweb", "floor-streams", "floor-protocol")


class Deadline(Exception):
    pass


def log(message):
    print(message, flush=True)


def _on_signal(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through the finally that stops the servers


def _on_alarm(signum, frame):
    raise Deadline("the run took longer than its deadline")


def start_server(name, tag, settings):
    srv = catalog.server(name)
    path = os.path.join(OUT, "logs", "%s-%s.log" % (name, tag))
    return procs.ServerProcess(srv, DATA, path).start()


def warm_up(server, path, count):
    """A few requests before the load: imports, caches, first-call costs."""
    for _ in range(count):
        status, body = server.get(path)
        if status != 200:
            raise RuntimeError("%s answered %d to GET %s" % (server.server.name, status, path))
    return body


def check_servers(names, errors):
    """Start each server once and GET every route it is measured on, checking
    the answers, before spending minutes on load. Returns the servers that work."""
    working = []
    for name in names:
        srv = catalog.server(name)
        try:
            with start_server(name, "check", None) as server:
                for wl in catalog.WORKLOADS:
                    if not catalog.takes_part(srv, wl):
                        continue
                    status, body = server.get(wl.path)
                    wrong = "status %d" % status if status != 200 else catalog.check_body(wl.path, body, DATA)
                    if wrong:
                        raise RuntimeError("GET %s: %s" % (wl.path, wrong))
            working.append(name)
        except (RuntimeError, OSError) as exc:
            errors.append("%s does not work: %s" % (name, exc))
            log("  %s: FAILED: %s" % (name, exc))
    return working


def measure(name, wl, settings, connections=None):
    """One row: a fresh server, a short warm-up, wrk, the server's peak RSS."""
    connections = connections or wl.connections or settings["connections"]
    with start_server(name, "%s-c%d" % (wl.name, connections), settings) as server:
        warm_up(server, wl.path, 1 if wl.kind == "file" else 20)
        result = wrk.run(server.url(wl.path), settings["duration"], connections, settings["threads"], wl.close)
        result["peak_rss_kib"] = server.peak_rss_kib()
        if server.proc.poll() is not None:
            raise RuntimeError("%s died under load: %s" % (name, server.log_tail()))
    result["server"] = name
    return result


def run_tables(servers, settings, smoke, errors):
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
                row = measure(name, wl, settings, connections)
            except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
                errors.append("%s / %s: %s" % (name, wl.name, exc))
                row = {"server": name, "failed": str(exc)[:200]}
            if row.get("non2xx"):
                errors.append("%s / %s: %d non-2xx answers" % (name, wl.name, row["non2xx"]))
            table["rows"].append(row)
            log("  %-16s %10s req/s  p50 %8s ms  p99 %8s ms  peak RSS %6s MiB  %s" % (
                name, report._num(row.get("rps")), report._num(row.get("p50_ms"), 2),
                report._num(row.get("p99_ms"), 2),
                report._num((row.get("peak_rss_kib") or 0) / 1024, 1), report._notes(row)))
        tables.append(table)
    return tables


def run_scale(servers, settings, tables, errors):
    """req/s of hello keep-alive at each connection count; the table's own
    row stands for the default count."""
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
                    row = measure(name, hello, settings, connections)
                except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
                    errors.append("scale %s / %d: %s" % (name, connections, exc))
                    continue
            points[str(connections)] = {k: row.get(k) for k in ("rps", "p50_ms", "p99_ms", "peak_rss_kib")}
            log("  %-16s %4d connections: %10s req/s" % (name, connections, report._num(row.get("rps"))))
        scale[name] = points
    return scale


def _read_line(stream, timeout):
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else ""


def run_idle(servers, settings, errors):
    """Server RSS before and after `idle_connections` idle keep-alive clients."""
    count = settings["idle_connections"]
    out = {}
    log("\nidle keep-alive connections: %d" % count)
    for name in IDLE_SERVERS:
        if name not in servers:
            continue
        try:
            with start_server(name, "idle", settings) as server:
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


def run_heap(settings, errors):
    log("\nMicroPython heap (%d requests)" % settings["heap_requests"])
    path = os.path.join(OUT, "heap.json")
    argv = ["node", os.path.join(BENCH, "micropython_heap.mjs"), "--requests", str(settings["heap_requests"]),
            "--json", path]
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


def run_profile(settings, errors):
    if profile.py_spy() is None:
        errors.append("profile: py-spy is not installed in the bench venv")
        return None
    seconds = settings["profile_seconds"]
    raw = os.path.join(OUT, "profile-picoweb-hello.txt")
    log("\nprofile: py-spy on picoweb, hello keep-alive, %d s" % seconds)
    try:
        with start_server("picoweb", "profile", settings) as server:
            warm_up(server, "/hello", 20)
            spy = profile.start(server.proc.pid, seconds, raw)
            time.sleep(0.3)  # let it attach before the load starts
            result = wrk.run(server.url("/hello"), seconds + 1, settings["connections"], settings["threads"])
            out, _ = spy.communicate(timeout=seconds + 30)
            if spy.returncode != 0 or not os.path.exists(raw):
                raise RuntimeError("py-spy failed: %s" % out.decode("utf-8", "replace")[-500:])
    except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
        errors.append("profile: %s" % exc)
        return None
    summary = profile.summarize(raw, ROOT)
    summary["rps"] = result["rps"]
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
    out_dir = args.out or (os.path.join(OUT, "smoke") if args.smoke else BENCH)
    names = args.servers.split(",") if args.servers else [s.name for s in catalog.SERVERS]

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(settings["deadline"])
    started = time.monotonic()
    os.makedirs(os.path.join(OUT, "logs"), exist_ok=True)
    os.makedirs(out_dir, exist_ok=True)
    procs.raise_nofile()
    catalog.make_data(DATA)
    errors = []
    results = {"mode": "smoke" if args.smoke else "full", "settings": settings, "machine": machine.describe(),
               "tables": [], "errors": errors}
    try:
        log("checking every server's routes")
        working = check_servers(names, errors)
        results["tables"] = run_tables(working, settings, args.smoke, errors)
        results["scale"] = run_scale(working, settings, results["tables"], errors)
        results["idle"] = run_idle(working, settings, errors)
        results["heap"] = run_heap(settings, errors)
        if "picoweb" in working:
            results["profile"] = run_profile(settings, errors)
    except Deadline as exc:
        errors.append(str(exc))
    finally:
        signal.alarm(0)
        procs.stop_all()
    results["seconds"] = round(time.monotonic() - started, 1)

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
