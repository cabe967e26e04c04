"""`python -m picoweb module:app`: see picoweb/cli.py."""

from .cli import main

main()
