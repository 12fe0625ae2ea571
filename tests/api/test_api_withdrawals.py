"""Withdrawals and witness files over HTTP: the host withdraws a disclosure it made (the SSN in
the body), DHS lists the notice and acknowledges it, an outsider's acknowledgement is refused as
for an unknown id and audited; DHS fetches its witness files and checks them itself (a file
changed on the host's disk is refused), and the command line does both through the client when
MATCHGATE_HOST_URL is set. A module world of its own: a withdrawal changes the accounting."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.access.world import SSN, World
from tests.api.conftest import Served, serve

from matchgate.app.audit import trusted_keys
from matchgate.client import Client, ServerError
from matchgate.client.client import MAX_WITNESS_BYTES
from matchgate.domain.canonical import canonical_json
from matchgate.domain.errors import AccessDenied, NotFound, Refused
from matchgate.services.oversight.audit_queries import tail_entries


@pytest.fixture(scope="module")
def api(world: World) -> Iterator[Served]:
    done = serve(world)
    with done.http:
        yield done


@pytest.fixture(scope="module")
def withdrawn(api: Served) -> dict[str, Any]:
    """The host's privacy officer withdraws the world's one disclosure (a wrong match)."""
    package = api.world.submission.package_id
    done = api.client("ssa-po").withdraw(SSN, "wrong_match", package_id=package)
    return done


def _keys(api: Served) -> Any:
    return trusted_keys([api.world.log.config.signing_public_key_file])


def _witness_folder(api: Served, agency: str) -> Path:
    return api.world.log.config.witness_root / agency


def test_the_host_withdraws_and_the_recipient_is_notified(
    api: Served, withdrawn: dict[str, Any]
) -> None:
    assert withdrawn["notify"] == ["DHS"]
    assert withdrawn["withdraws"], withdrawn
    (notice,) = withdrawn["notices"]
    assert (notice["recipient"], notice["disclosing"], notice["reason"]) == (
        "DHS",
        "SSA",
        "wrong_match",
    )
    assert notice["references"] == [api.world.submission.package_id]
    assert notice["acknowledged_at"] is None
    assert SSN not in json.dumps(withdrawn)
    # a recipient's privacy officer withdraws only what its agency disclosed: here nothing,
    # answered as for a person never disclosed; a submitter may not withdraw at all
    with pytest.raises(Refused) as theirs:
        api.client("dhs-po").withdraw(SSN, "wrong_match")
    with pytest.raises(Refused) as none:
        api.client("ssa-po").withdraw("219-09-9999", "dispute_noted")
    assert theirs.value.code == none.value.code == "E_AUDIT_WITHDRAW"
    assert str(theirs.value) == str(none.value)
    with pytest.raises(AccessDenied):
        api.client("dhs-submitter").withdraw(SSN, "wrong_match")
    refused = api.http.post(
        "/v1/audit/withdrawals",
        json={"ssn": SSN, "reason": "not-a-reason"},
        headers=api.headers("ssa-po"),
    )
    assert refused.status_code == 422
    assert SSN not in refused.text


def test_the_recipient_lists_and_acknowledges_the_notice(
    api: Served, withdrawn: dict[str, Any]
) -> None:
    notice_id = withdrawn["notices"][0]["id"]
    dhs = api.client("dhs-submitter")
    assert [n["id"] for n in dhs.withdrawals()] == [notice_id]
    assert [n["id"] for n in dhs.withdrawals(pending=True)] == [notice_id]
    assert api.client("irs-all").withdrawals() == []
    # an outsider holding every role: the notice answers as a made-up id, and is audited
    outsider = api.headers("irs-all")
    theirs = api.http.post(f"/v1/withdrawals/{notice_id}/ack", headers=outsider)
    made_up = api.http.post(f"/v1/withdrawals/{'0' * 32}/ack", headers=outsider)
    assert theirs.status_code == made_up.status_code == 404
    assert theirs.content == made_up.content
    assert theirs.json()["code"] == "E_WITHDRAWAL_NOTICE_NOT_FOUND"
    denied = [
        v.details
        for v in tail_entries(api.world.log.config, 10_000)
        if v.kind == "access.denied" and v.details.get("object_id") == notice_id
    ]
    assert [(d["action"], d["reason"]) for d in denied] == [("withdrawal.ack", "not_party")]
    done = dhs.acknowledge_withdrawal(notice_id)
    assert (done["id"], done["acknowledged_by"]) == (notice_id, "dhs-submitter")
    assert done["acknowledged_at"] is not None
    assert dhs.withdrawals(pending=True) == []
    with pytest.raises(Refused) as again:
        dhs.acknowledge_withdrawal(notice_id)
    assert again.value.code == "E_WITHDRAWAL_ACKNOWLEDGED"


def test_the_recipient_fetches_its_witness_files_and_checks_them(
    api: Served, tmp_path: Path
) -> None:
    dhs = api.client("dhs-po")
    listed = dhs.witness_files()
    on_disk = sorted(p.name for p in _witness_folder(api, "DHS").iterdir())
    assert [row["name"] for row in listed] == on_disk
    assert all(row["checkpoint_size"] and row["bytes"] for row in listed)
    assert api.client("irs-all").witness_files() == []
    with pytest.raises(AccessDenied):  # audit.read: privacy officers and auditors
        api.client("dhs-submitter").witness_files()
    first = listed[0]["name"]
    assert dhs.witness_file(first) == (_witness_folder(api, "DHS") / first).read_bytes()
    report = dhs.fetch_witness(tmp_path / "kept", _keys(api))
    assert report.ok, report.problems
    assert report.fetched == tuple(on_disk)
    assert report.newest is not None
    assert report.newest.size == listed[-1]["checkpoint_size"]
    again = dhs.fetch_witness(tmp_path / "kept", _keys(api))
    assert (again.ok, again.fetched, again.kept) == (True, (), len(on_disk))


def test_a_witness_name_outside_the_agencys_folder_answers_as_unknown(api: Served) -> None:
    (name,) = sorted(p.name for p in _witness_folder(api, "DHS").iterdir())[:1]
    headers = api.headers("dhs-po")
    unknown = api.http.get(f"/v1/witness/{'f' * 32}-{0:012d}.json", headers=headers)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "E_WITNESS_NOT_FOUND"
    for probe in ("..%2F..%2Fstore.sqlite", "..", "DHS", f"DHS%2F{name}", name.upper()):
        answer = api.http.get(f"/v1/witness/{probe}", headers=headers)
        if (
            answer.status_code != 404
            or answer.headers["content-type"] != "application/problem+json"
        ):
            pytest.fail(f"{probe}: {answer.status_code} {answer.text[:80]}")
        assert answer.json()["code"] in ("E_WITNESS_NOT_FOUND", "E_NOT_FOUND"), probe
    # another agency's file: the outsider asks by its real name, as for a made-up one
    outsider = api.headers("uscis-all")
    theirs = api.http.get(f"/v1/witness/{name}", headers=outsider)
    assert (theirs.status_code, theirs.content) == (unknown.status_code, unknown.content)


def test_a_file_changed_on_the_hosts_disk_is_refused_by_the_client(
    api: Served, tmp_path: Path
) -> None:
    folder = _witness_folder(api, "DHS")
    newest = sorted(folder.iterdir())[-1]
    original = newest.read_bytes()
    changed = _flip_root(original)
    os.chmod(newest, stat.S_IRUSR | stat.S_IWUSR)
    newest.write_bytes(changed)
    try:
        report = api.client("dhs-po").fetch_witness(tmp_path / "kept", _keys(api))
    finally:
        newest.write_bytes(original)
        os.chmod(newest, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    assert not report.ok
    assert newest.name not in report.fetched
    assert any(newest.name in p for p in report.problems), report.problems
    assert not (tmp_path / "kept" / newest.name).exists()


def _flip_root(data: bytes) -> bytes:
    """The file with its checkpoint's root changed by one hex digit (still well formed)."""
    document = json.loads(data)
    root = document["checkpoint"]["root"]
    document["checkpoint"]["root"] = ("1" if root[0] == "0" else "0") + root[1:]
    return (canonical_json(document) + "\n").encode("ascii")


