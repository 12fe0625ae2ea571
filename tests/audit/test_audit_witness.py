"""Witnessed checkpoints: written before each release, refused release when they cannot be, the
file format a recipient reads, its fetch with every check, and consistency proofs between any two
of the checkpoints it keeps."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest
from tests.audit.tampering import (
    Clock,
    drop_triggers,
    forget_beyond,
    make_config,
    read_entries,
    rewrite_consistently,
)

from matchgate.app.audit import AuditLog, audit_config, init_audit, open_audit, trusted_keys
from matchgate.audit import (
    AuditEvent,
    AuditUnavailable,
    Checkpoint,
    Disclosure,
    Problem,
    Witnessed,
    fetch_witness,
    kinds,
    read_witness_files,
    sign_checkpoint,
    verify_consistency,
)
from matchgate.audit.witness import write_witness
from matchgate.disclosure.keys import PublicKey, generate_keypair, key_id
from matchgate.domain.errors import ConfigurationError
from matchgate.services.oversight.audit_queries import prove_consistency, verify_audit
from matchgate.settings import Settings

SUBJECT = "ab" * 32


def _log(root: Path) -> AuditLog:
    config = make_config(root, f"sqlite:///{root / 'audit.sqlite'}", every=1000)
    clock = Clock(random.Random(1))
    init_audit(config, clock=clock)
    return open_audit(config, clock=clock)


def _disclosure(recipient: str, package: str) -> AuditEvent:
    return Disclosure(
        actor="svc:disclose",
        agreement="reference-2025-08",
        recipient=recipient,
        purpose="benefit-eligibility",
        routine_uses=("RU-31",),
        package_id=package,
    ).event(["identity"], [SUBJECT])


def _noise(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.append(AuditEvent(kind=kinds.MATCH_RUN, actor="svc:match", details={"rows": i}))


def _release(log: AuditLog, recipient: str, package: str) -> list[str]:
    released: list[str] = []
    log.release_after_audit(_disclosure(recipient, package), lambda: released.append(package))
    return released


def _keys(log: AuditLog) -> dict[str, PublicKey]:
    return trusted_keys([log.config.signing_public_key_file])


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def test_each_release_leaves_a_chained_read_only_file_for_its_recipient(tmp_path: Path) -> None:
    log = _log(tmp_path)
    _noise(log, 3)
    assert _release(log, "DHS", "pkg-1") == ["pkg-1"]
    _noise(log, 5)
    _release(log, "DHS", "pkg-2")
    _release(log, "VA", "pkg-3")
    dhs = _files(log.config.witness_root / "DHS")
    assert [p.name.rsplit("-", 1)[1] for p in dhs] == ["000000000004.json", "000000000010.json"]
    assert len(_files(log.config.witness_root / "VA")) == 1
    first, second = (Witnessed.from_bytes(p.read_bytes()) for p in dhs)
    assert first.previous is None
    assert first.consistency == ()
    assert second.previous == first.checkpoint
    assert second.problems(_keys(log)) == []
    assert verify_consistency(
        4,
        10,
        bytes.fromhex(first.checkpoint.root),
        bytes.fromhex(second.checkpoint.root),
        [bytes.fromhex(h) for h in second.consistency],
    )
    line = dhs[1].read_text()
    assert line.endswith("\n")
    assert line.count("\n") == 1
    assert json.loads(line)["type"] == "matchgate-audit-witness-v1"
    for path in dhs:
        assert not path.stat().st_mode & 0o222
    # Every witnessed checkpoint is also in the host's checkpoint file.
    sizes = {json.loads(x)["size"] for x in log.config.checkpoint_file.read_text().splitlines()}
    assert {4, 10, 11} <= sizes


def test_a_release_that_cannot_be_witnessed_releases_nothing(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.config.witness_root.rmdir()
    log.config.witness_root.write_text("not a folder")  # the witness cannot be written
    released: list[str] = []
    with pytest.raises(AuditUnavailable, match="could not be witnessed"):
        log.release_after_audit(_disclosure("DHS", "pkg-1"), lambda: released.append("pkg-1"))
    assert released == []
    kinds_recorded = [e.kind for e in read_entries(log.config.url)]
    assert kinds_recorded == [kinds.DISCLOSURE_MADE, kinds.RELEASE_FAILED]


@pytest.mark.parametrize("code", ["../x", "DHS\n", "a/b", "-x"])
def test_an_agency_code_that_is_not_a_plain_name_is_not_a_path(tmp_path: Path, code: str) -> None:
    log = _log(tmp_path)
    released: list[str] = []
    with pytest.raises(AuditUnavailable):
        log.release_after_audit(
            _disclosure("DHS", "pkg-1"), lambda: released.append("x"), witness_for=[code]
        )
    assert released == []
    assert not (tmp_path / "x").exists()


def test_a_witness_file_is_never_overwritten(tmp_path: Path) -> None:
    log = _log(tmp_path)
    _release(log, "DHS", "pkg-1")
    (path,) = _files(log.config.witness_root / "DHS")
    held = Witnessed.from_bytes(path.read_bytes())
    write_witness(path.parent, held)  # the same checkpoint again: accepted, nothing written
    other = Witnessed(held.agency, _forged(held.checkpoint, log), None, ())
    with pytest.raises(FileExistsError):
        write_witness(path.parent, other)
    assert Witnessed.from_bytes(path.read_bytes()) == held


def test_a_write_cut_short_leaves_no_torn_witness_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process killed while writing a witness file (here: the write fails half way) leaves
    nothing under the file's name: the log still verifies with the witness folder, and the
    next release of the same checkpoint writes it whole."""
    import os

    from matchgate.audit import witness

    log = _log(tmp_path)
    _release(log, "DHS", "pkg-1")
    (path,) = _files(log.config.witness_root / "DHS")
    held = path.read_bytes()
    path.chmod(0o644)
    path.unlink()
    real_write = os.write

    def torn(fd: int, data: bytes) -> int:
        real_write(fd, data[: len(data) // 2])
        raise OSError("killed mid-write")

    monkeypatch.setattr(witness.os, "write", torn)
    with pytest.raises(OSError, match="killed mid-write"):
        write_witness(path.parent, Witnessed.from_bytes(held))
    monkeypatch.undo()
    assert _files(log.config.witness_root / "DHS") == []
    assert verify_audit(log.config, witness_dirs=[log.config.witness_root]).ok
    write_witness(path.parent, Witnessed.from_bytes(held))
    assert path.read_bytes() == held
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no stray partial file


def _forged(cp: Checkpoint, log: AuditLog) -> Checkpoint:
    from matchgate.disclosure.keys import load_private_key

    key = load_private_key(log.config.signing_key_file)
    return sign_checkpoint(
        log_id=cp.log_id, size=cp.size, root=b"\x07" * 32, time=cp.time, key=key, key_id=cp.key_id
    )


def test_fetch_keeps_checked_copies_and_reports_every_kind_of_tampering(tmp_path: Path) -> None:
    log = _log(tmp_path)
    source = log.config.witness_root / "DHS"
    mine = tmp_path / "mine"
    keys = _keys(log)
    _release(log, "DHS", "pkg-1")
    _noise(log, 2)
    _release(log, "DHS", "pkg-2")
    first = fetch_witness(source, mine, keys)
    assert first.ok
    assert len(first.fetched) == 2
    assert first.kept == 2
    assert first.newest is not None
    assert first.newest.size == 4
    _release(log, "DHS", "pkg-3")
    again = fetch_witness(source, mine, keys)
    assert again.ok
    assert len(again.fetched) == 1
    assert again.kept == 3

    # The host rewrites a file the recipient already keeps.
    kept = _files(source)[0]
    kept.chmod(0o644)
    original = kept.read_bytes()
    rewritten = Witnessed.from_bytes(original)
    kept.write_bytes(Witnessed("DHS", _forged(rewritten.checkpoint, log), None, ()).to_bytes())
    changed = fetch_witness(source, mine, keys)
    assert any("differs from the copy kept" in p for p in changed.problems)
    kept.write_bytes(original)

    # A file signed by a key the recipient does not trust, or that skips a checkpoint.
    _release(log, "DHS", "pkg-4")
    newest = _files(source)[-1]
    held = Witnessed.from_bytes(newest.read_bytes())
    attacker = generate_keypair()
    forged = sign_checkpoint(
        log_id=held.checkpoint.log_id,
        size=held.checkpoint.size,
        root=bytes.fromhex(held.checkpoint.root),
        time=held.checkpoint.time,
        key=attacker,
        key_id=key_id(attacker),
    )
    newest.chmod(0o644)
    newest.write_bytes(Witnessed("DHS", forged, held.previous, held.consistency).to_bytes())
    untrusted = fetch_witness(source, mine, keys)
    assert any("untrusted key" in p for p in untrusted.problems)
    assert untrusted.fetched == ()
    newest.write_bytes(Witnessed("DHS", held.checkpoint, None, ()).to_bytes())
    unchained = fetch_witness(source, mine, keys)
    assert any("does not follow the newest checkpoint kept" in p for p in unchained.problems)
    newest.write_bytes(held.to_bytes())
    assert fetch_witness(source, mine, keys).ok

    # A file the recipient keeps disappears from the host's folder.
    kept.unlink()
    gone = fetch_witness(source, mine, keys)
    assert any("no longer in the witness folder" in p for p in gone.problems)
    # A fresh copy cannot start in the middle of the chain.
    late = fetch_witness(source, tmp_path / "late", keys)
    assert any("no longer holds" in p for p in late.problems)
    assert late.fetched == ()


def test_verify_with_the_witness_names_the_checkpoint_a_rewrite_breaks(tmp_path: Path) -> None:
    log = _log(tmp_path)
    _noise(log, 4)
    _release(log, "DHS", "pkg-1")
    _noise(log, 4)
    mine = tmp_path / "mine"
    assert fetch_witness(log.config.witness_root / "DHS", mine, _keys(log)).ok
    assert verify_audit(log.config, witness_dirs=[mine]).ok
    # A thorough rewrite of entry 2 (re-hashed, head and index rebuilt, host files trimmed).
    url = log.config.url
    entries = read_entries(url)
    entries[2] = dataclasses.replace(entries[2], actor="svc:other")
    drop_triggers(url)
    rewrite_consistently(url, entries, 2)
    forget_beyond(log.config, 1)
    assert verify_audit(log.config).ok  # the host's own files were trimmed to match
    report = verify_audit(log.config, witness_dirs=[mine])
    witnessed = [f for f in report.findings if f.code == Problem.WITNESS]
    (name,) = [p.name for p in _files(mine)]
    assert witnessed
    assert name in witnessed[0].message
    assert "do not have the witnessed root" in witnessed[0].message
    assert report.first_bad is not None
    assert report.first_bad <= 2


def test_an_unreadable_witness_file_is_a_finding(tmp_path: Path) -> None:
    log = _log(tmp_path)
    _release(log, "DHS", "pkg-1")
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "garbage.json").write_text("{not json")
    report = verify_audit(log.config, witness_dirs=[tmp_path / "w"])
    assert [f.code for f in report.findings] == [Problem.WITNESS]
    assert read_witness_files(tmp_path / "w")[0].witnessed is None


def test_a_consistency_proof_between_any_two_kept_checkpoints(tmp_path: Path) -> None:
    log = _log(tmp_path)
    for n in range(4):
        _noise(log, n)
        _release(log, "DHS", f"pkg-{n}")
    mine = tmp_path / "mine"
    assert fetch_witness(log.config.witness_root / "DHS", mine, _keys(log)).ok
    sizes = [Witnessed.from_bytes(p.read_bytes()).checkpoint.size for p in _files(mine)]
    assert len(sizes) == 4
    from matchgate.audit import check_consistency, not_kept

    for old in sizes:
        for new in sizes:
            if old <= new:
                proof = prove_consistency(log.config, old, new)
                assert check_consistency(proof, _keys(log)) == []
                assert not_kept([proof.old, proof.new], mine) == []


def test_the_witness_folder_is_a_setting_and_must_be_writable(tmp_path: Path) -> None:
    default = audit_config(Settings(workspace=tmp_path / "ws"))
    assert default.witness_root == tmp_path / "ws" / "witness"
    moved = audit_config(Settings(workspace=tmp_path / "ws", audit_witness_dir=str(tmp_path / "w")))
    assert moved.witness_root == tmp_path / "w"
    log = _log(tmp_path)
    log.config.witness_root.rmdir()
    log.config.witness_root.write_text("not a folder")
    with pytest.raises(ConfigurationError, match="witness folder"):
        open_audit(log.config)


def test_no_witness_for_a_log_that_does_not_extend_what_the_agency_was_shown(
    tmp_path: Path,
) -> None:
    log = _log(tmp_path)
    _noise(log, 2)
    _release(log, "DHS", "pkg-1")
    url = log.config.url
    entries = read_entries(url)
    entries[0] = dataclasses.replace(entries[0], actor="svc:other")
    drop_triggers(url)
    rewrite_consistently(url, entries, 0)  # history rewritten under the witnessed checkpoint
    released: list[str] = []
    with pytest.raises(AuditUnavailable, match="does not extend the checkpoint last witnessed"):
        log.release_after_audit(_disclosure("DHS", "pkg-2"), lambda: released.append("pkg-2"))
    assert released == []
    assert len(_files(log.config.witness_root / "DHS")) == 1
    # Another agency, shown nothing before, can still be witnessed for.
    assert _release(log, "VA", "pkg-3") == ["pkg-3"]
