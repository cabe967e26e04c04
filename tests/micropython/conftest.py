# The test_*.py files here are MicroPython tests, run by run.mjs under the
# WebAssembly port; keep CPython's pytest (testpaths = tests) from collecting them.
collect_ignore_glob = ["test_*.py", "node_modules/*"]
