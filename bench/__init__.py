"""newsterm's benchmarks: ``refresh``, ``startup`` and ``extract``, each run from the project
root as ``python -m bench.<name>`` (see ``bench/README.md``), over the shared ``harness``."""
