"""import-linter's contracts in pyproject.toml hold, and each one would catch what it is for.

A contract that cannot fail proves nothing, so each is also run over a copy of ``tui`` with
one import added that breaks it: a cycle inside the core, a reach past the core's public
surface, textual in the core, a cycle between two UI modules, and the core importing the UI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _lint_imports() -> str:
    beside = Path(sys.executable).parent / "lint-imports"
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    if found is None:
        pytest.skip("import-linter is not installed: pip install -e '.[test]'")
    return found


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_lint_imports(), "--no-cache", str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_every_contract_is_kept() -> None:
    result = _lint(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert result.stdout.count(" KEPT") >= 6


@dataclass(frozen=True)
class Breakage:
    module: str  # a file under tui/, relative to it
    line: str  # appended to that file
    contract: str  # the start of the name of the contract that must break
    shown: str  # what the report must point at


BREAKAGES = [
    Breakage(
        "core/text/hygiene.py",
        "from tui.core.store import database  # noqa",
        "The core's layers",
        "tui.core.text.hygiene -> tui.core.store.database",
    ),
    Breakage(
        "core/parse/feed.py",
        "from tui.core import library  # noqa",
        "The core's layers",
        "tui.core.parse.feed -> tui.core.library",
    ),
    Breakage(
        "ui/app.py",
        "from tui.core.store import database  # noqa",
        "The UI and the command line reach the core only",
        "tui.ui.app -> tui.core.store.database",
    ),
    Breakage(
        "cli/commands/__init__.py",
        "from tui.core.workers.pool import WorkerPool  # noqa",
        "The UI and the command line reach the core only",
        "tui.cli.commands -> tui.core.workers.pool",
    ),
    Breakage(
        "core/text/hygiene.py",
        "import textual  # noqa",
        "The core never imports the UI or textual",
        "tui.core.text.hygiene -> textual",
    ),
    Breakage(
        "core/models.py",
        "import tui.ui.keys  # noqa",
        "The core never imports the UI or textual",
        "tui.core.models -> tui.ui.keys",
    ),
    Breakage(
        "core/workers/feeds.py",
        "from tui.core.parse.fast import reader  # noqa",
        "The fast reader is fenced in the parser",
        "tui.core.workers.feeds -> tui.core.parse.fast.reader",
    ),
    Breakage(
        "ui/keys.py",
        "import tui.ui.app  # noqa",
        "No import cycles",
        "No cycles are allowed in tui.ui",
    ),
    Breakage(
        "core/store/duplicates.py",
        "from tui.core.store import stories  # noqa",
        "No import cycles",
        "No cycles are allowed in tui.core.store",
    ),
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda b: f"{b.module}:{b.contract[:24]}")
def test_a_contract_breaks_on_what_it_forbids(breakage: Breakage, tmp_path: Path) -> None:
    shutil.copytree(
        PROJECT_ROOT / "tui", tmp_path / "tui", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "tui" / breakage.module
    assert target.exists(), f"{breakage.module} moved: point this case at its new home"
    with target.open("a", encoding="utf-8") as module:
        module.write(f"\n{breakage.line}\n")

    result = _lint(tmp_path)

    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.rstrip().endswith("BROKEN")]
    assert broken, result.stdout
    # Long contract names wrap in the summary; the section heading repeats each in full.
    assert breakage.contract in result.stdout.split("Broken contracts", 1)[1], result.stdout
    assert breakage.shown in result.stdout, result.stdout
