"""The README documents every setting: its config block is the one newsterm prints."""

from __future__ import annotations

import pytest

from tests.support.paths import PROJECT_ROOT
from tui.core.errors import ConfigError
from tui.core.settings import DEFAULT_CONFIG_TOML, ArticleSettings, Settings, parse_settings

README = PROJECT_ROOT / "README.md"


def test_the_readme_shows_the_default_config_as_newsterm_prints_it() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- config:start -->\n```toml\n", 1)[1].split("```\n<!-- config:end", 1)[0]
    assert block == DEFAULT_CONFIG_TOML


def test_the_default_config_parses_to_the_defaults() -> None:
    assert parse_settings(DEFAULT_CONFIG_TOML) == Settings()


def test_reader_mode_settings_are_read_and_checked() -> None:
    settings = parse_settings("[articles]\nprefetch = false\nmin_words = 0\n")
    assert settings.articles == ArticleSettings(prefetch=False, min_words=0)
    with pytest.raises(ConfigError, match=r"articles\.prefetch"):
        parse_settings('[articles]\nprefetch = "no"\n')
