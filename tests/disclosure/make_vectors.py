"""Write the format version 1 test vectors into tests/disclosure/vectors/ (run once).

    .venv/bin/python -m tests.disclosure.make_vectors [--force]

The committed output is the reference: the test suite opens it on every run, so a reader change
that breaks version 1 fails. Do not regenerate it to make a failing test pass; a format change is
a new version with new vectors beside these. Everything here is synthetic.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

from matchgate.disclosure import (
    ManifestInfo,
    add_to_keyring,
    generate_keypair,
    key_id,
    package_layout,
    read_header,
    seal,
    write_private_key,
    write_public_key,
)
from matchgate.disclosure.crypto import kek_info

VECTORS = Path(__file__).resolve().parent / "vectors"
PACKAGE = "package-v1.mgp"
PASSWORD = b"matchgate-test-vector"
CHUNK_SIZE = 4096
CREATED_AT = datetime(2025, 8, 1, 14, 3, 0, tzinfo=UTC)
INFO = ManifestInfo(
    job_id="job-2025-08-0042",
    agreement_id="SSA-DHS-2025-08",
    agreement_version="1",
    master_snapshot_id="synthetic-master-2025-07-31",
    model_version="fs-hand-set-1",
    policy_version="policy-1",
    counts={"match": 60, "no_match": 30, "possible": 10},
)


def response_csv() -> bytes:
    """100 synthetic response rows (about 6 KB, so the payload spans two 4 KiB chunks)."""
    first = [
        "ANA",
        "WEI",
        "OLUWASEUN",
        "JOSE",
        "MARY",
        "NGUYEN",
        "FATIMA",
        "JOHN",
        "SOO-JIN",
        "IVAN",
    ]
    last = ["GARCIA", "LI", "ADEYEMI", "HERNANDEZ-LOPEZ", "SMITH", "TRAN", "KHAN", "O'BRIEN"]
    lines = ["request_id,decision,person_id,score,first_name,last_name,dob"]
    for i in range(100):
        decision = "match" if i % 10 < 6 else ("no_match" if i % 10 < 9 else "possible")
        shown = decision == "match"
        lines.append(
            ",".join(
                [
                    f"R{i + 1:05d}",
                    decision,
                    f"P{9000000 + i * 37}" if decision != "no_match" else "",
                    f"{0.9 + (i % 10) / 100:.3f}" if decision != "no_match" else "0.012",
                    first[i % len(first)] if shown else "",
                    last[i % len(last)] if shown else "",
                    f"19{50 + i % 50}-0{1 + i % 9}-1{i % 10}" if shown else "",
                ]
            )
        )
    return ("\n".join(lines) + "\n").encode("ascii")


FILES = {
    "response.csv": response_csv(),
    "README.txt": b"Synthetic test vector for the matchgate package format, version 1.\n",
    "withheld.csv": b"",
}


def intermediates(package: Path, recipient: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    """Values a reader computes on the way, from the primitives (not from matchgate's reader)."""
    data = package.read_bytes()
    header = read_header(package)
    layout = package_layout(package)
    point = bytes.fromhex(header.ephemeral_public_key)
    shared = recipient.exchange(
        ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    )
    info = kek_info(header.package_id, header.sender_key_id, header.recipient_key_id, point)
    kek = HKDF(hashes.SHA256(), 32, bytes.fromhex(header.kdf_salt), info).derive(shared)
    data_key = aes_key_unwrap(kek, bytes.fromhex(header.wrapped_key))
    return {
        "ecdh_shared_secret": shared.hex(),
        "hkdf_info": info.decode("ascii"),
        "kek": kek.hex(),
        "data_key": data_key.hex(),
        "header_digest": hashlib.sha256(data[: layout.prologue.end]).hexdigest(),
        "signed_digest": hashlib.sha256(data[: layout.signature.start]).hexdigest(),
    }


def main(force: bool) -> None:
    if (VECTORS / PACKAGE).exists() and not force:
        sys.exit(
            f"{VECTORS / PACKAGE} exists; these vectors are the reference (--force to replace)"
        )
    VECTORS.mkdir(exist_ok=True)
    for old in [*VECTORS.glob("*"), *VECTORS.glob("plain/*")]:
        if old.is_file():
            old.unlink()
    sender, recipient = generate_keypair(), generate_keypair()
    write_private_key(sender, VECTORS / "sender.key")
    write_public_key(sender, VECTORS / "sender.pub")
    write_private_key(recipient, VECTORS / "recipient.key")
    write_private_key(recipient, VECTORS / "recipient-protected.key", PASSWORD)
    write_public_key(recipient, VECTORS / "recipient.pub")
    add_to_keyring(VECTORS / "keyring.json", sender.public_key(), "Synthetic sender signing key")
    package = VECTORS / PACKAGE
    manifest = seal(
        package,
        FILES,
        INFO,
        sender_key=sender,
        recipient_public_key=recipient.public_key(),
        marking="CUI//SP-PRVCY",
        chunk_size=CHUNK_SIZE,
        created_at=CREATED_AT,
    )
    (VECTORS / "plain").mkdir(exist_ok=True)
    for name, content in FILES.items():
        (VECTORS / "plain" / name).write_bytes(content)
    layout = package_layout(package)
    vector = {
        "description": "matchgate package format version 1 test vector (synthetic data)",
        "package": PACKAGE,
        "length": package.stat().st_size,
        "password_of_recipient_protected_key": PASSWORD.decode(),
        "sender_key_id": key_id(sender),
        "recipient_key_id": key_id(recipient),
        "header": read_header(package).model_dump(mode="json"),
        "manifest": manifest.model_dump(mode="json"),
        "layout": {
            "header": [layout.header.start, layout.header.end],
            "manifest": [layout.manifest.start, layout.manifest.end],
            "chunks": [[c.start, c.end] for c in layout.chunks],
            "signature": [layout.signature.start, layout.signature.end],
        },
        "intermediate": intermediates(package, recipient),
    }
    (VECTORS / "vector.json").write_text(json.dumps(vector, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {package} ({vector['length']} bytes) and its keys to {VECTORS}")


if __name__ == "__main__":
    main(force="--force" in sys.argv[1:])
