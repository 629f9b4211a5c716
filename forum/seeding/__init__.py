"""Tooling apart from the app: the demo community and the benchmark data."""

# The languages the demo community can be seeded in (``demo/content.py`` holds a set for each);
# named here so the command line can offer them without loading the demo.
DEMO_LANGUAGES = ("en", "de")
