"""The ``newsterm`` command line, in-process and as a real program."""
