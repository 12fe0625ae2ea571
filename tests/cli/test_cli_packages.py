"""The package commands: keys, seal, open; one-line errors with exit codes, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from matchgate.cli.main import EXIT_CONFIG, EXIT_INPUT
from matchgate.cli.packages import register
from matchgate.cli.shell import run
from matchgate.disclosure import package_layout

app = typer.Typer(pretty_exceptions_enable=False)
register(app, run)
runner = CliRunner()

ROWS = "request_id,decision,person_id,last_name\nR1,match,P1,GARCIA-LOPEZ\nR2,no_match,,\n"


def invoke(
    *args: str | Path, env: dict[str, str] | None = None, input: str | None = None
) -> Result:
    return runner.invoke(app, [str(a) for a in args], env=env, input=input)


def one_line_error(result: Result, code: str) -> str:
    assert result.exit_code == EXIT_INPUT, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].count(code) == 1, lines[0]  # the code is printed once
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def sealed(tmp_path: Path) -> Path:
    """Keys for ssa (sender) and dhs (recipient), and a package from ssa to dhs."""
    keys = tmp_path / "keys"
    for name in ("ssa", "dhs"):
        assert invoke("keys", "generate", "--out", keys, "--name", name).exit_code == 0
    (tmp_path / "response.csv").write_text(ROWS)
    result = invoke(
        "seal", tmp_path / "response.csv",
        "--to", keys / "dhs.pub", "--key", keys / "ssa.key", "--out", tmp_path / "p.mgp",
        "--job-id", "J-1", "--agreement-id", "SSA-DHS-2025-08", "--agreement-version", "2",
        "--count", "match=1", "--count", "no_match=1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "CUI//SP-PRVCY" in result.stdout
    return tmp_path / "p.mgp"


def test_generate_prints_the_key_id_and_refuses_to_overwrite(tmp_path: Path) -> None:
    result = invoke("keys", "generate", "--out", tmp_path, "--name", "agency")
    assert result.exit_code == 0, result.output
    assert "NOT password-protected" in result.stdout
    kid = result.stdout.split("key id:")[1].split()[0]
    shown = invoke("keys", "id", tmp_path / "agency.pub", tmp_path / "agency.key")
    assert shown.stdout.split()[0] == shown.stdout.split()[2] == kid
    assert (tmp_path / "agency.key").stat().st_mode & 0o777 == 0o600
    again = invoke("keys", "generate", "--out", tmp_path, "--name", "agency")
    one_line_error(again, "E_KEY_FILE")


def test_round_trip_prints_marking_and_manifest_and_writes_files(
    sealed: Path, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    pinned = invoke(
        "keys", "trust", tmp_path / "ring.json", keys / "ssa.pub", "--label", "SSA 2025"
    )
    assert pinned.exit_code == 0, pinned.output
    out = tmp_path / "opened"
    result = invoke(
        "open", sealed, "--key", keys / "dhs.key", "--trust", tmp_path / "ring.json", "--out", out
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == lines[-1] == "*** CUI//SP-PRVCY ***"
    assert "signature verified" in result.stdout
    assert "(SSA 2025)" in result.stdout
    assert "SSA-DHS-2025-08 version 2" in result.stdout
    assert "match 1, no_match 1" in result.stdout
    assert "GARCIA" not in result.stdout  # the summary names files, never their contents
    assert (out / "response.csv").read_text() == ROWS
    assert (out / "manifest.json").exists()


def test_open_without_out_verifies_and_writes_nothing(sealed: Path, tmp_path: Path) -> None:
    before = sorted(tmp_path.rglob("*"))
    keys = tmp_path / "keys"
    result = invoke("open", sealed, "--key", keys / "dhs.key", "--trust", keys / "ssa.pub")
    assert result.exit_code == 0, result.output
    assert "nothing written" in result.stdout
    assert sorted(tmp_path.rglob("*")) == before


def test_tampered_package_is_one_line_exit_3_and_nothing_written(
    sealed: Path, tmp_path: Path
) -> None:
    data = bytearray(sealed.read_bytes())
    data[package_layout(sealed).chunks[0].start + 1] ^= 0x20  # in the encrypted rows
    sealed.write_bytes(data)
    keys = tmp_path / "keys"
    out = tmp_path / "opened"
    result = invoke(
        "open", sealed, "--key", keys / "dhs.key", "--trust", keys / "ssa.pub", "--out", out
    )
    line = one_line_error(result, "E_PACKAGE_SIGNATURE")
    assert str(sealed) in line
    assert "GARCIA" not in result.output
    assert not out.exists()


def test_truncated_package_is_refused(sealed: Path, tmp_path: Path) -> None:
    sealed.write_bytes(sealed.read_bytes()[:-10])
    keys = tmp_path / "keys"
    result = invoke("open", sealed, "--key", keys / "dhs.key", "--trust", keys / "ssa.pub")
    assert "truncated" in one_line_error(result, "E_PACKAGE_CORRUPT")


def test_wrong_key_untrusted_sender_and_no_trust_are_refused(sealed: Path, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    wrong_key = invoke("open", sealed, "--key", keys / "ssa.key", "--trust", keys / "ssa.pub")
    one_line_error(wrong_key, "E_PACKAGE_KEY")
    untrusted = invoke("open", sealed, "--key", keys / "dhs.key", "--trust", keys / "dhs.pub")
    one_line_error(untrusted, "E_PACKAGE_SENDER")
    no_trust = invoke("open", sealed, "--key", keys / "dhs.key")
    assert "no trusted sender key" in one_line_error(no_trust, "E_PACKAGE_SENDER")


def test_unknown_version_is_refused_by_name(sealed: Path, tmp_path: Path) -> None:
    data = bytearray(sealed.read_bytes())
    data[9] = 7
    sealed.write_bytes(data)
    keys = tmp_path / "keys"
    result = invoke("open", sealed, "--key", keys / "dhs.key", "--trust", keys / "ssa.pub")
    assert "version 7" in one_line_error(result, "E_PACKAGE_VERSION")


def test_not_a_package(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    invoke("keys", "generate", "--out", keys, "--name", "k")
    (tmp_path / "x.csv").write_text(ROWS)
    result = invoke("open", tmp_path / "x.csv", "--key", keys / "k.key", "--trust", keys / "k.pub")
    one_line_error(result, "E_PACKAGE_FORMAT")


def test_password_protected_keys(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    env = {"MG_PW": "correct horse battery staple"}
    made = invoke(
        "keys", "generate", "--out", keys, "--name", "dhs", "--password-env", "MG_PW", env=env
    )
    assert made.exit_code == 0, made.output
    assert "(password-protected" in made.stdout
    assert "ENCRYPTED PRIVATE KEY" in (keys / "dhs.key").read_text()
    prompted = invoke(
        "keys", "generate", "--out", keys, "--name", "ssa", "--ask-password", input="pw\npw\n"
    )
    assert prompted.exit_code == 0, prompted.output
    (tmp_path / "r.csv").write_text(ROWS)
    sealed = invoke(
        "seal", tmp_path / "r.csv", "--to", keys / "dhs.pub", "--key", keys / "ssa.key",
        "--out", tmp_path / "p.mgp", "--job-id", "J", "--agreement-id", "A", "--ask-password",
        input="pw\n",
    )  # fmt: skip
    assert sealed.exit_code == 0, sealed.output
    base: list[str | Path] = [
        "open",
        tmp_path / "p.mgp",
        "--key",
        keys / "dhs.key",
        "--trust",
        keys / "ssa.pub",
    ]
    opened = invoke(*base, "--password-env", "MG_PW", env=env)
    assert opened.exit_code == 0, opened.output
    missing = invoke(*base)
    assert "password-protected" in one_line_error(missing, "E_KEY_FILE")
    wrong = invoke(*base, "--password-env", "MG_PW", env={"MG_PW": "nope"})
    line = one_line_error(wrong, "E_KEY_FILE")
    assert "nope" not in line
    unset = invoke(*base, "--password-env", "MG_UNSET_VARIABLE")
    assert unset.exit_code == EXIT_CONFIG


def test_seal_refuses_bad_manifest_options(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    invoke("keys", "generate", "--out", keys, "--name", "k")
    (tmp_path / "r.csv").write_text(ROWS)
    result = invoke(
        "seal", tmp_path / "r.csv", "--to", keys / "k.pub", "--key", keys / "k.key",
        "--out", tmp_path / "p.mgp", "--job-id", "J", "--agreement-id", "A",
        "--count", "match=lots",
    )  # fmt: skip
    assert result.exit_code == EXIT_CONFIG
    assert not (tmp_path / "p.mgp").exists()
