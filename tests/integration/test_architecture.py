"""The core is headless: no module under ``tui.core`` pulls in textual, rich or the UI.

Each core module is imported alone in a fresh interpreter: this catches imports made at run
time or by a dependency. import-linter's contracts (pyproject.toml; their teeth are tested in
test_import_contracts.py) catch an import anywhere in the source, even one never executed.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import tui.core
from tests.support.paths import PROJECT_ROOT

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
