from setuptools import setup

setup(
    name="picoweb-forms",
    version="2.0.0",
    description="picoweb plugin: urlencoded and multipart forms, streamed uploads",
    license="MIT",
    packages=['picoweb_plugins.forms'],
    install_requires=["picoweb>=2"],
)
