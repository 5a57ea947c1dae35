"""``newsterm`` with no command opens the app; ``--demo`` opens a throwaway demo copy."""

from __future__ import annotations

from pathlib import Path

import pytest

import tui.ui.app as app_module
from tui import cli
from tui.core.settings import Settings


def _capture(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, Settings, bool]]:
    calls: list[tuple[Path, Settings, bool]] = []

    def fake_run_app(
        path: Path, settings: Settings, *, demo: bool = False, **folders: Path | None
    ) -> int:
        calls.append((path, settings, demo))
        return 0

    monkeypatch.setattr(app_module, "run_app", fake_run_app)
    return calls


def test_no_command_launches_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = _capture(monkeypatch)
    config = tmp_path / "config.toml"
    config.write_text('[ui]\ntheme = "nord"\n[keys]\ntoggle_bookmark = "x"\n')
    assert cli.main(["--db", str(tmp_path / "lib.db"), "--config", str(config)]) == 0
    ((path, settings, demo),) = calls
    assert path == tmp_path / "lib.db" and not demo
    assert settings.ui.theme == "nord" and settings.keys == {"toggle_bookmark": "x"}


def test_demo_flag(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = _capture(monkeypatch)
    assert cli.main(["--demo", "--db", str(tmp_path / "lib.db")]) == 0
    assert calls[0][2] is True


def test_demo_flag_is_for_the_app_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--demo", "feeds"])
    assert exit_info.value.code == 2
    assert "--demo" in capsys.readouterr().err


def test_demo_library_is_a_throwaway_copy(tmp_path: Path) -> None:
    temp_dirs: list[object] = []
    library = app_module.open_demo_library(Settings(), temp_dirs)  # type: ignore[arg-type]
    try:
        assert library.counts()[0] > 20
        assert Path(temp_dirs[0].name) in library.path.parents  # type: ignore[attr-defined]
    finally:
        library.close()
        for directory in temp_dirs:
            directory.cleanup()  # type: ignore[attr-defined]
    assert not library.path.exists()
