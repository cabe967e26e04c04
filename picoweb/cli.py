"""The `picoweb` command (also `python -m picoweb`), CPython only:

    picoweb [--host H] [--port P] [--debug | --quiet] [--reload] [--workers N]
            [--certfile F [--keyfile F]] module:app

`module:app` names a WebApp instance (`:app` may be left out), or
`module:factory()` a function that returns one. A mistake of the setup
(a module that does not import, a name that is no WebApp, a port in use,
a certificate that does not load) is one line on stderr and exit status 2.
"""

import argparse
import os
import sys


class SetupError(Exception):
    """A mistake in what the command was given: one line, exit status 2."""


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="picoweb", description="Serve a picoweb app with the built-in server.")
    parser.add_argument("app", help="module:app (a WebApp), or module:factory() (a function returning one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="port to listen on, 0 for a free one (default: 8081)")
    parser.add_argument("--debug", action="count", default=0,
                        help="debug output (twice: more); without it requests and errors are logged")
    parser.add_argument("--quiet", dest="debug", action="store_const", const=-1,
                        help="log nothing, not even requests")
    parser.add_argument("--reload", action="store_true",
                        help="restart the app when a .py file or a file under templates/ or static/ changes")
    parser.add_argument("--reload-dir", action="append", metavar="DIR",
                        help="folder to watch with --reload (repeatable; default: the current one)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="serve from N pre-forked processes sharing one socket (default: 1)")
    parser.add_argument("--certfile", help="PEM certificate (chain): serve HTTPS")
    parser.add_argument("--keyfile", help="PEM private key, if not in the certificate file")
    # A child of --reload: serve the listening socket inherited on this file descriptor.
    parser.add_argument("--fd", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be 1 or more")
    if args.keyfile and not args.certfile:
        parser.error("--keyfile needs --certfile")
    return args


def main(argv=None):
    """Entry point of the console script and of `python -m picoweb`."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        status = run(args)
    except SetupError as exc:
        print("picoweb: %s" % exc, file=sys.stderr)
        status = 2
    sys.exit(status)


def run(args):
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())  # the console script's path starts at its own folder
    configure_logging()
    if args.reload and args.fd is None:
        from .reload import supervise

        return supervise(args, listening_socket(args))
    app = load_app(args.app)
    context = tls_context(args.certfile, args.keyfile)
    if args.fd is not None:
        import socket

        sock = socket.socket(fileno=args.fd)
    elif args.workers > 1:
        sock = listening_socket(args)
    else:
        sock = None  # run() binds, and says so in one line if the port is in use
    if args.workers > 1:
        from .logs import get_logger
        from .workers import prefork

        return prefork(args.workers, lambda: app.run(args.host, args.port, args.debug, ssl=context, sock=sock),
                       get_logger("picoweb", args.debug))
    app.run(args.host, args.port, args.debug, ssl=context, sock=sock)
    return 0


def load_app(spec):
    """The WebApp that `module:name` or `module:factory()` names."""
    module_name, _, name = spec.partition(":")
    name = name or "app"
    call = name.endswith("()")
    if call:
        name = name[:-2]
    if not module_name or not all(part.isidentifier() for part in name.split(".")):
        raise SetupError("%r is not module:app or module:factory()" % spec)
    import importlib

    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any failure to import is the module's: say which and why
        raise SetupError("cannot import %s: %s" % (module_name, describe(exc)))
    found = module
    for part in name.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise SetupError("module %s has no attribute %s" % (module_name, name))
    if call:
        try:
            found = found()
        except Exception as exc:
            raise SetupError("%s:%s() failed: %s" % (module_name, name, describe(exc)))
    from .app import WebApp

    if not isinstance(found, WebApp):
        hint = " (a factory? name it %s:%s())" % (module_name, name) if callable(found) and not call else ""
        raise SetupError("%s:%s%s is a %s, not a WebApp%s" % (
            module_name, name, "()" if call else "", type(found).__name__, hint))
    return found


def describe(exc):
    return "%s: %s" % (type(exc).__name__, exc)


def tls_context(certfile, keyfile):
    """A server SSLContext from PEM files, or None without a certificate."""
    if not certfile:
        return None
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as exc:
        raise SetupError("cannot load the certificate %s: %s" % (certfile, exc))
    return context


def listening_socket(args):
    """The socket that the processes of --reload or --workers share."""
    from .listen import bind, in_use_message

    try:
        return bind(args.host, args.port)
    except OSError as exc:
        import errno

        if exc.errno == errno.EADDRINUSE:
            raise SetupError(in_use_message(args.host, args.port))
        raise SetupError("cannot listen on %s:%d: %s" % (args.host, args.port, exc))


def configure_logging():
    # The process id on each line: with --workers or --reload several serve.
    import logging

    logging.basicConfig(format="%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s")
