"""Turn a run's results (the dict run.py builds, also saved as JSON) into
the Markdown report, the terminal summary, the target check and the chart."""

import catalog

KIB = 1024
NOISY = 0.25  # cores used by other work during a row: its figures are suspect


def _num(value, digits=0):
    if value is None:
        return "–"
    return "{:,.{}f}".format(value, digits)


def _cpu(row):
    """The server's CPU time per request, "total (user+system)" in µs."""
    user, system = row.get("cpu_user_us"), row.get("cpu_system_us")
    if user is None or system is None:
        return "–"
    return "%s (%s+%s)" % (_num(user + system), _num(user), _num(system))


def _ratio(value, base):
    if not value or not base:
        return None
    return value / base


def _row(table, server):
    for row in table["rows"]:
        if row["server"] == server:
            return row
    return None


def _field(results, workload, server, field):
    for table in results["tables"]:
        if table["workload"] == workload:
            row = _row(table, server)
            return row.get(field) if row else None
    return None


def _rps(results, workload, server):
    return _field(results, workload, server, "rps") or None


def _cpu_total(results, workload, server):
    user = _field(results, workload, server, "cpu_user_us")
    system = _field(results, workload, server, "cpu_system_us")
    return user + system if user is not None and system is not None else None


def _notes(row):
    notes = []
    errors = row.get("errors") or {}
    if errors:
        notes.append("socket errors: " + ", ".join("%s %d" % kv for kv in sorted(errors.items())))
    if row.get("non2xx"):
        notes.append("non-2xx: %d" % row["non2xx"])
    if row.get("failed"):
        notes.append("FAILED: " + row["failed"])
    return "; ".join(notes)


def workload_table(results, table):
    floors = {name: (_row(table, name) or {}).get("rps") for name in catalog.FLOORS}
    lines = [
        "| server | req/s | p50 ms | p99 ms | server CPU µs/req (user+sys) | peak RSS MiB "
        "| × streams floor | × protocol floor | others' CPU | notes |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for row in table["rows"]:
        label = catalog.server(row["server"]).label
        if row["server"] == "picoweb":
            label = "**%s**" % label
        others = row.get("others")
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, _num(row.get("rps")), _num(row.get("p50_ms"), 2), _num(row.get("p99_ms"), 2), _cpu(row),
            _num(row["peak_rss_kib"] / KIB, 1) if row.get("peak_rss_kib") else "–",
            _num(_ratio(row.get("rps"), floors["floor-streams"]), 2),
            _num(_ratio(row.get("rps"), floors["floor-protocol"]), 2),
            (_num(others, 2) + (" ⚠" if others > NOISY else "")) if others is not None else "–", _notes(row)))
    return lines


