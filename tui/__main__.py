"""``python -m tui`` runs the newsterm command line."""

from tui.cli import main

# The guard matters: refresh parses feeds in worker processes, which import the main
# module again on start-up; without it each worker would run the command line.
if __name__ == "__main__":
    raise SystemExit(main())
