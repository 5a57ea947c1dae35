"""Helpers the tests share: the loopback feed server, feeds and pages built in code, hygiene
checks, real disk and process faults, a pty terminal, the fuzz targets and the Pilot helpers.

``tests/conftest.py`` registers this package for pytest's assertion rewriting, so a helper's
failed ``assert`` explains itself as a test's does.
"""
