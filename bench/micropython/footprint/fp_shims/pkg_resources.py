# Stand-in for micropython-lib's pkg_resources, which the original picoweb
# imports (for sendfile, which the hello app does not use).
def resource_stream(package, resource):
    return open(resource, "rb")
