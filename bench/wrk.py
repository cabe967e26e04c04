"""Run wrk (fixed duration, threads and connections) and parse what it prints."""

import re
import subprocess

from procs import CLIENT_CPU, pin

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def command(url, duration, connections, threads=1, close=False, timeout=10):
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", "%ds" % duration,
            "--latency", "--timeout", "%ds" % timeout]
    if close:
        argv += ["-H", "Connection: close"]
    return argv + [url]


def run(url, duration, connections, threads=1, close=False):
    """Load `url` for `duration` seconds; the parsed result (see parse)."""
    argv = command(url, duration, connections, min(threads, connections), close)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 30,
                         preexec_fn=pin(CLIENT_CPU))
    if out.returncode != 0:
        raise RuntimeError("wrk failed (%d): %s" % (out.returncode, out.stderr or out.stdout))
    result = parse(out.stdout)
    result["connections"] = connections
    return result


def _ms(text):
    found = re.match(r"([\d.]+)(us|ms|s|m|h)$", text)
    if not found:
        raise ValueError("not a wrk duration: %r" % text)
    return float(found.group(1)) * _UNITS_MS[found.group(2)]


def parse(text):
    """{rps, p50_ms, p99_ms, requests, seconds, errors, non2xx} from wrk's output."""
    result = {"errors": {}, "non2xx": 0}
    found = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not found:
        raise ValueError("no Requests/sec in wrk output: %r" % text[-500:])
    result["rps"] = float(found.group(1))
    found = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", text)
    if found:
        result["requests"] = int(found.group(1))
        result["seconds"] = _ms(found.group(2) + found.group(3)) / 1000
    for pct in ("50", "99"):
        found = re.search(r"^\s+%s(?:\.000)?%%\s+(\S+)" % pct, text, re.M)
        result["p%s_ms" % pct] = _ms(found.group(1)) if found else None
    found = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if found:
        result["errors"] = {k: int(v) for k, v in zip(("connect", "read", "write", "timeout"), found.groups()) if int(v)}
    found = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if found:
        result["non2xx"] = int(found.group(1))
    return result
