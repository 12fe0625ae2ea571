"""Settings are declared once; this test keeps the README's table in step with them."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from matchgate.domain.errors import ConfigurationError
from matchgate.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text()
    for f in fields(Settings):
        assert f"`MATCHGATE_{f.name.upper()}`" in text, f.name
        assert f.metadata.get("doc"), f"setting {f.name} has no doc"


def test_environment_overrides_defaults_and_options_override_environment() -> None:
    env = {"MATCHGATE_DUCKDB_THREADS": "2", "MATCHGATE_WORKSPACE": "/w"}
    s = Settings.from_env(env)
    assert s.duckdb_threads == 2
    assert s.workspace == Path("/w")
    assert Settings.from_env(env, workspace=Path("/o")).workspace == Path("/o")
    assert s.sqlite_url == "sqlite:////w/matchgate.sqlite"


def test_unparsable_setting_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="MATCHGATE_DUCKDB_THREADS"):
        Settings.from_env({"MATCHGATE_DUCKDB_THREADS": "many"})


def test_unknown_time_zone_is_a_configuration_error_and_known_gives_a_date() -> None:
    with pytest.raises(ConfigurationError, match="unknown time zone"):
        Settings(timezone="Mars/Olympus_Mons").today()
    assert Settings(timezone="Pacific/Kiritimati").today() >= Settings(timezone="UTC").today()
