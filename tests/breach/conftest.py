"""The submission fixtures (keys, a master with detail tables, a workspace with the reference
agreement) reused to make real disclosures, and a real audit log beside them."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.submit.conftest import Env, MakeEnv, keys, make_env, master

from matchgate.app.audit import AuditConfig, AuditLog, init_audit, open_audit

__all__ = ["Env", "MakeEnv", "keys", "make_env", "master"]


def real_log(tmp: Path, url: str) -> AuditLog:
    """An audit log in ``url`` (the operational store, as by default), keys and checkpoints in
    ``tmp``."""
    config = AuditConfig(
        url=url,
        checkpoint_dir=tmp / "checkpoints",
        subject_key_file=tmp / "keys" / "audit-subject.hmac",
        signing_key_file=tmp / "keys" / "audit-checkpoint.key",
        checkpoint_every=16,
    )
    init_audit(config)
    return open_audit(config)


@pytest.fixture
def log_for(tmp_path: Path) -> object:
    return lambda url: real_log(tmp_path / "audit", url)
