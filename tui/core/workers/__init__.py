"""The worker processes: :class:`.pool.WorkerPool` and what is sent to them.

:mod:`.pool` starts and mends the process pool and makes its processes die with newsterm;
:mod:`.tasks` holds the picklable requests and results, and no worker code; :mod:`.feeds`
is the job that parses a feed body and stores its stories in the worker's own connection.
"""
