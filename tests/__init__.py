"""newsterm's tests, by kind: unit, integration, ui (Pilot), snapshots, fuzz; helpers in support.

A package so that test modules in different folders may share a base name and import the
helpers as ``tests.support.…``: pytest puts the project root on ``sys.path`` for it.
"""
