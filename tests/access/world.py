"""A store shared by the access tests: SSA (host, discloser) with two partners.

* ``reference-2025-08``: SSA -> DHS. DHS submitted a file under it (disclosed, package in the
  outbox), its privacy officer filed an onward-use notice, and the disclosure is in the audit
  log and in the accounting of the person it was about;
* ``save-verification``: SSA -> DHS-USCIS, with no activity.

The SSA privacy officer opened a breach incident scoped to the package.

Users: an SSA privacy officer and reviewer, DHS submitter and privacy officer, and two outsiders
holding every role: one of DHS-USCIS (a partner of SSA, not of this agreement) and one of IRS
(a party to nothing).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.accounts import Accounts
from tests.conftest import POSTGRES_URL, _postgres_reason
from tests.submit.helpers import (
    DAY,
    REFERENCE,
    REQUESTS,
    SAVE,
    ScriptedMatcher,
    install_host_key,
    install_master,
    write_master,
)

from matchgate.access import Principal
from matchgate.app.audit import AuditLog, audit_config, init_audit, open_audit
from matchgate.app.core import App
from matchgate.audit.breach import Incident, Scope
from matchgate.services.administration.agreements import add_agreement
from matchgate.services.disclosure.notices import Notice, file_notice
from matchgate.services.disclosure.packages import make_keys
from matchgate.services.oversight.breach import open_incident
from matchgate.services.submission.submit import SubmitOptions, SubmitResult, submit_file
from matchgate.settings import Settings

ALL_ROLES = ("submitter", "reviewer", "privacy_officer", "auditor", "administrator")
SSN = "123-45-6789"  # P1 of the helpers' master (synthetic); R1 of REQUESTS matches it


@dataclass
class World:
    settings: Settings
    accounts: Accounts
    log: AuditLog
    ssa_po: Principal
    ssa_reviewer: Principal
    dhs_submitter: Principal
    dhs_po: Principal
    uscis_all: Principal
    irs_all: Principal
    submission: SubmitResult
    notice: Notice
    incident: Incident

    @property
    def app(self) -> App:
        """An App over the world's store, with its audit log."""
        return App(self.settings, audit=self.log)


def build(root: Path, store_url: str) -> World:
    settings = Settings(workspace=root / "ws", database_url=store_url)
    init_audit(audit_config(settings))
    log = open_audit(audit_config(settings))
    accounts = Accounts(settings, sink=log)
    ssa_po = accounts.user("ssa-po", "SSA", "privacy_officer")
    ssa_reviewer = accounts.user("ssa-reviewer", "SSA", "reviewer")
    dhs_submitter = accounts.user("dhs-submitter", "DHS", "submitter")
    dhs_po = accounts.user("dhs-po", "DHS", "privacy_officer", "auditor")
    uscis_all = accounts.user("uscis-all", "DHS-USCIS", *ALL_ROLES)
    irs_all = accounts.user("irs-all", "IRS", *ALL_ROLES)
    add_agreement(App(settings), REFERENCE, caller=ssa_po)
    add_agreement(App(settings), SAVE, caller=ssa_po)
    keys = root / "keys"
    make_keys(keys, "ssa")
    make_keys(keys, "dhs")
    master = write_master(root / "master")
    requests = root / "requests.csv"
    requests.write_text(REQUESTS, encoding="utf-8")
    install_master(settings, master)
    install_host_key(settings, keys / "ssa.key", keys / "ssa.pub")
    accounts.register_key("DHS", keys / "dhs.pub")
    options = SubmitOptions(out_dir=root / "outbox", on=DAY)
    submission = submit_file(
        App(settings, audit=log),
        requests,
        "reference-2025-08",
        caller=dhs_submitter,
        options=options,
        subject=log.subject_key,
        matcher=ScriptedMatcher({"R1": ("match", "P1")}),
    )
    assert submission.package_id is not None, submission
    notice = file_notice(
        App(settings, audit=log),
        "reference-2025-08",
        "fraud-referral",
        "Refer suspected fraud",
        caller=dhs_po,
    )
    incident = open_incident(
        App(settings, audit=log),
        caller=ssa_po,
        category="lost_package",
        scope=Scope.build(packages=[submission.package_id]),
    )
    return World(
        settings,
        accounts,
        log,
        ssa_po,
        ssa_reviewer,
        dhs_submitter,
        dhs_po,
        uscis_all,
        irs_all,
        submission,
        notice,
        incident,
    )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The world above, on SQLite and on PostgreSQL (skipped with the reason when none answers)."""
    root = tmp_path_factory.mktemp("access")
    if request.param == "sqlite":
        yield build(root, f"sqlite:///{root / 'store.sqlite'}")
        return
    reason = _postgres_reason()
    if reason is not None:
        pytest.skip(reason)
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as con:
        con.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield build(root, f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    finally:
        from matchgate.storage.db import dispose_engines

        dispose_engines()  # pooled connections would outlive the schema
        with psycopg.connect(plain, autocommit=True) as con:
            con.execute(f'DROP SCHEMA "{schema}" CASCADE')
