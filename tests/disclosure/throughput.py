"""Measure seal and open throughput (not a test): ``python -m tests.disclosure.throughput [MB]``.

Seals a random payload of MB megabytes (default 100) read from a file, then opens it three ways:
verify only, verify and decrypt keeping nothing, verify and decrypt into a folder. Prints MB/s
and the peak resident memory.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from matchgate.disclosure import (
    ManifestInfo,
    check_package,
    extract_package,
    generate_keypair,
    seal,
    verify_package,
)


def main(megabytes: int) -> None:
    sender, recipient = generate_keypair(), generate_keypair()
    info = ManifestInfo(
        job_id="bench",
        agreement_id="bench",
        agreement_version="1",
        master_snapshot_id="bench",
        model_version="bench",
        policy_version="bench",
        counts={},
    )
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "payload.bin"
        with open(source, "wb") as handle:
            for _ in range(megabytes):
                handle.write(os.urandom(1 << 20))
        size = source.stat().st_size / 1e6
        package = Path(work) / "p.mgp"
        trusted = [sender.public_key()]
        steps: list[tuple[str, Callable[[], object]]] = [
            (
                "seal",
                lambda: seal(
                    package,
                    {"payload.bin": source},
                    info,
                    sender_key=sender,
                    recipient_public_key=recipient.public_key(),
                    marking="CUI//SP-PRVCY",
                ),
            ),
            ("verify signature", lambda: verify_package(package, trusted_sender_keys=trusted)),
            (
                "open, keep nothing",
                lambda: check_package(
                    package, recipient_key=recipient, trusted_sender_keys=trusted
                ),
            ),
            (
                "open into a folder",
                lambda: extract_package(
                    package,
                    Path(work) / "out",
                    recipient_key=recipient,
                    trusted_sender_keys=trusted,
                ),
            ),
        ]
        for name, step in steps:
            started = time.perf_counter()
            step()
            seconds = time.perf_counter() - started
            print(f"{name:>20}: {seconds:6.2f} s  {size / seconds:7.0f} MB/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{megabytes} MiB payload; peak resident memory {peak:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