def targets(results):
    """[(what, measured, same by CPU time, goal, met True/False/None)] for
    the lead. "By CPU time" is the other server's CPU µs per request over
    picoweb's: the same ratio as req/s on an idle machine, but much less
    moved by other work on a shared one."""
    out = []

    def ratio_target(what, workload, other, goal, ours="picoweb"):
        mine = _rps(results, workload, ours)
        base = _rps(results, workload, other)
        value = _ratio(mine, base)
        by_cpu = _ratio(_cpu_total(results, workload, other), _cpu_total(results, workload, ours))
        out.append((what, "%.2f×" % value if value else "not measured", "%.2f×" % by_cpu if by_cpu else "–",
                    "≥ %.2g×" % goal, None if value is None else value >= goal))

    ratio_target("hello keep-alive vs streams floor", "hello-ka", "floor-streams", 0.6)
    ratio_target("hello keep-alive vs Starlette/uvicorn", "hello-ka", "starlette", 2)
    ratio_target("hello keep-alive vs microdot", "hello-ka", "microdot", 5)
    ratio_target("hello keep-alive under uvicorn vs Starlette on the same uvicorn", "hello-ka",
                 "starlette-uvloop", 1.5, ours="picoweb-asgi")
    ratio_target("hello close vs streams floor", "hello-close", "floor-streams", 0.85)
    ratio_target("JSON keep-alive vs streams floor", "json-ka", "floor-streams", 0.5)
    ratio_target("path param keep-alive vs streams floor", "param-ka", "floor-streams", 0.5)
    ratio_target("10 MiB file vs nginx", "file10m-ka", "nginx", 0.5)
    idle = (results.get("idle") or {}).get("picoweb")
    if idle and idle.get("per_conn_kib") is not None:
        value = idle["per_conn_kib"]
        out.append(("idle keep-alive connection (RSS each)", "%.1f KiB" % value, "", "≤ 16 KiB", value <= 16))
    else:
        out.append(("idle keep-alive connection (RSS each)", "not measured", "", "≤ 16 KiB", None))
    apps = (results.get("heap") or {}).get("apps")
    if apps:
        hello = apps["hello"]["heap"]["serve"] - apps["bare"]["heap"]["serve"]
        out.append(("MicroPython hello app above the bare floor", "%.1f KiB" % (hello / KIB), "", "≤ 10 KiB",
                    hello <= 10 * KIB))
        real = apps["realistic"]["heap"]
        in_all = real["serve"] - real["empty"]
        out.append(("MicroPython realistic app, in all", "%.1f KiB" % (in_all / KIB), "", "≤ 24 KiB",
                    in_all <= 24 * KIB))
    return out


def _heap_section(heap):
    apps = heap["apps"]
    lines = [
        "Heap in use (`gc.mem_alloc()` after `gc.collect()`) in MicroPython %s (WebAssembly port, "
        "the test suite's), in KiB above an empty interpreter (%d bytes); each app in a fresh "
        "instance; \"serve\" is after %d requests through the same memory streams for each app "
        "(bench/micropython/mp_streams.py)."
        % (heap.get("version", "1.27"), apps["bare"]["heap"]["empty"], heap["requests"]),
        "",
        "| app | + asyncio | + import | + build | + serve %d requests |" % heap["requests"],
        "|---|--:|--:|--:|--:|",
    ]
    names = {"bare": "bare asyncio floor (no framework)", "hello": "picoweb hello app",
             "realistic": "picoweb realistic app"}
    for name in ("bare", "hello", "realistic"):
        h = apps[name]["heap"]
        lines.append("| %s | %s |" % (names[name], " | ".join(
            _num((h[k] - h["empty"]) / KIB, 1) for k in ("asyncio", "import", "build", "serve"))))
    real = apps["realistic"]
    parts = ["routes", "JSON (plugin)", "static files (plugin)"]
    parts.append("a utemplate page" if real.get("templates") else "no template (utemplate not available under wasm)")
    parts.append("a urlencoded form (forms plugin)" if real.get("forms") else "no form (forms plugin missing)")
    hello = apps["hello"]["heap"]["serve"] - apps["bare"]["heap"]["serve"]
    lines += [
        "",
        "The realistic app has " + ", ".join(parts) + ".",
        "Hello app above the bare floor after serving: %.1f KiB (target ≤ 10 KiB). "
        "Realistic app in all (asyncio included): %.1f KiB (target ≤ 24 KiB; the original picoweb "
        "published \"about 36K of heap for a more or less realistic app\")."
        % (hello / KIB, (real["heap"]["serve"] - real["heap"]["empty"]) / KIB),
    ]
    return lines


def _profile_section(profile):
    label = catalog.workload(profile.get("workload", "hello-ka")).label
    lines = ["### picoweb, %s" % label, "",
             "py-spy, %d samples (%s req/s while sampled; sampling slows the server)."
             % (profile["samples"], _num(profile.get("rps"))), "",
             "Most self time, by line (leaf frames; a C call is charged to the line calling it):", "",
             "| % | where |", "|--:|---|"]
    lines += ["| %.1f | `%s` |" % (pct, name) for name, _, pct in profile["self"]]
    lines += ["", "Most inclusive time in the functions of picoweb and its plugins:", "",
              "| % | function |", "|--:|---|"]
    lines += ["| %.1f | `%s` |" % (pct, name) for name, _, pct in profile["picoweb_inclusive"]]
    lines += ["", "Self time by file:", "", "| % | file |", "|--:|---|"]
    lines += ["| %.1f | `%s` |" % (pct, name) for name, _, pct in profile["files"]]
    return lines + [""]


