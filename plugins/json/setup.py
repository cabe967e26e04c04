from setuptools import setup

setup(
    name="picoweb-json",
    version="2.0.0",
    description="picoweb plugin: JSON responses and request bodies",
    license="MIT",
    packages=['picoweb_plugins.json'],
    install_requires=["picoweb>=2"],
)
