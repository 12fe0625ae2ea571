"""The shell every command shares (``cli/shell.py``): each helper is defined once, only the shell
reads the environment, settings are read once per command, and a closed standard output ends a
command quietly."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import matchgate.cli
from matchgate.cli.main import app
from matchgate.cli.shell import EXIT_ACCESS, EXIT_BROKEN_PIPE, EXIT_INTERNAL
from matchgate.settings import Settings

runner = CliRunner()
CLI = Path(matchgate.cli.__file__).parent

# The one name every command module defines on purpose: how cli.main adds its commands.
CONVENTIONS = {"register"}


def _modules() -> dict[str, ast.Module]:
    return {
        path.name: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for path in sorted(CLI.glob("*.py"))
    }


def _is_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``@something.command(...)`` or ``@something.callback()``: a command, not a helper."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ("command", "callback"):
            return True
    return False


def _top_level_names(module: ast.Module) -> set[str]:
    """Functions, classes and assigned names (aliases such as ``Runner``, option types such as
    ``AsJson``) a module defines at its top level, Typer commands left out."""
    names: set[str] = set()
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if not _is_command(node):
                names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names - {"__all__"}


def test_no_helper_is_defined_in_more_than_one_cli_module() -> None:
    where: dict[str, list[str]] = defaultdict(list)
    modules = _modules()
    assert {"shell.py", "main.py", "submit.py"} <= modules.keys()
    for name, module in modules.items():
        for defined in _top_level_names(module) - CONVENTIONS:
            where[defined].append(name)
    twice = {name: files for name, files in where.items() if len(files) > 1}
    assert not twice, f"define these once, in cli/shell.py, and import them: {twice}"


def _reads_environment(module: ast.Module) -> list[str]:
    found: list[str] = []
    for node in ast.walk(module):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "from_env"):
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"line {node.lineno}: from os import {a.name}" for a in node.names]
    return found


def test_only_the_shell_reads_the_environment() -> None:
    readers = {
        name: found
        for name, module in _modules().items()
        if name != "shell.py" and (found := _reads_environment(module))
    }
    assert not readers, f"read settings and secrets through cli/shell.py: {readers}"
    assert _reads_environment(_modules()["shell.py"])  # the check does see a read


@pytest.fixture
def from_env_calls(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    """Every Settings.from_env call, by what it built."""
    built: list[Settings] = []
    real = Settings.from_env

    def counting(*args: object, **kwargs: object) -> Settings:
        made = real(*args, **kwargs)  # type: ignore[arg-type]
        built.append(made)
        return made

    monkeypatch.setattr(Settings, "from_env", staticmethod(counting))
    return built


def test_settings_are_read_once_per_command_with_the_workspace_option(
    tmp_path: Path, from_env_calls: list[Settings]
) -> None:
    # `audit tail` needs the settings, the audit configuration and the caller: three readings of
    # the environment before the shell kept the settings of the command.
    workspace = tmp_path / "ws"
    env = {"MATCHGATE_TOKEN": "", "MATCHGATE_TOKEN_FILE": ""}
    result = runner.invoke(app, ["--workspace", str(workspace), "audit", "tail"], env=env)
    assert result.exit_code == EXIT_ACCESS, result.output  # no token: the caller is refused
    assert [s.workspace for s in from_env_calls] == [workspace]


def test_each_command_reads_the_environment_afresh(
    tmp_path: Path, from_env_calls: list[Settings]
) -> None:
    for name in ("one", "two"):
        env = {"MATCHGATE_WORKSPACE": str(tmp_path / name), "MATCHGATE_TOKEN": ""}
        result = runner.invoke(app, ["agencies", "list"], env=env)
        assert result.exit_code == EXIT_ACCESS, result.output
    assert [s.workspace for s in from_env_calls] == [tmp_path / "one", tmp_path / "two"]


def test_the_workspace_option_is_dropped_even_when_no_command_body_runs(tmp_path: Path) -> None:
    from matchgate.cli import shell

    result = runner.invoke(app, ["--workspace", str(tmp_path / "ws1"), "master", "--help"])
    assert result.exit_code == 0, result.output
    assert shell.settings().workspace != tmp_path / "ws1"


def test_a_malformed_setting_fails_only_commands_that_use_settings(tmp_path: Path) -> None:
    env = {"MATCHGATE_DUCKDB_THREADS": "many", "MATCHGATE_WORKSPACE": str(tmp_path / "ws")}
    made = runner.invoke(app, ["keys", "generate", "--out", str(tmp_path), "--name", "k"], env=env)
    assert made.exit_code == 0, made.output
    listed = runner.invoke(app, ["master", "list"], env=env)
    assert listed.exit_code == 4
    assert listed.stderr.strip() == "error: MATCHGATE_DUCKDB_THREADS is not valid: " + (
        "invalid literal for int() with base 10: 'many' [E_CONFIG]"
    )


def _closed_stdout(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run ``python -m matchgate ARGS`` with a standard output whose reader has gone (as
    ``matchgate ... | head`` once head has read its lines)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "matchgate", *args],
            check=False,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env={**os.environ, "MATCHGATE_WORKSPACE": str(cwd / "ws"), **(env or {})},
            timeout=120,
        )
    finally:
        os.close(write_end)
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("keys", "generate", "--out", "keys", "--name", "k"),  # typer.echo lines
        ("master", "list"),  # a Rich console
    ],
)
def test_a_closed_standard_output_ends_the_command_quietly(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    code, stderr = _closed_stdout(*args, cwd=tmp_path)
    assert (code, stderr) == (EXIT_BROKEN_PIPE, "")


def test_a_closed_standard_output_is_quiet_even_in_debug_mode(tmp_path: Path) -> None:
    code, stderr = _closed_stdout("master", "list", cwd=tmp_path, env={"MATCHGATE_DEBUG": "1"})
    assert (code, stderr) == (EXIT_BROKEN_PIPE, "")


ELSEWHERE = """
import typer

