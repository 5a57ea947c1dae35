"""Integration tests: real parts together. Loopback HTTP servers, real SQLite libraries,
the command line as a real program, worker processes, disk and process faults."""