def test_the_command_line_goes_through_the_client(
    api: Served, withdrawn: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``withdrawals list|ack`` and ``audit witness fetch`` without ``--from``, with
    MATCHGATE_HOST_URL set, go through the client (bound here to the in-process API)."""
    from typer.testing import CliRunner

    from matchgate.cli import remote
    from matchgate.cli.main import app

    monkeypatch.setattr(remote, "client", lambda: api.client("dhs-po"))
    env = {
        "MATCHGATE_HOST_URL": "http://testserver",
        "MATCHGATE_TOKEN": api.token("dhs-po"),
        "MATCHGATE_WORKSPACE": str(tmp_path / "requester"),
    }
    cli = CliRunner()
    listed = cli.invoke(app, ["withdrawals", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    (shown,) = json.loads(listed.stdout)
    assert (shown["id"], shown["from"]) == (withdrawn["notices"][0]["id"], "SSA")
    missing = cli.invoke(app, ["withdrawals", "ack", "0" * 32], env=env)
    assert missing.exit_code == 3, missing.output
    assert "E_WITHDRAWAL_NOTICE_NOT_FOUND" in missing.output
    public = api.world.log.config.signing_public_key_file
    kept = tmp_path / "kept"
    fetched = cli.invoke(
        app, ["audit", "witness", "fetch", "--into", str(kept), "--trust", str(public)], env=env
    )
    assert fetched.exit_code == 0, fetched.output
    assert "fetched" in fetched.output
    assert sorted(p.name for p in kept.iterdir()) == sorted(
        p.name for p in _witness_folder(api, "DHS").iterdir()
    )
    local = cli.invoke(
        app,
        ["audit", "witness", "fetch", "--into", str(kept), "--trust", str(public)],
        env={**env, "MATCHGATE_HOST_URL": ""},
    )
    assert local.exit_code == 3, local.output
    assert "--from" in local.output


def test_users_and_tokens_of_another_agency_answer_404_like_unknown_ones(api: Served) -> None:
    outsider = api.headers("uscis-all")  # an administrator, of another agency
    for path in ("/v1/users/{}/revoke", "/v1/tokens/{}/revoke"):
        real = "dhs-submitter" if "users" in path else api.world.dhs_submitter.token_id
        theirs = api.http.post(path.format(real), headers=outsider)
        made_up = api.http.post(path.format("nobody-" + "x" * 8), headers=outsider)
        assert theirs.status_code == made_up.status_code == 404, theirs.text
        assert theirs.content == made_up.content
        assert theirs.json()["code"] in ("E_USER", "E_TOKEN")
    with pytest.raises(NotFound) as found:
        api.client("uscis-all").revoke_user("dhs-submitter")
    assert found.value.code == "E_USER"


def _fake_host(files: dict[str, bytes], listed: list[str]) -> Client:
    """A client of a host that lists ``listed`` and serves ``files`` (a host not to trust)."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/witness":
            return httpx.Response(200, json=[{"name": n} for n in listed])
        name = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, content=files[name])

    http = httpx.Client(base_url="http://host", transport=httpx.MockTransport(answer))
    return Client("http://host", "mgt_fake", http=http)


def test_the_client_takes_no_name_and_no_size_a_witness_file_cannot_have(
    api: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "deep").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "deep"))  # the scratch folder's
    kept = tmp_path / "deep" / "kept"
    evil = _fake_host({"escaped.json": b"{}"}, ["../escaped.json"])
    with pytest.raises(ServerError):
        evil.fetch_witness(kept, _keys(api))
    assert not (tmp_path / "deep" / "escaped.json").exists()
    assert not kept.exists()
    name = f"{'a' * 32}-{1:012d}.json"
    huge = _fake_host({name: b" " * (MAX_WITNESS_BYTES + 1)}, [name])
    with pytest.raises(ServerError):
        huge.witness_file(name)
