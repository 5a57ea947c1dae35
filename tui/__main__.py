"""``python -m tui`` runs the newsterm command line."""

from tui.cli import main

raise SystemExit(main())
