# Runs one test file of this folder under the MicroPython unix port:
#   MICROPYPATH=.frozen:<repo>:<repo>/tests/micropython:<repo>/tests/portable \
#       micropython tests/portable/mprun.py tests/portable/test_x.py
# The exit status is 1 when a test failed or the file did not import.
import sys

import asyncio
import mptest


async def main(path):
    modname = path.split("/")[-1][:-3]
    passed, failed = await mptest.run_file(path, modname)
    print("%s: %d passed, %d failed" % (modname, passed, failed))
    return failed


sys.exit(1 if asyncio.run(main(sys.argv[1])) else 0)
