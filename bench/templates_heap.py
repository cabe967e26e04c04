"""Heap cost of templates on MicroPython's unix port: runs
micropython/templates_heap.py on a first start and on a second one (which
finds whatever files the first wrote) and prints its figures.

    .venv/bin/python bench/templates_heap.py [--code DIR] [--mpy]

--code DIR takes picoweb/ from DIR (another checkout, to compare); --mpy
runs picoweb and utemplate as .mpy files made by mpy-cross, as a board
would (no compiling of their source on the heap). Each run gets fresh
copies of the code and the bench package in a temp folder, so a loader that
writes compiled files starts without them.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import utemplate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TIMEOUT = 60  # seconds for one micropython run


def tool(name):
    return shutil.which(name, path=os.path.dirname(sys.executable)) or name


def to_mpy(folder):
    for name in os.listdir(folder):
        if name.endswith(".py"):
            path = os.path.join(folder, name)
            subprocess.run([tool("mpy-cross"), path], check=True, timeout=TIMEOUT)
            os.remove(path)


def run(code, again=False, mpy=False):
    """One run in fresh copies; again=True runs a second time in the same
    copies (what a restarted board sees: files written by the first run)."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(os.path.join(code, "picoweb"), os.path.join(tmp, "picoweb"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(os.path.join(HERE, "micropython"), os.path.join(tmp, "bench"))
        shutil.copytree(list(utemplate.__path__)[0], os.path.join(tmp, "lib", "utemplate"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        if mpy:
            to_mpy(os.path.join(tmp, "picoweb"))
            to_mpy(os.path.join(tmp, "lib", "utemplate"))
        env = dict(os.environ, MICROPYPATH=".frozen:%s:%s/bench:%s/lib" % (tmp, tmp, tmp))
        command = [tool("micropython"), os.path.join(tmp, "bench", "templates_heap.py")]
        for _ in range(2 if again else 1):
            done = subprocess.run(command, env=env, cwd=tmp, capture_output=True, text=True, timeout=TIMEOUT)
        return done


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", default=ROOT)
    parser.add_argument("--mpy", action="store_true")
    args = parser.parse_args()
    for again, label in ((False, "first start"), (True, "second start")):
        done = run(args.code, again, args.mpy)
        if done.returncode != 0:
            sys.exit(done.stdout + done.stderr)
        print("%s:" % label)
        print("  " + done.stdout.strip().replace("\n", "\n  "))


if __name__ == "__main__":
    main()
