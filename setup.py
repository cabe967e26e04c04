from setuptools import setup

setup(
    name="picoweb",
    version="2.0.0",
    description="A pico web framework for async apps on CPython asyncio and MicroPython",
    long_description=open("README.rst").read(),
    long_description_content_type="text/x-rst",
    license="MIT",
    packages=["picoweb"],
    python_requires=">=3.10",
    install_requires=[],
    # utemplate 1.x on the package index ships without build files; 0.9 installs.
    extras_require={"templates": ["utemplate==0.9"]},
    entry_points={"console_scripts": ["picoweb = picoweb.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: Implementation :: MicroPython",
        "Framework :: AsyncIO",
    ],
)
