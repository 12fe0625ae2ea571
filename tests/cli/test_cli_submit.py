"""``matchgate submit``, ``submissions``, ``notices`` and ``match --format ssnvs`` through the
command line: documented exit codes, one-line refusals with their code, no personal values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from tests.accounts import Accounts
from tests.submit.helpers import (
    PERSONAL,
    REFERENCE,
    REQUESTS,
    install_host_key,
    install_master,
    ssnvs_record,
    write_master,
    write_ssnvs,
)
from typer.testing import CliRunner, Result

from matchgate.app.audit import audit_config, init_audit
from matchgate.app.core import App
from matchgate.cli.main import app as main_app
from matchgate.cli.packages import register as register_packages
from matchgate.cli.shell import run
from matchgate.cli.submit import match_ssnvs
from matchgate.cli.submit import register as register_submit
from matchgate.disclosure import key_id, load_public_key
from matchgate.disclosure.ssnvs import read_return_records
from matchgate.services.administration.agreements import add_agreement
from matchgate.services.administration.recipient_keys import revoke_recipient_key
from matchgate.services.disclosure.packages import make_keys
from matchgate.settings import Settings

app = typer.Typer(pretty_exceptions_enable=False)
register_submit(app, run)
register_packages(app, run)


@app.command("match-ssnvs")
def _match_ssnvs(master: Path, requests: Path, output: Path) -> None:
    """What ``match --format ssnvs`` runs (registered by cli.main)."""
    run(lambda: match_ssnvs(master, requests, output))


runner = CliRunner()


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.workspace = root / "ws"
        self.settings = Settings(workspace=self.workspace)
        self.master = write_master(root / "master")
        self.keys = root / "keys"
        make_keys(self.keys, "sender")
        make_keys(self.keys, "dhs")
        self.accounts = Accounts(self.settings)
        po = self.accounts.user("ssa-po", "SSA", "privacy_officer")
        self.accounts.user("dhs-submitter", "DHS", "submitter")
        self.accounts.user("dhs-po", "DHS", "privacy_officer")
        add_agreement(App(self.settings), REFERENCE, caller=po)
        install_master(self.settings, self.master)
        install_host_key(self.settings, self.keys / "sender.key", self.keys / "sender.pub")
        self.accounts.register_key("DHS", self.keys / "dhs.pub")

    def invoke(
        self, *args: str | Path, target: typer.Typer = app, user: str = "dhs-submitter"
    ) -> Result:
        env = {"MATCHGATE_WORKSPACE": str(self.workspace), "MATCHGATE_TOKEN": ""}
        env["MATCHGATE_TOKEN"] = self.accounts.tokens[user]
        return runner.invoke(target, [str(a) for a in args], env=env)

    def submit(self, path: Path, *extra: str | Path) -> Result:
        return self.invoke(
            "submit", path, "--agreement", "reference-2025-08", "--out", self.root / "outbox",
            *extra,
        )  # fmt: skip


@pytest.fixture
def world(tmp_path: Path) -> World:
    made = World(tmp_path)
    init_audit(audit_config(made.settings))
    return made


def one_line(result: Result, code: str, exit_code: int) -> str:
    assert result.exit_code == exit_code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].count(code) == 1, lines[0]  # the code is printed once
    assert "Traceback" not in result.output
    for value in PERSONAL:
        assert value not in result.output
    return lines[0]


def test_submit_lifecycle_and_exit_codes(world: World) -> None:
    source = world.root / "requests.csv"
    source.write_text(REQUESTS)
    dry = world.submit(source, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "status:    validated (dry run)" in dry.stdout
    done = world.submit(source)
    assert done.exit_code == 0, done.output
    assert "status:    disclosed" in done.stdout
    assert "rows:      match 3, possible 0, no_match 1" in done.stdout
    job = done.stdout.split("job:", 1)[1].split()[0]
    (package,) = (world.root / "outbox").glob("*.mgp")
    opened = world.invoke(
        "open", package, "--key", world.keys / "dhs.key", "--trust", world.keys / "sender.pub",
        target=main_app,
    )  # fmt: skip
    assert opened.exit_code == 0, opened.output
    again = world.submit(source)
    line = one_line(again, "E_SUBMISSION_DUPLICATE", 3)
    assert job in line
    other = world.root / "other.csv"
    other.write_text(REQUESTS.replace("R4,", "R5,"))
    one_line(world.submit(other), "R_VOLUME_EXCEEDED", 5)
    shown = world.invoke("submissions", "show", job, "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["status"] == "disclosed"
    listed = world.invoke("submissions", "list")
    assert listed.exit_code == 0
    assert [line.split()[4] for line in listed.stdout.splitlines()] == [
        "needs_consultation",
        "rejected",
        "disclosed",
        "validated",
    ]


def test_rejected_file_gives_one_line_with_its_code(world: World) -> None:
    source = world.root / "requests.csv"
    source.write_text("request_id,last_name,color\nR1,Tremont,red\n")
    line = one_line(world.submit(source), "E_FIELD_NOT_ALLOWED", 3)
    assert "column 3 is not a request field" in line  # by position: a header may be data
    assert "color" not in line
    assert "requests.csv" in line
    garbage = world.root / "garbage.csv"
    garbage.write_bytes(b"\x00\x01\x02" * 1000)
    one_line(world.submit(garbage), "E_FILE_BINARY", 3)
    result = world.invoke("submissions", "list", "--json")
    codes = [row["code"] for row in json.loads(result.stdout)]
    assert codes == ["E_FILE_BINARY", "E_FIELD_NOT_ALLOWED"]


def test_report_lists_rows_and_codes_without_values(world: World) -> None:
    source = world.root / "requests.csv"
    source.write_text(REQUESTS + "R5,,,,123-45-6789,,1961-13-12,,,,\n")
    dry = world.submit(source, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "row codes: E_NAME_MISSING 1, W_DOB_INVALID 1" in dry.stdout
    job = dry.stdout.split("job:", 1)[1].split()[0]
    shown = world.invoke("submissions", "show", job)
    assert "row:           5 (R5): E_NAME_MISSING, W_DOB_INVALID" in shown.stdout
    for value in PERSONAL:
        assert value not in shown.stdout


def test_show_prints_readable_text_and_json_is_unchanged(world: World) -> None:
    source = world.root / "requests.csv"
    source.write_text(REQUESTS)
    done = world.submit(source)
    assert done.exit_code == 0, done.output
    job = done.stdout.split("job:", 1)[1].split()[0]
    shown = world.invoke("submissions", "show", job)
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    for python in ("{", "}", "None", "True", "False", "'"):
        assert python not in text, python
    lines = text.splitlines()
    assert "agreement:" in [line.rstrip() for line in lines]
    assert any(line.startswith("  id:") and line.endswith("reference-2025-08") for line in lines)
    assert any(line.startswith("duplicate_of:") and line.endswith(" -") for line in lines)
    data = json.loads(world.invoke("submissions", "show", job, "--json").stdout)
    assert data["agreement"] == {"id": "reference-2025-08", "version": 1}
    assert data["duplicate_of"] is None
    assert isinstance(data["counts"], dict)


def test_configuration_problems_exit_4(world: World, tmp_path: Path) -> None:
    source = world.root / "requests.csv"
    source.write_text(REQUESTS)
    admin = world.accounts.admin
    dhs = key_id(load_public_key(world.keys / "dhs.pub"))
    revoke_recipient_key(App(world.settings, audit=world.accounts.sink), dhs, caller=admin)
    no_key = world.submit(source)
    assert no_key.exit_code == 4, no_key.output
    assert "agencies keys add DHS" in no_key.stderr
    (world.workspace / "master" / "CURRENT").unlink()
    no_master = world.submit(source)
    assert no_master.exit_code == 4, no_master.output
    assert "matchgate master load" in no_master.stderr
    bare = World(tmp_path / "no-audit")
    refused = bare.submit(source)
    assert refused.exit_code == 4, refused.output
    assert "audit" in refused.stderr
    assert not (bare.root / "outbox").exists()


def test_notices_and_a_submission_for_the_new_purpose(world: World) -> None:
    filed = world.invoke(
        "notices", "file", "--agreement", "reference-2025-08", "--purpose", "fraud-referral",
        "--description", "Refer suspected benefit fraud", user="dhs-po",
    )  # fmt: skip
    assert filed.exit_code == 0, filed.output
    notice = filed.stdout.split()[1]
    source = world.root / "requests.csv"
    source.write_text(REQUESTS)
    one_line(world.submit(source, "--purpose", "fraud-referral"), "R_ONWARD_USE_PENDING", 3)
    decided = world.invoke("notices", "decide", notice, "--deny", user="ssa-po")
    assert decided.exit_code == 0, decided.output
    assert "denied" in decided.stdout
    one_line(world.submit(source, "--purpose", "fraud-referral"), "R_ONWARD_USE_DENIED", 3)
    listed = world.invoke("notices", "list", "--json")
    assert [n["status"] for n in json.loads(listed.stdout)] == ["denied"]
    twice = world.invoke("notices", "decide", notice, "--approve", user="ssa-po")
    one_line(twice, "E_NOTICE_DECIDED", 3)
    missing = world.invoke("notices", "decide", notice, user="ssa-po")
    assert missing.exit_code == 4


def _fixed_width(world: World) -> Path:
    return write_ssnvs(
        world.root / "monthly.txt",
        [
            ssnvs_record("123456789", "TREMONT", "OLIVE", "", "04121961", control="C1"),
            ssnvs_record("123456789", "TREMONT", "OLIVE", "", "04131961", control="C2"),
            ssnvs_record("987654320", "NOBODY", "ATALL", "", "", control="C3"),
            ssnvs_record("345678912", "OMALLEY", "SEAN", "", "02011939", control="C4"),
        ],
    )


def test_match_format_ssnvs_writes_return_records(world: World) -> None:
    source = _fixed_width(world)
    output = world.root / "return.txt"
    done = world.invoke("match-ssnvs", world.master, source, output)
    assert done.exit_code == 0, done.output
    back = list(read_return_records(output))
    assert [r.code for r in back] == [" ", "3", "1", " "]
    assert [r.user_control for r in back] == ["C1", "C2", "C3", "C4"]
    assert [r.death_indicator for r in back] == ["N", "", "", "Y"]
    assert all(len(line) == 130 for line in output.read_bytes().splitlines())
    not_fixed = world.root / "requests.csv"
    not_fixed.write_text(REQUESTS)
    one_line(
        world.invoke("match-ssnvs", world.master, not_fixed, world.root / "x.txt"),
        "E_FILE_FORMAT",
        3,
    )


def test_main_match_command_takes_format_ssnvs(world: World) -> None:
    """Runs once cli/main.py gives ``match`` its ``--format`` option (see docs/submissions.md)."""
    help_text = world.invoke("match", "--help", target=main_app).stdout
    if "--format" not in help_text:
        pytest.skip("cli/main.py does not register `match --format ssnvs` yet")
    source = _fixed_width(world)
    output = world.root / "return.txt"
    done = world.invoke(
        "match", "--master", world.master, "--requests", source, "--output", output,
        "--format", "ssnvs", target=main_app,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert [r.code for r in read_return_records(output)] == [" ", "3", "1", " "]


def test_submit_fixed_width_writes_return_records(world: World) -> None:
    done = world.submit(_fixed_width(world), "--json")
    assert done.exit_code == 0, done.output
    package = json.loads(done.stdout)["package"]
    out = world.root / "opened"
    opened = world.invoke(
        "open", package, "--key", world.keys / "dhs.key", "--trust", world.keys / "sender.pub",
        "--out", out, target=main_app,
    )  # fmt: skip
    assert opened.exit_code == 0, opened.output
    assert [r.code for r in read_return_records(out / "return.txt")] == [" ", "3", "1", " "]


def test_an_audit_log_failing_mid_way_releases_nothing_and_exits_4(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.submit.helpers import MemorySink, subject

    from matchgate.app.core import App

    class Failing(MemorySink):
        def subject_key(self, ssn: str) -> str:
            return subject(ssn)

    sink = Failing(fail_at=3)  # received, accepted, then the first disclosure entry fails
    monkeypatch.setattr(App, "audit_log", lambda self: sink)  # the command's App logs to it
    source = world.root / "requests.csv"
    source.write_text(REQUESTS)
    line = one_line(world.submit(source), "E_AUDIT_UNAVAILABLE", 4)
    assert "not released" in line
    assert not (world.root / "outbox").exists() or not list((world.root / "outbox").iterdir())
    assert sink.kinds() == ["submission.received", "submission.accepted"]
    listed = world.invoke("submissions", "list", "--json")
    assert [(r["status"], r["code"]) for r in json.loads(listed.stdout)] == [
        ("rejected", "E_AUDIT_UNAVAILABLE")
    ]