def _websocket_section(ws):
    """bench/websocket.py's rows: echo load per transport and compression, idle memory."""
    s = ws["settings"]
    lines = ["picoweb's WebSocket echo (the websocket plugin); the client, the `websockets` library "
             "on the other core, opens %d connections (64 handshakes at a time), then every one echoes "
             "%d messages of %d bytes of text at once with the others; a fresh server per row. "
             "\"deflate\": permessage-deflate negotiated (what browsers offer). Idle: the server's RSS "
             "before and with %d WebSockets open and quiet." % (s["connections"], s["messages"],
                                                                ws["message_size"], s["idle"]), "",
             "| transport | compression | connections open | messages/s | open s | errors | peak RSS MiB |",
             "|---|---|--:|--:|--:|--:|--:|"]
    for row in ws["rows"]:
        if row["kind"] == "load":
            lines.append("| %s | %s | %d of %d | %s | %s | %d | %s |" % (
                row["transport"], row["compression"], row["open"], row["connections"],
                _num(row["messages_per_s"]), _num(row["open_s"], 2), row["errors"],
                _num(row["peak_rss_kib"] / KIB, 1)))
    lines += ["", "| transport | idle WebSockets | RSS before MiB | RSS after MiB | per WebSocket KiB |",
              "|---|--:|--:|--:|--:|"]
    for row in ws["rows"]:
        if row["kind"] == "idle":
            lines.append("| %s | %d | %s | %s | %s |" % (
                row["transport"], row["connections"], _num(row["before_kib"] / KIB, 1),
                _num(row["after_kib"] / KIB, 1), _num(row["per_conn_kib"], 1)))
    for row in ws["rows"]:
        if row["kind"] == "heap":
            lines += ["", "MicroPython unix port (64-bit: a 32-bit board holds less): %d idle WebSockets "
                      "take %s bytes of heap each (`gc.mem_alloc()` after `gc.collect()`, %s -> %s)."
                      % (row["connections"], _num(row["per_conn_bytes"]), _num(row["before_bytes"]),
                         _num(row["after_bytes"]))]
    return lines


def _code_line(results):
    code = results.get("code")
    if not code:
        return "Code: the repository as it was."
    text = "Code measured: picoweb at %s" % code["commit"]
    if code["uncommitted"]:
        text += " with uncommitted changes in %s" % ", ".join("`%s`" % p for p in code["uncommitted"])
    text += " (content hash %s), copied at the run's start so that every row measures the same code." % code["hash"]
    if results.get("code_changed_during_run"):
        text += " The repository's copy changed during the run."
    return text


