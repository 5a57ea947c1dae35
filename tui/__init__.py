"""newsterm: a terminal news feed browser. The import package is ``tui``."""

# The one place the version lives (pyproject.toml reads it from here): reading it back
# through importlib.metadata cost every start-up ~20 ms.
__version__ = "0.1.0"
