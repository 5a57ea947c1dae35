"""Fuzz tests: a short, fixed budget in every run; the long run with ``-m fuzz``."""