def markdown(results):
    m = results["machine"]
    s = results["settings"]
    pk = m.get("packages") or {}
    lines = [
        "# picoweb benchmarks" + (" (smoke run: tiny durations, figures mean nothing)" if results["mode"] == "smoke" else ""),
        "",
        "Made by `make %s` (bench/run.py). Machine: %s, %d cores, Python %s, Linux %s; %s; %s."
        % ("bench-smoke" if results["mode"] == "smoke" else "bench", m["cpu"], m["cores"], m["python"],
           m["kernel"], m["date"], m.get("nginx") or "no nginx"),
        "",
        "Load: wrk (%s), %d thread, %d connections unless a table says otherwise, %d s per row, "
        "`--latency`; Connection: close rows add `-H \"Connection: close\"`. The server runs on one core "
        "and wrk on the other, both at nice -10 (ahead of other work on a shared machine); each row starts a fresh server process on 127.0.0.1, so peak RSS "
        "(VmHWM; for gunicorn and nginx their one worker) is that workload's alone."
        % ((m.get("wrk") or "wrk").split(" [")[0], s["threads"], s["connections"], s["duration"]),
        "",
        _code_line(results),
        "",
        "Server CPU: the server's processes' user+system CPU time during the row over the "
        "requests served (wrk's own time is not in it). "
        "Others' CPU: cores that other work on the machine used during the row (⚠ above %.2g: "
        "that row's figures are suspect; the run waits up to %s s per row for a quiet machine)."
        % (NOISY, "10" if results["mode"] == "full" else "0"),
        "",
        "Servers: picoweb (this repository, `debug=-1`, its default transport on CPython; files "
        "through picoweb_plugins.static), also on its asyncio-streams transport (MicroPython's path), "
        "with a streamed, chunked hello (`start_response` + `awrite`) "
        "and on uvloop's event loop (`run(loop_factory=uvloop.new_event_loop)`; every other "
        "asyncio server here, the floors included, runs on the default loop); "
        "the streams floor (`asyncio.start_server`, readuntil the blank line, fixed response) and the "
        "protocol floor (`asyncio.Protocol`, same parsing); microdot %s (HTTP/1.0: closes every "
        "connection); Starlette %s on uvicorn %s (1 worker, asyncio loop, h11); Flask %s on gunicorn %s "
        "(1 sync worker: closes every connection); aiohttp %s (its C parser); nginx (1 worker, "
        "sendfile) for the file rows. "
        "ASGI: picoweb's same app (`WebApp.__call__`) and Starlette, each on uvicorn %s with 1 worker, "
        "uvloop and httptools (the rows labelled so)."
        % (pk.get("microdot"), pk.get("starlette"), pk.get("uvicorn"), pk.get("flask"),
           pk.get("gunicorn"), pk.get("aiohttp"), pk.get("uvicorn")),
        "",
    ]
    for table in results["tables"]:
        lines += ["## %s (%d connections)" % (catalog.workload(table["workload"]).label, table["connections"]), ""]
        lines += workload_table(results, table) + [""]
    scale = results.get("scale") or {}
    if scale:
        conns = results["settings"]["scale"]
        lines += ["## Scale: hello keep-alive, req/s by concurrent connections", "",
                  "| server | " + " | ".join("%d" % c for c in conns) + " |",
                  "|---|" + "--:|" * len(conns)]
        for name, points in scale.items():
            lines.append("| %s | %s |" % (catalog.server(name).label, " | ".join(
                _num((points.get(str(c)) or {}).get("rps")) for c in conns)))
        lines.append("")
    idle = results.get("idle") or {}
    if idle:
        lines += ["## Memory per idle keep-alive connection", "",
                  "A client opens the connections one by one, sends one GET /hello on each, reads "
                  "the answer and leaves them idle; the server's RSS (VmRSS) before and after.", "",
                  "| server | connections | RSS before MiB | RSS after MiB | per connection KiB |",
                  "|---|--:|--:|--:|--:|"]
        for name, r in idle.items():
            lines.append("| %s | %d | %s | %s | %s |" % (
                catalog.server(name).label, r["connections"], _num(r["before_kib"] / KIB, 1),
                _num(r["after_kib"] / KIB, 1), _num(r["per_conn_kib"], 1)))
        lines.append("")
    if results.get("websocket"):
        lines += ["## WebSocket", ""] + _websocket_section(results["websocket"]) + [""]
    if results.get("heap"):
        lines += ["## MicroPython heap", ""] + _heap_section(results["heap"]) + [""]
    lines += ["## Targets", "",
              "Req/s ratios decide \"met\"; \"by CPU time\" is the other server's CPU time per request "
              "over picoweb's, which other work on the machine moves much less.", "",
              "| target | measured | by CPU time | goal | met |", "|---|--:|--:|--:|---|"]
    for what, value, by_cpu, goal, met in targets(results):
        lines.append("| %s | %s | %s | %s | %s |" % (what, value, by_cpu, goal,
                                                    {True: "yes", False: "**no**", None: "–"}[met]))
    lines.append("")
    if results.get("profiles"):
        lines += ["## Profiles", "",
                  "Line numbers refer to the copy of the code this run measured (see the top).", ""]
        for profile in results["profiles"]:
            lines += _profile_section(profile)
    if results.get("errors"):
        lines += ["## Errors", ""] + ["- " + e for e in results["errors"]] + [""]
    return "\n".join(lines)


