# Helpers for the tests in this folder, on CPython and MicroPython alike.
import os

from picoweb_plugins.sessions.crypto import random_token


def raises(exception, function, *args, **kwargs):
    """True when function(*args, **kwargs) raises `exception`."""
    try:
        function(*args, **kwargs)
    except exception:
        return True
    return False


def temp_dir():
    """A new empty folder under /tmp (MicroPython has no tempfile)."""
    path = "/tmp/picoweb-test-" + random_token(9)
    os.mkdir(path)
    return path


def remove_tree(path):
    """Delete `path` and everything below it (MicroPython has no shutil)."""
    for name in os.listdir(path):
        child = path + "/" + name
        if os.stat(child)[0] & 0x4000:
            remove_tree(child)
        else:
            os.remove(child)
    os.rmdir(path)
