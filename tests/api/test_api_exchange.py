"""The exchange over HTTP: an upload taken as a job (progress seen while it runs), idempotency,
the upload size limit, the package download (the recipient's only; 410 once purged), a held
file refused and released, recipient keys and the host's public key."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.access.world import World
from tests.api.conftest import ROOMY, Served, serve
from tests.submit.helpers import REQUESTS, ScriptedMatcher

from matchgate.api import ApiConfig
from matchgate.disclosure.keys import key_id, parse_public_key
from matchgate.domain.progress import Progress
from matchgate.settings import Settings

REFERENCE = "reference-2025-08"


class SlowMatcher:
    """The scripted matcher, reporting progress in steps and waiting until released, so a
    test sees the job running."""

    def __init__(self) -> None:
        self.inner = ScriptedMatcher({"R1": ("match", "P1")})
        self.go = threading.Event()

    def __call__(
        self,
        master: Path | None,
        requests: Path,
        output: Path,
        *,
        settings: Settings,
        progress: Progress,
        snapshot: str | None = None,
    ) -> object:
        progress("match", 1, 4)
        self.go.wait(30)
        progress("match", 4, 4)
        return self.inner(
            master, requests, output, settings=settings, progress=progress, snapshot=snapshot
        )


def _file(tmp_path: Path, name: str, extra: str = "") -> Path:
    path = tmp_path / name
    path.write_text(REQUESTS + extra, encoding="utf-8")
    return path


def _upload(served: Served, user: str, data: bytes, key: str | None = None, **params: Any) -> Any:
    headers = {**served.headers(user), "Content-Type": "application/octet-stream"}
    if key is not None:
        headers["Idempotency-Key"] = key
    query = {"agreement": REFERENCE, "filename": "requests.csv", **params}
    return served.http.post("/v1/submissions", content=data, params=query, headers=headers)


@pytest.fixture(scope="module")
def slow(served: Served) -> Iterator[SlowMatcher]:
    matcher = SlowMatcher()
    served.app.matcher = matcher  # type: ignore[attr-defined]
    yield matcher
    matcher.go.set()


@pytest.fixture(scope="module")
def disclosed(served: Served, slow: SlowMatcher) -> dict[str, Any]:
    """DHS's upload of the month, watched while it runs, then disclosed."""
    data = (REQUESTS + "R8,Ann,,Lee,,,1980-02-02,,,,\n").encode()  # not the world's file
    answer = _upload(served, "dhs-submitter", data, key="first-upload")
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]
    assert answer.headers["location"] == f"/v1/submissions/{job_id}"
    dhs = served.client("dhs-submitter")
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = dhs.submission(job_id)["job"]
        seen.append(job)
        if job["stage"] == "match" or job["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    slow.go.set()
    final = dhs.wait(job_id, every=0.05, timeout=30)
    return {"job_id": job_id, "seen": seen, "final": final, "data": data}


def test_an_upload_is_a_job_whose_progress_is_seen_while_it_runs(disclosed: dict[str, Any]) -> None:
    running = [j for j in disclosed["seen"] if j["state"] == "running"]
    assert running, disclosed["seen"]
    assert running[-1] == {
        "state": "running",
        "stage": "match",
        "done": 1,
        "total": 4,
        "code": None,
    }
    final = disclosed["final"]
    assert final["status"] == "disclosed", final
    assert final["job"]["state"] == "done"
    assert final["package_id"]
    assert final["report"]["records"] == 5


def test_the_same_key_and_bytes_answer_the_first_job(
    served: Served, disclosed: dict[str, Any]
) -> None:
    again = _upload(served, "dhs-submitter", disclosed["data"], key="first-upload")
    assert again.status_code == 202
    assert again.json()["job_id"] == disclosed["job_id"]
    other = _upload(served, "dhs-submitter", disclosed["data"] + b"R5,A,,B,,,1950-01-01,,,,\n",
                    key="first-upload")  # fmt: skip
    assert other.status_code == 409
    assert other.json()["code"] == "E_IDEMPOTENCY_KEY"


def test_the_recipient_downloads_its_package(
    served: Served, disclosed: dict[str, Any], tmp_path: Path
) -> None:
    job_id = disclosed["job_id"]
    saved = served.client("dhs-submitter").download_package(job_id, tmp_path)
    assert saved.name == f"{disclosed['final']['package_id']}.mgp"
    outbox = served.world.settings.workspace / "outbox" / saved.name
    assert saved.read_bytes() == outbox.read_bytes()
    raw = served.http.get(f"/v1/submissions/{job_id}/package", headers=served.headers("dhs-po"))
    assert raw.headers["content-type"] == "application/octet-stream"
    assert raw.headers["x-package-id"] == disclosed["final"]["package_id"]
    # the disclosing agency is a party, but the package is the recipient's: as an unknown id
    host = served.http.get(f"/v1/submissions/{job_id}/package", headers=served.headers("ssa-po"))
    unknown = served.http.get(
        f"/v1/submissions/{'0' * 32}/package", headers=served.headers("ssa-po")
    )
    assert host.status_code == unknown.status_code == 404
    assert host.content == unknown.content


def test_a_second_file_of_the_month_is_held_then_refused_or_released(
    served: Served, disclosed: dict[str, Any], tmp_path: Path
) -> None:
    dhs, ssa = served.client("dhs-submitter"), served.client("ssa-po")
    first = _upload(served, "dhs-submitter", _file(tmp_path, "a.csv", "R6,A,,B,,,1950-01-01,,,,\n")
                    .read_bytes())  # fmt: skip
    held = dhs.wait(first.json()["job_id"], every=0.05, timeout=30)
    assert held["status"] == "needs_consultation", held
    refused = ssa.refuse(held["job_id"], "the partner withdrew the request")
    assert refused == {"job_id": held["job_id"], "status": "rejected", "code": "E_HELD_REFUSED"}
    second = _upload(served, "dhs-submitter", _file(tmp_path, "b.csv", "R7,A,,B,,,1950-01-01,,,,\n")
                     .read_bytes())  # fmt: skip
    job_id = second.json()["job_id"]
    assert dhs.wait(job_id, every=0.05, timeout=30)["status"] == "needs_consultation"
    denied = served.http.post(
        f"/v1/submissions/{job_id}/release", json={"agreed": "one more file this month"},
        headers=served.headers("dhs-submitter"),
    )  # fmt: skip
    assert denied.status_code in (403, 404)
    accepted = ssa.release(job_id, "one more file this month")
    assert accepted["job_id"] == job_id
    released = dhs.wait(job_id, every=0.2, timeout=60)
    assert (released["status"], released["job"]["state"]) == ("disclosed", "done"), released


def test_a_dry_run_validates_only(served: Served, slow: SlowMatcher, tmp_path: Path) -> None:
    data = _file(tmp_path, "c.csv", "R9,A,,B,,,1950-01-01,,,,\n").read_bytes()
    answer = _upload(served, "dhs-submitter", data, dry_run=True)
    shown = served.client("dhs-submitter").wait(answer.json()["job_id"], every=0.05, timeout=30)
    assert (shown["status"], shown["dry_run"], shown["package_id"]) == ("validated", True, None)


def test_a_purged_package_answers_410(
    served: Served, disclosed: dict[str, Any], tmp_path: Path
) -> None:
    """The retention run deletes the outbox file (services.oversight.retention); here it is
    deleted as that run would, and the download then says it is gone."""
    outbox = served.world.settings.workspace / "outbox"
    (outbox / f"{disclosed['final']['package_id']}.mgp").unlink()
    answer = served.http.get(
        f"/v1/submissions/{disclosed['job_id']}/package", headers=served.headers("dhs-submitter")
    )
    assert answer.status_code == 410
    assert answer.json()["code"] == "E_PACKAGE_PURGED"


def test_an_upload_over_the_limit_is_refused_and_nothing_is_kept(world: World) -> None:
    small = serve(world, ApiConfig(**{**ROOMY.__dict__, "max_upload_bytes": 64}))
    folder = world.settings.workspace / "api"
    before = sorted(folder.rglob("*"))
    with small.http:
        listed = len(small.client("dhs-submitter").submissions(limit=500))
        streamed = iter([REQUESTS.encode()])  # no Content-Length: counted as it arrives
        headers = {**small.headers("dhs-submitter"), "Content-Type": "application/octet-stream"}
        query = {"agreement": REFERENCE, "filename": "big.csv"}
        for body in (REQUESTS.encode(), streamed):
            answer = small.http.post("/v1/submissions", content=body, params=query, headers=headers)
            assert answer.status_code == 413, answer.text
            assert answer.json()["code"] == "E_TOO_LARGE"
        assert len(small.client("dhs-submitter").submissions(limit=500)) == listed
    uploads = folder / "uploads"
    assert [p for p in sorted(folder.rglob("*")) if p not in before and p != uploads] == []
    assert not uploads.exists() or not any(uploads.iterdir())


def test_recipient_keys_and_the_host_key(served: Served) -> None:
    admin = served.client("admin")
    listed = admin.keys("DHS")
    assert [k["agency"] for k in listed] == ["DHS"]
    host = served.client("dhs-submitter").host_key()
    public = parse_public_key(host["public_key"].encode())
    assert host["key_id"] == key_id(public)
    assert host["key_id"] == key_id(
        parse_public_key((served.world.settings.workspace.parent / "keys" / "ssa.pub").read_bytes())
    )


def test_the_command_line_submits_through_the_client(
    served: Served, slow: SlowMatcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``matchgate submit`` and ``submissions show`` with MATCHGATE_HOST_URL set go through the
    client (here bound to the in-process API) and exit as they would locally."""
    from typer.testing import CliRunner

    from matchgate.cli import remote
    from matchgate.cli.main import app

    monkeypatch.setattr(remote, "client", lambda: served.client("dhs-submitter"))
    env = {
        "MATCHGATE_HOST_URL": "http://testserver",
        "MATCHGATE_TOKEN": served.token("dhs-submitter"),
        "MATCHGATE_WORKSPACE": str(tmp_path / "requester"),
    }
    request = _file(tmp_path, "d.csv", "R10,A,,B,,,1950-01-01,,,,\n")
    cli = CliRunner()
    done = cli.invoke(app, ["submit", str(request), "--agreement", REFERENCE, "--json"], env=env)
    assert done.exit_code == 5, done.output  # the month's file was taken: held, as locally
    shown = json.loads(done.stdout)
    assert shown["status"] == "needs_consultation"
    again = cli.invoke(app, ["submissions", "show", shown["job_id"], "--json"], env=env)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["status"] == "needs_consultation"
    assert not (tmp_path / "requester" / "outbox").exists()
