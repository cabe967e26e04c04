"""Freeze the code under test: others edit picoweb/ while a run goes on, so
the run copies picoweb/ and picoweb_plugins/ once, at its start, and every
row (and MicroPython's heap) measures that copy."""

import hashlib
import os
import shutil
import subprocess

PACKAGES = ("picoweb", "picoweb_plugins")


def _git(root, *args):
    try:
        out = subprocess.run(["git", "-C", root] + list(args), capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.rstrip() if out.returncode == 0 else None


def content_hash(root):
    """A short hash of every .py file of the packages, by path and content."""
    digest = hashlib.sha256()
    for package in PACKAGES:
        for folder, dirs, files in sorted(os.walk(os.path.join(root, package))):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py") or name == "package.json":
                    path = os.path.join(folder, name)
                    digest.update(os.path.relpath(path, root).encode() + b"\0")
                    with open(path, "rb") as f:
                        digest.update(f.read())
    return digest.hexdigest()[:12]


def take(root, dest):
    """Copy the packages into `dest` (emptied first); describe what was copied."""
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    for package in PACKAGES:
        shutil.copytree(os.path.join(root, package), os.path.join(dest, package),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dirty = _git(root, "status", "--porcelain", "--", *PACKAGES)
    return {
        "path": dest,
        "commit": (_git(root, "rev-parse", "--short", "HEAD") or "").strip() or None,
        # "XY path" lines; the path starts at the fourth character.
        "uncommitted": sorted(line[3:] for line in dirty.splitlines() if line.strip()) if dirty else [],
        "hash": content_hash(dest),
    }
