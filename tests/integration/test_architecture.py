"""The core is headless: no module under ``tui.core`` pulls in textual, rich or the UI.

Two checks that back each other up: each core module imported alone in a fresh
interpreter (catches imports made at run time or by a dependency), and import-linter's
``forbidden`` contract from pyproject.toml (catches an import anywhere in the source, even
one that is not executed on import).
"""

from __future__ import annotations

import json
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tui.core
from tests.support.paths import PROJECT_ROOT

FORBIDDEN = ("textual", "rich", "tui.ui", "tui.cli")

_PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich")
                        or m.startswith(("tui.ui", "tui.cli")))))
"""


def _core_modules() -> list[str]:
    names = ["tui.core"]
    for info in pkgutil.walk_packages(tui.core.__path__, prefix="tui.core."):
        names.append(info.name)
    return sorted(names)


CORE_MODULES = _core_modules()


def test_the_walk_finds_the_core() -> None:
    # A broken walk would make the test below pass on nothing.
    for expected in (
        "tui.core.library",
        "tui.core.refresh",
        "tui.core.store.database",
        "tui.core.store.search",
        "tui.core.export",
        "tui.core.workers.feeds",
    ):
        assert expected in CORE_MODULES
    assert len(CORE_MODULES) >= 20


def test_no_core_module_imports_textual_rich_or_the_ui() -> None:
    # All at once, in parallel: a fresh interpreter per module, so that nothing one module
    # imports hides what another does.
    running = {
        name: subprocess.Popen(
            [sys.executable, "-c", _PROBE, name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
        )
        for name in CORE_MODULES
    }
    offenders: dict[str, object] = {}
    for name, process in running.items():
        out, err = process.communicate(timeout=60)
        if process.returncode != 0:
            offenders[name] = f"import failed: {err.strip().splitlines()[-1:]}"
            continue
        loaded = json.loads(out.strip().splitlines()[-1])
        if loaded:
            offenders[name] = loaded
    assert offenders == {}


def _lint_imports() -> str:
    beside = Path(sys.executable).parent / "lint-imports"
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    if found is None:
        pytest.skip("import-linter is not installed in this environment")
    return found


def _run_lint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_lint_imports(), "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


UI_NOT_A_PACKAGE = "Module 'tui.ui' does not exist."


def test_the_import_linter_contract_holds() -> None:
    result = _run_lint(cwd=PROJECT_ROOT)
    if result.returncode != 0 and UI_NOT_A_PACKAGE in result.stdout:
        pytest.skip(
            "tui/ui has no __init__.py, so import-linter cannot see tui.ui; the contract "
            "minus tui.ui is checked in "
            "test_the_core_contract_holds_and_has_teeth"
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The core never imports the UI or textual KEPT" in result.stdout


def _contract_config(tmp_path: Path) -> Path:
    """pyproject's import-linter contract, without tui.ui while that is not a package."""
    text = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if not (PROJECT_ROOT / "tui" / "ui" / "__init__.py").exists():
        text = text.replace('"tui.ui", ', "")
    config = tmp_path / "importlinter.toml"
    config.write_text(text, encoding="utf-8")
    return config


def test_the_core_contract_holds_and_has_teeth(tmp_path: Path) -> None:
    config = _contract_config(tmp_path)
    result = _run_lint("--config", str(config), cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout

    # The same contract over a copy of the package in which one core module imports
    # textual must fail: a contract that cannot fail proves nothing.
    copy = tmp_path / "src"
    shutil.copytree(
        PROJECT_ROOT / "tui", copy / "tui", ignore=shutil.ignore_patterns("__pycache__")
    )
    with (copy / "tui" / "core" / "text" / "hygiene.py").open("a", encoding="utf-8") as module:
        module.write("\nimport textual  # noqa\n")
    broken = _run_lint("--config", str(config), cwd=copy)
    assert broken.returncode != 0
    assert "tui.core.text.hygiene -> textual" in broken.stdout


def test_the_contract_forbids_what_the_style_guide_says() -> None:
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    forbidding = [
        c for c in contracts if c["type"] == "forbidden" and "tui.core" in c["source_modules"]
    ]
    assert forbidding, "no forbidden contract covers tui.core"
    assert set(FORBIDDEN) <= set(forbidding[0]["forbidden_modules"])
