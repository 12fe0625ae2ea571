"""Fixtures for the submission tests: keys, a master with detail tables, a workspace with the
reference agreement stored, and a way to submit with sensible defaults."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from tests.accounts import Accounts
from tests.submit.helpers import (
    DAY,
    REFERENCE,
    MemorySink,
    install_host_key,
    install_master,
    settings_for,
    subject,
    write_master,
)

from matchgate.access import Principal
from matchgate.app.core import App
from matchgate.services.administration.agreements import add_agreement
from matchgate.services.disclosure.packages import make_keys
from matchgate.services.submission.submit import SubmitOptions, SubmitResult, submit_file
from matchgate.settings import Settings


@dataclass(frozen=True)
class Keys:
    sender: Path
    sender_pub: Path
    recipient: Path
    recipient_pub: Path
    uscis: Path
    uscis_pub: Path


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    folder = tmp_path_factory.mktemp("keys")
    make_keys(folder, "ssa")
    make_keys(folder, "dhs")
    make_keys(folder, "uscis")
    return Keys(
        *(folder / name for name in ("ssa.key", "ssa.pub", "dhs.key", "dhs.pub")),
        folder / "uscis.key",
        folder / "uscis.pub",
    )


@pytest.fixture(scope="session")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_master(tmp_path_factory.mktemp("master"))


@dataclass
class Env:
    """A workspace with the reference agreement stored, the master loaded, the host's signing
    key (``keys.sender``), DHS's key (``keys.recipient_pub``) and DHS-USCIS's (``keys.uscis_pub``)
    registered, and a submit()
    with defaults.

    Users: ``submitter`` and ``recipient_po`` of DHS (the requesting party), ``po`` of SSA (the
    disclosing party, host agency); ``accounts`` makes more.
    """

    tmp: Path
    settings: Settings
    keys: Keys
    master: Path
    snapshot: str
    sink: MemorySink
    options: SubmitOptions
    accounts: Accounts
    po: Principal
    submitter: Principal
    recipient_po: Principal

    @property
    def out(self) -> Path:
        assert self.options.out_dir is not None
        return self.options.out_dir

    def submit(
        self, path: Path, agreement: str = "reference-2025-08", **changes: Any
    ) -> SubmitResult:
        matcher = changes.pop("matcher", None)
        sink = changes.pop("sink", self.sink)
        caller = changes.pop("caller", self.submitter)
        options = replace(self.options, **changes)
        extra: dict[str, Any] = {} if matcher is None else {"matcher": matcher}
        return submit_file(
            App(self.settings, audit=sink),
            path,
            agreement,
            caller=caller,
            options=options,
            subject=subject,
            **extra,
        )

    def add(self, agreement: Path) -> None:
        add_agreement(App(self.settings), agreement, caller=self.po)

    def packages(self) -> list[Path]:
        return sorted(self.out.glob("*")) if self.out.exists() else []


MakeEnv = Callable[[str | None], Env]


@pytest.fixture
def make_env(tmp_path: Path, keys: Keys, master: Path) -> MakeEnv:
    def make(store_url: str | None = None) -> Env:
        settings = settings_for(tmp_path, store_url)
        accounts = Accounts(settings)
        po = accounts.user("ssa-po", "SSA", "privacy_officer")
        submitter = accounts.user("dhs-submitter", "DHS", "submitter")
        recipient_po = accounts.user("dhs-po", "DHS", "privacy_officer")
        add_agreement(App(settings), REFERENCE, caller=po)
        snapshot = install_master(settings, master)
        install_host_key(settings, keys.sender, keys.sender_pub)
        accounts.register_key("DHS", keys.recipient_pub)
        accounts.register_key("DHS-USCIS", keys.uscis_pub)
        options = SubmitOptions(out_dir=tmp_path / "outbox", on=DAY)
        return Env(
            tmp_path,
            settings,
            keys,
            master,
            snapshot,
            MemorySink(),
            options,
            accounts,
            po,
            submitter,
            recipient_po,
        )

    return make


@pytest.fixture
def env(make_env: MakeEnv) -> Env:
    return make_env(None)
