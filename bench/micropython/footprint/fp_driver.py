# The MicroPython side of bench/footprint.py: imports one app module (which
# builds its app), starts it listening on 127.0.0.1:PORT, then answers
# commands on stdin with the heap in use, while CPython sends requests.
#
#   fp_driver.py APP PORT [ROMFS_ADDRESS ROMFS_SIZE]
#
# With a ROMFS image, its bytes sit outside the GC heap (at an address the
# CPython host gives, as flash is on a board) and are mounted at /rom, the
# only place modules come from. Prints "IMPORT n", "READY", and for each
# stdin line "HEAP n" (gc.mem_alloc() after gc.collect()); "mods" adds
# "MODULES ..." (sys.modules), "q" or the end of stdin stops.
import gc
import sys

del sys.path[0]  # this file's folder: the app comes from MICROPYPATH or ROMFS only
if len(sys.argv) > 3:
    import uctypes
    import vfs

    image = uctypes.bytearray_at(int(sys.argv[3]), int(sys.argv[4]))
    vfs.mount(vfs.VfsRom(image), "/rom")
    sys.path[:] = ["/rom", ".frozen"]
    del image
import asyncio

app = __import__(sys.argv[1])
gc.collect()
print("IMPORT", gc.mem_alloc())


async def main():
    await app.start("127.0.0.1", int(sys.argv[2]))
    print("READY")
    commands = asyncio.StreamReader(sys.stdin)
    while True:
        line = await commands.readline()
        if not line or line == b"q\n":
            break
        gc.collect()
        print("HEAP", gc.mem_alloc())
        if line == b"mods\n":
            print("MODULES", " ".join(sorted(sys.modules)))


asyncio.run(main())
