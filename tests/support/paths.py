"""Where the tests find the project and the shared feed corpus."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: Feeds, pages and subscription files from outside (``../shared/corpus``): next to the
#: project, not in it, so a fresh clone has none and the tests marked ``corpus`` skip.
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
