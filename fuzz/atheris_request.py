"""Coverage-guided fuzzing of whole connections with atheris (libFuzzer).

    make fuzz                                  # each harness for 60 s
    make fuzz FUZZ_TIME=600                    # longer
    .venv-fuzz/bin/python fuzz/atheris_request.py -max_total_time=60 \\
        -artifact_prefix=.fuzz/ .fuzz/request tests/corpus

An input is the bytes a client sends on one connection. Each is fed
through the real Connection code (TestClient.raw) to the app of
tests/test_fuzz.py, whole and then in reads of 1 to 64 bytes (its last
byte picks the size), under the same oracle as the hypothesis properties:
the output parses as HTTP/1.1 responses with known statuses, no error is
logged but the deliberate one of /boom, no 500 without it, no secret
served from outside the static root, no upload left on disk, and the same
statuses however the input was cut. A failing input is saved as
.fuzz/crash-<sha1>; once fixed, copy it into tests/corpus/ and index.txt.

tests/corpus/ seeds the run; what libFuzzer finds goes to .fuzz/request/
(the first directory given), which git ignores.
"""

import importlib
import os
import shutil
import sys

import atheris

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

with atheris.instrument_imports(include=["picoweb", "picoweb_plugins"]):
    # Modules first imported on a request would escape the instrumentation.
    for name in ("picoweb.cookies", "picoweb_plugins.forms.formdata"):
        importlib.import_module(name)
    from test_fuzz import Harness

TREE = os.path.join(ROOT, ".fuzz", "tree")  # the static root, secrets, uploads
shutil.rmtree(TREE, ignore_errors=True)
os.makedirs(TREE)
HARNESS = Harness(TREE)


def test_one_input(data):
    whole = HARNESS.statuses(data)
    split = HARNESS.statuses(data, 1 + data[-1] % 64 if data else 1)
    if whole != split:
        raise AssertionError("statuses %r whole, %r in pieces" % (whole, split))


def main():
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
