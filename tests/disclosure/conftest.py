"""Keys and a small package maker shared by the package tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from matchgate.disclosure import ManifestInfo, PrivateKey, generate_keypair, seal

INFO = ManifestInfo(
    job_id="job-2025-08-0001",
    agreement_id="SSA-DHS-2025-08",
    agreement_version="3",
    master_snapshot_id="numident-2025-07-31",
    model_version="fs-0.4",
    policy_version="policy-2025-08-01",
    counts={"match": 2, "possible": 1, "no_match": 4},
)

#: Synthetic response rows; the tamper tests look for these bytes in error messages.
RESPONSE = (
    b"request_id,decision,person_id,first_name,last_name,ssn\n"
    b"R1,match,P100,MARIA,GARCIA-LOPEZ,123456789\n"
    b"R2,no_match,,,,\n"
)


@pytest.fixture(scope="session")
def sender() -> PrivateKey:
    return generate_keypair()


@pytest.fixture(scope="session")
def recipient() -> PrivateKey:
    return generate_keypair()


@pytest.fixture(scope="session")
def stranger() -> PrivateKey:
    return generate_keypair()


MakePackage = Callable[..., Path]


@pytest.fixture
def make_package(tmp_path: Path, sender: PrivateKey, recipient: PrivateKey) -> MakePackage:
    """Seal ``files`` (default: the synthetic response) into a package under tmp_path."""
    counter = iter(range(1_000_000))

    def make(files: Mapping[str, bytes | Path] | None = None, chunk_size: int = 4096) -> Path:
        out = tmp_path / f"package-{next(counter)}.mgp"
        seal(
            out,
            {"response.csv": RESPONSE} if files is None else files,
            INFO,
            sender_key=sender,
            recipient_public_key=recipient.public_key(),
            marking="CUI//SP-PRVCY",
            chunk_size=chunk_size,
        )
        return out

    return make
