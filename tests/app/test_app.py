"""The App a shell builds once, and the house rules the layout keeps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import matchgate
from matchgate.app.audit import AuditConfig, init_audit, open_audit
from matchgate.app.core import App
from matchgate.domain.audit import AuditEvent, AuditReceipt
from matchgate.domain.errors import ConfigurationError
from matchgate.settings import Settings

MAX_MODULE_LINES = 600


def test_no_module_grows_past_the_split_line() -> None:
    root = Path(matchgate.__file__).parent
    long = {
        str(path.relative_to(root)): n
        for path in root.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"split these modules (over {MAX_MODULE_LINES} lines): {long}"


def test_the_store_url_is_sqlite_in_the_workspace_which_is_created(tmp_path: Path) -> None:
    app = App(Settings(workspace=tmp_path / "ws"))
    assert app.store_url == f"sqlite:///{tmp_path / 'ws' / 'matchgate.sqlite'}"
    assert (tmp_path / "ws").is_dir()


def test_a_database_url_is_used_as_given_and_creates_no_folder(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    app = App(Settings(workspace=tmp_path / "ws", database_url=url))
    assert app.store_url == url
    assert not (tmp_path / "ws").exists()


def test_the_unit_of_work_refuses_a_store_that_was_never_upgraded(tmp_path: Path) -> None:
    app = App(Settings(workspace=tmp_path))
    with pytest.raises(ConfigurationError, match="matchgate db upgrade"), app.unit_of_work():
        pass


def test_without_an_audit_store_the_sink_is_refused_not_faked(tmp_path: Path) -> None:
    app = App(Settings(workspace=tmp_path))
    with pytest.raises(ConfigurationError):
        _ = app.audit


class _Sink:
    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def append(self, event: AuditEvent) -> AuditReceipt:
        self.events.append(event)
        return AuditReceipt(sequence=len(self.events), entry_hash="0" * 64)


def test_a_given_sink_is_the_one_used(tmp_path: Path) -> None:
    sink = _Sink()
    app = App(Settings(workspace=tmp_path), audit=sink)
    assert app.audit is sink


def test_a_refusal_is_recorded_where_the_app_audits_or_nowhere(tmp_path: Path) -> None:
    sink = _Sink()
    assert App(Settings(workspace=tmp_path), audit=sink).refusal_audit() is sink
    assert App(Settings(workspace=tmp_path / "no-log")).refusal_audit() is None  # not faked


def test_a_given_audit_log_is_the_apps_log_with_its_configuration(tmp_path: Path) -> None:
    config = AuditConfig(
        url=f"sqlite:///{tmp_path / 'elsewhere.sqlite'}",
        checkpoint_dir=tmp_path / "checkpoints",
        subject_key_file=tmp_path / "keys" / "subject.hmac",
        signing_key_file=tmp_path / "keys" / "checkpoint.key",
    )
    init_audit(config)
    log = open_audit(config)
    app = App(Settings(workspace=tmp_path / "ws"), audit=log)
    assert app.audit_log() is log
    assert app.audit is log
    assert app.audit_config == config  # not the workspace's default
    assert App(Settings(workspace=tmp_path / "ws")).audit_config != config


def test_today_is_the_agencys_calendar_day() -> None:
    late = dt.datetime(2026, 12, 8, 3, 30, tzinfo=dt.UTC)  # still the 7th in New York
    app = App(Settings(timezone="America/New_York"), clock=lambda: late)
    assert app.today() == dt.date(2026, 12, 7)
