"""Every setting has a type and a range, checked when the config is read: an absurd value is
one sentence naming the key, the file and the allowed range, never a traceback or a hang
later (issue 8). Also the refresh's back-off, which must not overflow whatever it is given."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tui.core.errors import ConfigError
from tui.core.refresh import backoff_delay
from tui.core.settings import (
    DEFAULT_CONFIG_TOML,
    SETTING_RANGES,
    RefreshSettings,
    Settings,
    load_settings,
    parse_settings,
)


def _refused(text: str, source: str = "/home/ann/.config/newsterm/config.toml") -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, source=source)
    message = str(caught.value)
    assert "\n" not in message and message.endswith("."), message
    return message


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("refresh", "backoff_minutes", "99999999999999999"),
        ("refresh", "max_backoff_hours", "99999999999999999"),
        ("refresh", "auto_minutes", "1000000000000"),
        ("fetch", "max_connections", "0"),
        ("fetch", "per_host", "0"),
        ("fetch", "per_host", "-3"),
        ("fetch", "max_body_mb", "0"),
        ("articles", "prefetch_concurrency", "0"),
        ("articles", "max_page_mb", "100000"),
        ("articles", "min_words", "9223372036854775807"),
    ],
)
def test_whole_numbers_out_of_range_name_the_key_the_file_and_the_range(
    section: str, key: str, value: str
) -> None:
    message = _refused(f"[{section}]\n{key} = {value}\n")
    low, high = SETTING_RANGES[f"{section}.{key}"]
    assert message.startswith(f"{section}.{key} in /home/ann/.config/newsterm/config.toml ")
    assert f"must be a whole number from {low:g} to {high:g}" in message
    assert message.endswith(f"; got {value}.")


def test_the_sentence_the_issue_asks_for() -> None:
    assert _refused("[fetch]\nper_host = 0\n", "/path/config.toml") == (
        "fetch.per_host in /path/config.toml must be a whole number from 1 to 64; got 0."
    )


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan", "0.0", "-1.5", "1e300"])
@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("fetch", "deadline"),
        ("fetch", "connect_timeout"),
        ("fetch", "read_timeout"),
        ("articles", "deadline"),
    ],
)
def test_seconds_must_be_finite_and_in_range(section: str, key: str, value: str) -> None:
    message = _refused(f"[{section}]\n{key} = {value}\n")
    assert message.startswith(f"{section}.{key} in ")
    assert "must be a number of seconds from" in message
    assert message.endswith(f"; got {float(value)!r}.")


def test_whole_seconds_are_fine_for_a_number_of_seconds() -> None:
    settings = parse_settings("[fetch]\ndeadline = 60\n[articles]\ndeadline = 5\n")
    assert settings.fetch.deadline == 60.0 and isinstance(settings.fetch.deadline, float)
    assert settings.articles.deadline == 5.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[fetch]\nper_host = 6.0\n", "fetch.per_host in config.toml must be a whole number"),
        ('[fetch]\nper_host = "6"\n', 'got "6".'),
        ("[fetch]\nper_host = true\n", "got true."),
        (
            '[articles]\nprefetch = "no"\n',
            'articles.prefetch in config.toml must be true or false; got "no".',
        ),
        ("[articles]\nprefetch = 1\n", "must be true or false; got 1."),
        ("[ui]\ntheme = 3\n", "ui.theme in config.toml must be a theme name in quotes"),
        ('[ui]\ntheme = ""\n', "ui.theme in config.toml must be a theme name in quotes"),
        ("[fetch]\ndeadline = 1979-05-27\n", "got 1979-05-27."),
        ("[fetch]\ndeadline = [1, 2]\n", "got a list."),
        ("[fetch]\ndeadline = {a = 1}\n", "got a table."),
        ("fetch = 3\n", "[fetch] in config.toml must be a table of settings"),
        ("[keys]\ntoggle_bookmark = 3\n", "[keys] in config.toml"),
        ("[fetch\n", "config.toml is not valid TOML"),
    ],
)
def test_wrong_types_are_one_sentence_naming_the_key(text: str, expected: str) -> None:
    assert expected in _refused(text, source="config.toml")


def test_a_long_or_hostile_value_is_cut_short_in_the_sentence() -> None:
    message = _refused(f'[ui]\ntheme = 5\n[fetch]\nper_host = "{"x" * 5000}"\n')
    assert len(message) < 300


def _comment_above(key: str, section: str) -> str:
    lines = DEFAULT_CONFIG_TOML.split(f"[{section}]\n", 1)[1].split("\n[", 1)[0].splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{key} = "))
    while at > 0 and not lines[at - 1].startswith("#"):  # settings that share one comment
        at -= 1
    comment = []
    while at > 0 and lines[at - 1].startswith("#"):
        at -= 1
        comment.insert(0, lines[at])
    return " ".join(comment)


def test_every_range_is_documented_where_the_setting_is() -> None:
    # The default config (which `newsterm config` prints and the README shows) states each
    # range in the comment above the setting, so nobody has to find it by trial.
    for name, (low, high) in SETTING_RANGES.items():
        section, key = name.split(".")
        comment = _comment_above(key, section)
        assert f"{low:g} to {high:g}" in comment, f"{name}: say {low:g} to {high:g} in {comment!r}"


def test_the_defaults_sit_inside_their_ranges() -> None:
    settings = Settings()
    for name, (low, high) in SETTING_RANGES.items():
        section, key = name.split(".")
        value = getattr(getattr(settings, section), key)
        assert low <= value <= high, name


def test_edges_of_each_range_are_accepted() -> None:
    for name, (low, high) in SETTING_RANGES.items():
        section, key = name.split(".")
        for edge in (low, high):
            parse_settings(f"[{section}]\n{key} = {edge!r}\n")


def test_a_config_too_large_to_be_one_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# padding\n" * 200_000, encoding="utf-8")  # 2 MB of comments
    with pytest.raises(ConfigError, match="too large"):
        load_settings(path)


def test_a_config_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[ui]\ntheme = "caf\xe9"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert str(path) in message and "UTF-8" in message
    assert "codec" not in message  # Python's words, not the user's


def test_a_folder_named_as_the_config_is_one_plain_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    message = str(caught.value)
    assert "[Errno" not in message and message.count(str(tmp_path)) == 1


def test_the_file_named_in_the_message_is_the_one_read(tmp_path: Path) -> None:
    path = tmp_path / "my config.toml"
    path.write_text("[fetch]\nmax_connections = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"fetch.max_connections in {path} must")):
        load_settings(path)
    assert load_settings(tmp_path / "missing.toml") == Settings()


# -- the refresh's back-off, a second line of defence ------------------------------------


def test_backoff_never_overflows_whatever_the_settings() -> None:
    huge = Settings(
        refresh=RefreshSettings(backoff_minutes=99999999999999999, max_backoff_hours=10**20)
    )
    for failures in (0, 1, 5, 16, 17, 1000):
        delay = backoff_delay(huge, failures)
        assert timedelta(0) < delay <= timedelta(days=366)
    assert backoff_delay(Settings(), 0) == timedelta(minutes=15)
    assert backoff_delay(Settings(), 3) == timedelta(hours=2)
    assert backoff_delay(Settings(), 40) == timedelta(hours=24)


@pytest.mark.parametrize(
    "text",
    [
        "a." * 8000 + "b = 1\n",  # dotted keys: tomllib's time and memory grow as their square
        "[" + "t . " * 8000 + "u]\n",
        "a = {" + "b." * 8000 + "c = 1}\n",
        "a = " + "[" * 100_000 + "]" * 100_000 + "\n",  # RecursionError inside tomllib
        "a = {b = " * 50_000 + "1" + "}" * 50_000 + "\n",
        "[fetch]\nper_host = " + "9" * 5000 + "\n",  # ValueError: over 4300 digits
    ],
    ids=["dotted-key", "dotted-table", "dotted-inline", "deep-array", "deep-table", "digits"],
)
def test_pathological_toml_is_one_sentence_not_a_crash_or_a_stall(text: str) -> None:
    message = _refused(text, source="config.toml")
    assert message.startswith("config.toml ")
