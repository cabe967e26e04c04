"""The machine a run happened on, for the report's header."""

import datetime
import os
import platform
import re
import shutil
import subprocess
import sys


def _first_line(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            found = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.M)
            return found.group(1).strip() if found else platform.processor()
    except OSError:
        return platform.processor()


def package_versions(names):
    from importlib import metadata

    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def describe():
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "python_impl": sys.implementation.name,
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "wrk": _first_line(["wrk", "--version"]),
        "nginx": _first_line([shutil.which("nginx") or "/usr/sbin/nginx", "-v"]),
        "node": _first_line(["node", "--version"]),
        "packages": package_versions(["microdot", "starlette", "uvicorn", "h11", "flask", "gunicorn", "aiohttp", "utemplate"]),
    }
