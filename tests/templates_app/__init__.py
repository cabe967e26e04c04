"""A package with a templates/ dir for the template tests; the tests render
from a temp copy of it, so utemplate's compiled/ output never lands here."""