def chart(results, path):
    """One panel per workload (req/s by server), the scale curve and the heap."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    tables = results["tables"]
    panels = len(tables) + (1 if results.get("scale") else 0) + (1 if results.get("heap") else 0)
    cols = 3
    rows = (panels + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(16, 3.6 * rows), squeeze=False)
    flat = [ax for row in axes for ax in row]
    colors = {"picoweb": "#d62728", "picoweb-streams": "#ff7f0e", "picoweb-chunked": "#ff9896",
              "picoweb-uvloop": "#e377c2", "picoweb-asgi": "#9467bd", "floor-streams": "#7f7f7f",
              "floor-protocol": "#c7c7c7", "nginx": "#2ca02c"}
    for ax, table in zip(flat, tables):
        rows_ = [r for r in table["rows"] if r.get("rps")]
        labels = [catalog.server(r["server"]).label for r in rows_]
        values = [r["rps"] for r in rows_]
        ax.barh(labels, values, color=[colors.get(r["server"], "#1f77b4") for r in rows_])
        ax.invert_yaxis()
        ax.set_title("%s (%d conns)" % (catalog.workload(table["workload"]).label, table["connections"]), fontsize=9)
        ax.set_xlabel("requests/s", fontsize=8)
        ax.tick_params(labelsize=8)
        for y, v in enumerate(values):
            ax.text(v, y, " %s" % _num(v), va="center", fontsize=7)
        ax.set_xlim(0, max(values or [1]) * 1.25)
        ax.xaxis.set_major_locator(MaxNLocator(5))
    index = len(tables)
    if results.get("scale"):
        ax = flat[index]
        index += 1
        conns = results["settings"]["scale"]
        for name, points in results["scale"].items():
            ys = [(points.get(str(c)) or {}).get("rps") for c in conns]
            ax.plot(conns, ys, marker="o", label=catalog.server(name).label, color=colors.get(name))
        ax.set_xscale("log")
        ax.set_xticks(conns)
        ax.set_xticklabels([str(c) for c in conns])
        ax.set_title("hello keep-alive: req/s by connections", fontsize=9)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7)
        ax.tick_params(labelsize=8)
    if results.get("heap"):
        ax = flat[index]
        index += 1
        apps = results["heap"]["apps"]
        names = ["bare", "hello", "realistic"]
        steps = ["import", "build", "serve"]
        for i, step in enumerate(steps):
            values = [(apps[n]["heap"][step] - apps[n]["heap"]["empty"]) / KIB for n in names]
            ax.bar([x + (i - 1) * 0.27 for x in range(len(names))], values, width=0.27, label="after " + step)
        ax.axhline(24, color="#d62728", linestyle="--", linewidth=1, label="realistic target 24 KiB")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names)
        ax.set_ylabel("KiB", fontsize=8)
        ax.set_title("MicroPython heap above an empty interpreter", fontsize=9)
        ax.legend(fontsize=7)
        ax.tick_params(labelsize=8)
    for ax in flat[index:]:
        ax.axis("off")
    title = "picoweb benchmarks: %s, %d cores, Python %s, %s" % (
        results["machine"]["cpu"], results["machine"]["cores"], results["machine"]["python"], results["machine"]["date"])
    if results["mode"] == "smoke":
        title += " (SMOKE: figures mean nothing)"
    fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path, dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    # Re-render a run's report from its JSON: python bench/report.py bench/results.json
    import json
    import os
    import sys

    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(catalog.BENCH, "results.json")
    with open(path) as f:
        results = json.load(f)
    folder = os.path.dirname(os.path.abspath(path))
    with open(os.path.join(folder, "results.md"), "w") as f:
        f.write(markdown(results))
    chart(results, os.path.join(folder, "results.png"))