from matchgate.cli.shell import echo, run

app = typer.Typer(pretty_exceptions_enable=False)


@app.command()
def fails() -> None:
    def work() -> None:
        echo("a first line")
        raise BrokenPipeError(32, "a socket's peer went away")

    run(work)


app()
"""


def test_a_broken_pipe_elsewhere_is_still_an_internal_error(tmp_path: Path) -> None:
    script = tmp_path / "elsewhere.py"
    script.write_text(ELSEWHERE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False, timeout=120
    )
    assert (done.returncode, done.stdout) == (EXIT_INTERNAL, "a first line\n")
    assert done.stderr == (
        "internal error: BrokenPipeError (set MATCHGATE_DEBUG=1 to see the traceback)\n"
    )


def test_the_workspace_option_may_follow_the_command(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    env = {"MATCHGATE_WORKSPACE": str(tmp_path / "elsewhere"), "MATCHGATE_DATABASE_URL": ""}
    made = runner.invoke(app, ["audit", "init", "--workspace", str(workspace)], env=env)
    assert made.exit_code == 0, made.output
    signed = runner.invoke(app, ["audit", "checkpoint", f"--workspace={workspace}"], env=env)
    assert signed.exit_code == 0, signed.output
    assert '"size"' in signed.stdout
    assert list((workspace / "audit-checkpoints").iterdir())
    assert not (tmp_path / "elsewhere").exists()


def _leaf_options(command: Any, path: str = "") -> dict[str, set[str]]:
    """Every command below ``command`` (a Click group) and the option names it declares."""
    found: dict[str, set[str]] = {}
    for name, sub in getattr(command, "commands", {}).items():
        here = f"{path} {name}".strip()
        found[here] = {o for p in sub.params for o in getattr(p, "opts", [])}
        found.update(_leaf_options(sub, here))
    return found


def test_no_command_declares_its_own_workspace_option() -> None:
    """The root moves ``--workspace`` before the command, so no command may have one of its own."""
    options = _leaf_options(typer.main.get_command(app))
    assert len(options) > 40
    assert "audit checkpoint" in options
    assert [name for name, opts in options.items() if "--workspace" in opts] == []


def test_only_the_workspace_option_moves() -> None:
    from matchgate.cli.main import hoist_workspace

    args = ["audit", "verify", "--checkpoint", "c", "--workspace", "w", "--json"]
    assert hoist_workspace(args) == [
        "--workspace",
        "w",
        "audit",
        "verify",
        "--checkpoint",
        "c",
        "--json",
    ]
    assert hoist_workspace(["a", "--workspace=w"]) == ["--workspace=w", "a"]
    assert hoist_workspace(["a", "--", "--workspace", "w"]) == ["a", "--", "--workspace", "w"]
    assert hoist_workspace(["a", "--workspace"]) == ["a", "--workspace"]
