"""A package with a templates/ dir for the template tests, which render
from a temp copy of it (conftest.py's template_pkg)."""
