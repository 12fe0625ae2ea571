"""``matchgate audit ...`` through a tiny app that registers the commands as main will."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import text
from tests.accounts import Accounts
from tests.submit.helpers import REFERENCE, SAVE, agreement_variant
from typer.testing import CliRunner

from matchgate.app.audit import AuditConfig, audit_config, open_audit
from matchgate.app.core import App
from matchgate.audit import AuditEvent, Disclosure, kinds
from matchgate.cli.audit import EXIT_VERIFY_FAILED, register
from matchgate.cli.shell import EXIT_CONFIG, EXIT_INPUT, run
from matchgate.services.administration.agreements import add_agreement
from matchgate.settings import Settings
from matchgate.storage import audit as store

app = typer.Typer()


@app.callback()
def _root() -> None:
    """A stand-in for matchgate's main app."""


register(app, run)
runner = CliRunner()
SSN = "123-45-6789"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A workspace where SSA (the host) discloses under two stored agreements; the caller is
    SSA's privacy officer."""
    settings = Settings(workspace=tmp_path / "ws")
    accounts = Accounts(settings)
    accounts.partners()
    po = accounts.user("ssa-po", "SSA", "privacy_officer")
    add_agreement(App(settings), REFERENCE, caller=po)
    add_agreement(App(settings), agreement_variant(tmp_path / "docs", "le-2025", SAVE), caller=po)
    return {
        "MATCHGATE_WORKSPACE": str(tmp_path / "ws"),
        "MATCHGATE_DATABASE_URL": "",
        "SSN": SSN,
        "MATCHGATE_TOKEN": accounts.tokens["ssa-po"],
    }


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["audit", *args], env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _config(env: dict[str, str]) -> AuditConfig:
    return audit_config(Settings(workspace=Path(env["MATCHGATE_WORKSPACE"])))


def _fill(env: dict[str, str], n: int = 6) -> None:
    log = open_audit(_config(env))
    for i in range(n):
        log.append(AuditEvent(kind=kinds.MATCH_RUN, actor="svc:match", details={"rows": i}))
    disclosure = Disclosure(
        actor="svc:disclose",
        agreement="reference-2025-08",
        recipient="DHS-USCIS",
        purpose="benefit-eligibility",
        routine_uses=("RU-31",),
        package_id="pkg-1",
        recipient_name="U.S. Citizenship and Immigration Services",
    )
    log.append(disclosure.event(["identity", "address"], [log.subject_key(SSN)]))
    fbi = Disclosure(
        actor="svc:disclose",
        agreement="le-2025",
        recipient="FBI",
        purpose="investigation",
        routine_uses=("RU-9",),
        package_id="pkg-2",
        law_enforcement=True,
    )
    log.append(fbi.event(["identity"], [log.subject_key(SSN)]))


def test_init_checkpoint_verify_show_tail(env: dict[str, str]) -> None:
    code, out, err = cli(env, "init")
    assert code == 0, err
    assert "audit log:" in out
    assert "(created)" in out
    _fill(env)
    code, out, err = cli(env, "checkpoint")
    assert code == 0, err
    assert json.loads(out)["size"] == 8
    code, out, _ = cli(env, "verify")
    assert code == 0
    assert "verified:" in out
    assert "8 entries covered, 0 after the newest checkpoint" in out
    code, out, _ = cli(env, "verify", "--json")
    assert json.loads(out)["ok"] is True
    code, out, _ = cli(env, "show", "6")
    assert "disclosure.made" in out
    assert "subjects=1" in out
    assert SSN not in out
    code, out, _ = cli(env, "tail", "-n", "2", "--json")
    assert [e["sequence"] for e in json.loads(out)] == [6, 7]


def test_verify_reports_the_first_bad_entry_and_exits_5(env: dict[str, str]) -> None:
    assert cli(env, "init")[0] == 0
    _fill(env)
    cli(env, "checkpoint")
    url = _config(env).url
    with store.audit_engine(url, write=True).begin() as con:
        con.execute(text("DROP TRIGGER audit_entries_no_update"))
        con.execute(text("UPDATE audit_entries SET actor = 'svc:other' WHERE sequence = 3"))
    code, out, _ = cli(env, "verify")
    assert code == EXIT_VERIFY_FAILED
    assert "FAILED" in out
    assert "first bad entry: 3" in out
    assert "E_AUDIT_HASH" in out
    code, out, _ = cli(env, "verify", "--json")
    assert code == EXIT_VERIFY_FAILED
    assert json.loads(out)["first_bad"] == 3


