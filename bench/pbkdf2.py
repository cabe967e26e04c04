# How long one password hash takes at the auth plugin's default iteration
# count, on the runtime that runs this (CPython: hashlib in C; MicroPython:
# the pure-Python PBKDF2 of picoweb_plugins.sessions.crypto):
#
#   .venv/bin/python bench/pbkdf2.py
#   MICROPYPATH=.frozen:. .venv/bin/micropython bench/pbkdf2.py
#
# It prints figures and judges nothing; the README quotes them.
import sys
import time

if sys.implementation.name == "cpython":
    import os

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from picoweb_plugins.auth.passwords import DEFAULT_ITERATIONS, hash_password  # noqa: E402

RUNS = 5


def clock_ms():
    if hasattr(time, "ticks_ms"):
        return time.ticks_ms()
    return time.perf_counter() * 1000


def elapsed_ms(start):
    if hasattr(time, "ticks_diff"):
        return time.ticks_diff(time.ticks_ms(), start)
    return time.perf_counter() * 1000 - start


def main():
    times = []
    for _ in range(RUNS):
        start = clock_ms()
        hash_password("correct horse battery staple")
        times.append(elapsed_ms(start))
    times.sort()
    median = times[len(times) // 2]
    print("%s %s: one hash at %d iterations: median %d ms, best %d ms (%d runs)"
          % (sys.implementation.name, ".".join(str(part) for part in sys.implementation.version[:3]),
             DEFAULT_ITERATIONS, median, times[0], RUNS))
    print("  that is %d iterations per second" % (DEFAULT_ITERATIONS * 1000 // max(median, 1)))


main()
