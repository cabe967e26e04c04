"""Package names loaded on first use, for the plugins' __init__ modules:
`from picoweb_plugins.auth.passwords import ...` then loads no app glue,
which matters on a board's heap."""


def lazy_names(package_globals, homes):
    """A module __getattr__ for a package: each name in `homes` (name ->
    submodule) comes from its submodule, imported on first use; any other
    public name is a submodule (MicroPython asks __getattr__ before it
    looks for one, in `from package import submodule`)."""

    def __getattr__(name):
        if name.startswith("_"):
            raise AttributeError(name)
        home = homes.get(name, name)
        module = __import__(home, package_globals, None, (name,), 1)
        value = module if home == name else getattr(module, name)
        package_globals[name] = value
        return value

    return __getattr__
