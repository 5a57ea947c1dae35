"""The benchmarks' reports: one table printer and row builders (``table``), and each
benchmark's rows against its targets (``refresh``, ``startup``, ``extract``)."""