def test_a_partner_checks_proofs_with_the_public_key_alone(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert cli(env, "init")[0] == 0
    _fill(env)
    first = json.loads(cli(env, "checkpoint")[1])
    _fill(env, 3)
    second = json.loads(cli(env, "checkpoint")[1])
    public = _config(env).signing_public_key_file
    inclusion, consistency = tmp_path / "inclusion.json", tmp_path / "consistency.json"
    assert cli(env, "prove", "6", "--out", str(inclusion))[0] == 0
    assert (
        cli(env, "consistency", str(first["size"]), str(second["size"]), "--out", str(consistency))[
            0
        ]
        == 0
    )
    assert cli(env, "prove", "6", "--out", str(inclusion))[0] == EXIT_INPUT  # never overwrites
    for proof in (inclusion, consistency):
        code, out, _ = cli(
            env, "check-proof", str(proof), "--trust", str(public), "--log", first["log"]
        )
        assert code == 0, out
        assert out.startswith("verified:")
    document = json.loads(inclusion.read_text())
    document["entry"] = document["entry"].replace("pkg-1", "pkg-9")
    inclusion.write_text(json.dumps(document))
    code, out, _ = cli(env, "check-proof", str(inclusion), "--trust", str(public))
    assert code == EXIT_VERIFY_FAILED
    assert "does not lead to the checkpoint's root" in out
    inclusion.write_text("{not json")
    assert cli(env, "check-proof", str(inclusion), "--trust", str(public))[0] == EXIT_INPUT


def test_accounting_for_the_person_and_the_agency(env: dict[str, str]) -> None:
    assert cli(env, "init")[0] == 0
    _fill(env)
    code, out, err = cli(env, "accounting", "--ssn-env", "SSN")
    assert code == 0, err
    assert "pkg-1" in out
    assert "FBI" in out
    code, out, _ = cli(env, "accounting", "--ssn-stdin", "--for-person", stdin=SSN + "\n")
    assert code == 0
    assert "U.S. Citizenship and Immigration Services" in out
    assert "FBI" not in out
    assert "pkg-2" not in out
    code, out, _ = cli(env, "accounting", "--ssn-env", "SSN", "--for-person", "--json")
    assert [d["reference"] for d in json.loads(out)["disclosures"]] == ["pkg-1"]
    assert cli(env, "accounting")[0] == EXIT_CONFIG
    code, _, err = cli(env, "accounting", "--ssn-env", "NOPE")
    assert code == EXIT_CONFIG
    bad = {**env, "SSN": "000-00-0000"}
    code, _, err = cli(bad, "accounting", "--ssn-env", "SSN")
    assert code == EXIT_INPUT
    assert "000-00-0000" not in err


def test_withdraw_makes_a_notice_for_each_agency_to_notify(env: dict[str, str]) -> None:
    assert cli(env, "init")[0] == 0
    _fill(env)
    code, out, err = cli(
        env,
        "withdraw",
        "--ssn-env",
        "SSN",
        "--reason",
        "wrong_match",
        "--package",
        "pkg-1",
    )
    assert code == 0, err
    assert "withdraws entries 6" in out
    assert "made for DHS-USCIS " in out
    assert "made for FBI " in out
    code, out, _ = cli(env, "accounting", "--ssn-env", "SSN", "--for-person")
    assert "CORRECTED" in out
    assert cli(env, "verify")[0] == 0


def test_commands_refuse_without_an_initialized_log(env: dict[str, str]) -> None:
    code, _, err = cli(env, "checkpoint")
    assert code == EXIT_CONFIG
    assert "audit init" in err


def test_an_audit_url_naming_a_missing_database_is_refused_without_creating_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert cli(env, "init")[0] == 0  # keys and a log in the workspace's store
    missing = tmp_path / "elsewhere" / "audit.sqlite"
    missing.parent.mkdir()
    moved = {**env, "MATCHGATE_AUDIT_URL": f"sqlite:///{missing}"}
    for command in (["checkpoint"], ["verify"], ["tail"]):
        code, _, err = cli(moved, *command)
        assert code == EXIT_CONFIG, (command, err)
        assert not missing.exists(), command
        assert "does not exist" in err, (command, err)
    assert list(missing.parent.iterdir()) == []


def test_the_persons_copy_says_who_was_notified_without_the_withheld_recipient(
    env: dict[str, str],
) -> None:
    assert cli(env, "init")[0] == 0
    _fill(env)
    args = ("withdraw", "--ssn-env", "SSN", "--reason", "wrong_match", "--package", "pkg-1")
    code, _out, err = cli(env, *args)
    assert code == 0, err
    code, shown, _ = cli(env, "accounting", "--ssn-env", "SSN", "--for-person")
    assert "CORRECTED" in shown
    assert "DHS-USCIS notified " in shown
    assert "not yet acknowledged" in shown
    assert "FBI" not in shown  # withheld from the person (552a(c)(3))
    code, agency, _ = cli(env, "accounting", "--ssn-env", "SSN")
    assert "FBI notified " in agency


def test_accounting_dates_are_the_agencys_calendar_dates(env: dict[str, str]) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    assert cli(env, "init")[0] == 0
    _fill(env)
    # UTC+14 and UTC-11: at any moment at least one of them is on another date than UTC.
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        local = {**env, "MATCHGATE_TIMEZONE": zone}
        code, out, err = cli(local, "accounting", "--ssn-env", "SSN", "--json")
        assert code == 0, err
        data = json.loads(out)
        assert data["disclosures"]
        for line in data["disclosures"]:
            moment = dt.datetime.fromisoformat(line["time"].replace("Z", "+00:00"))
            assert line["time"].endswith("Z")  # the stored UTC time is kept
            assert line["date"] == moment.astimezone(ZoneInfo(zone)).date().isoformat(), zone
        code, text, _ = cli(local, "accounting", "--ssn-env", "SSN")
        for line in data["disclosures"]:
            assert f"{line['date']}  disclosed to" in text
        for correction in data["corrections"]:
            assert correction["date"] in text
