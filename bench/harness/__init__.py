"""What the benchmarks share: their workspace and log, the process-tree accounting, a pty
driver and the screen model it feeds, the loopback feed server, synthetic feeds and pages,
library files, the measured clients (newsterm's CLI and app, newsboat) and the one report
printer with each benchmark's rows against its targets (``report/``).

Nothing here imports a benchmark's entry point; the entry points import from here.
"""
