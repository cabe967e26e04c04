"""What every benchmark server shares: its command line and the app shape.

Each server script is run as `python SCRIPT PORT DATA_DIR [VARIANT]` and
serves, on 127.0.0.1:PORT, the same four things:

  GET /hello              -> "Hello, world!"
  GET /json               -> {"message": "Hello, world!"}
  GET /user/<int>?q=...   -> "user <int>, q=<q>" (a path parameter and a query)
  GET /static/<name>      -> the file DATA_DIR/<name> (100k.bin, 10m.bin)
"""

import sys

HOST = "127.0.0.1"
HELLO = "Hello, world!"
MESSAGE = {"message": HELLO}


def user_text(user_id, q):
    return "user %d, q=%s" % (user_id, q)


def parse_argv():
    """(port, data_dir, variant or None) from the command line."""
    port = int(sys.argv[1])
    data_dir = sys.argv[2]
    variant = sys.argv[3] if len(sys.argv) > 3 else None
    return port, data_dir, variant
