"""newsterm: a terminal news feed browser. The import package is ``tui``."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsterm")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+local"
