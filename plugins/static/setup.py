from setuptools import setup

setup(
    name="picoweb-static",
    version="2.0.0",
    description="picoweb plugin: static files with ETag, gzip and ranges",
    license="MIT",
    packages=['picoweb_plugins.static'],
    install_requires=["picoweb>=2"],
)
