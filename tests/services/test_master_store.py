"""The loaded master store: load once, probe many; updates as new snapshots; failures leave the
current snapshot intact."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import matchgate.services.master.store as master_service
from matchgate.app.core import App
from matchgate.domain.errors import ConfigurationError, InputError
from matchgate.master import store
from matchgate.services.master.match import match_files
from matchgate.services.master.store import (
    current_snapshot,
    list_snapshots,
    load_master,
    update_master,
)
from matchgate.services.master.synth import synthesize
from matchgate.settings import Settings


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    synthesize(4000, 400, 11, out, details=False)
    return out


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(workspace=tmp_path / "ws")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


DECIDED = ("request_id", "decision", "person_id", "score", "second_person_id", "reasons")


def test_probing_the_store_decides_exactly_as_one_shot(
    world: Path, settings: Settings, tmp_path: Path
) -> None:
    loaded = load_master(App(settings), world / "master.parquet")
    assert loaded.people == 4000
    stored = match_files(None, world / "requests.csv", tmp_path / "s.csv", settings=settings)
    direct = match_files(
        world / "master.parquet", world / "requests.csv", tmp_path / "d.csv", settings=settings
    )
    a, b = _rows(tmp_path / "s.csv"), _rows(tmp_path / "d.csv")
    assert [[r[c] for c in DECIDED] for r in a] == [[r[c] for c in DECIDED] for r in b]
    assert stored.decisions == direct.decisions
    assert stored.decisions["match"] > 300
    assert {r["master_snapshot"] for r in a} == {loaded.snapshot.id}
    assert {r["master_snapshot"] for r in b} == {direct.master_snapshot}
    assert direct.master_snapshot.startswith("file:sha256:")
    manifest = json.loads((loaded.snapshot.path / "manifest.json").read_text())
    assert manifest["people"] == 4000
    assert manifest["parent"] is None
    assert manifest["term_frequencies"] == ["first_c", "last_c"]
    assert len(manifest["source_sha256"]) == 64


def test_update_adds_and_replaces_people_as_a_new_snapshot(
    world: Path, settings: Settings, tmp_path: Path
) -> None:
    first = load_master(App(settings), world / "master.parquet").snapshot
    master = pq.read_table(world / "master.parquet")
    person = master.slice(7, 1).to_pylist()[0]
    renamed = {**person, "last_name": "Quillfeather", "other_names": ""}
    newcomer = {
        **dict.fromkeys(person),
        "person_id": "NEW-1",
        "ssn": "512-34-9876",
        "first_name": "Ottoline",
        "last_name": "Vantablack",
        "dob": "1970-03-04",
    }
    changes = tmp_path / "changes.csv"
    with changes.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(person))
        writer.writeheader()
        writer.writerows([renamed, newcomer])
    summary = update_master(App(settings), changes)
    assert (summary.added, summary.replaced, summary.people) == (1, 1, 4001)
    assert summary.snapshot.manifest["parent"] == first.id
    assert current_snapshot(App(settings)).id == summary.snapshot.id
    assert [s.id for s, _ in list_snapshots(App(settings))] == [first.id, summary.snapshot.id]

    requests = tmp_path / "r.csv"
    requests.write_text(
        "request_id,first_name,last_name,ssn,dob\n"
        f"renamed,{person['first_name']},Quillfeather,{person['ssn']},{person['dob']}\n"
        "new,Ottoline,Vantablack,512349876,1970-03-04\n",
        encoding="utf-8",
    )
    match_files(None, requests, tmp_path / "now.csv", settings=settings)
    now = {r["request_id"]: r for r in _rows(tmp_path / "now.csv")}
    assert (now["new"]["decision"], now["new"]["person_id"]) == ("match", "NEW-1")
    assert (now["renamed"]["decision"], now["renamed"]["person_id"]) == (
        "match",
        person["person_id"],
    )
    # The snapshot an old output names still answers as it did.
    match_files(None, requests, tmp_path / "then.csv", settings=settings, snapshot=first.id)
    then = {r["request_id"]: r for r in _rows(tmp_path / "then.csv")}
    assert then["new"]["decision"] == "no_match"
    # Then the surname disagreed (the person was found by SSN, first name and DOB); now it agrees.
    assert json.loads(then["renamed"]["weights"])["surname"] < 0
    assert json.loads(now["renamed"]["weights"])["surname"] > 0
    assert {r["master_snapshot"] for r in then.values()} == {first.id}


def test_a_failed_load_leaves_the_current_snapshot_intact(
    world: Path, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_master(App(settings), world / "master.parquet").snapshot
    bad = tmp_path / "bad.csv"
    bad.write_text("person_id,first_name\nP1,Ann\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_master(App(settings), bad)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(master_service, "store_master", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_master(App(settings), world / "master.parquet")
    assert current_snapshot(App(settings)).id == first.id
    assert [s.id for s, _ in list_snapshots(App(settings))] == [first.id]
    building = store.root(settings.workspace) / "building"
    assert not any(building.iterdir())


def test_matching_without_a_loaded_master_says_how_to_load_one(
    world: Path, settings: Settings, tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError, match="matchgate master load"):
        match_files(None, world / "requests.csv", tmp_path / "o.csv", settings=settings)
    load_master(App(settings), world / "master.parquet")
    with pytest.raises(ConfigurationError, match="not a snapshot id"):
        match_files(
            None, world / "requests.csv", tmp_path / "o.csv", settings=settings, snapshot="../x"
        )
    with pytest.raises(ConfigurationError, match="no master snapshot"):
        current_snapshot(App(settings), "20200101T000000Z-00000000")
    assert not (tmp_path / "o.csv").exists()


def test_the_current_snapshot_cannot_be_removed_but_an_old_one_can(
    world: Path, settings: Settings, tmp_path: Path
) -> None:
    first = load_master(App(settings), world / "master.parquet").snapshot
    csv_master = tmp_path / "master.csv"
    pacsv.write_csv(pq.read_table(world / "master.parquet"), csv_master)
    second = load_master(App(settings), csv_master).snapshot
    with pytest.raises(ConfigurationError, match="is current"):
        master_service.remove_snapshot(App(settings), second.id)
    master_service.remove_snapshot(App(settings), first.id)
    assert [s.id for s, _ in list_snapshots(App(settings))] == [second.id]
    assert second.manifest["source"] == "master.csv"


def test_a_snapshot_indexed_by_another_engine_version_must_be_reloaded(
    world: Path, settings: Settings, tmp_path: Path
) -> None:
    snapshot = load_master(App(settings), world / "master.parquet").snapshot
    manifest = snapshot.path / "manifest.json"
    data = json.loads(manifest.read_text())
    data["engine_version"] = "0.0.1"
    manifest.write_text(json.dumps(data))
    with pytest.raises(ConfigurationError, match="load the master again"):
        match_files(None, world / "requests.csv", tmp_path / "o.csv", settings=settings)


def test_a_damaged_snapshot_is_named_and_nothing_is_written(
    world: Path, settings: Settings, tmp_path: Path
) -> None:
    snapshot = load_master(App(settings), world / "master.parquet").snapshot
    (snapshot.indexes / "first_dob.pid.npy").unlink()
    with pytest.raises(ConfigurationError, match=r"damaged \(indexes/first_dob.pid.npy is missing"):
        match_files(None, world / "requests.csv", tmp_path / "o.csv", settings=settings)
    assert not (tmp_path / "o.csv").exists()


def test_load_then_update_decides_as_loading_the_changed_master(
    world: Path, settings: Settings, tmp_path: Path
) -> None:
    master = pq.read_table(world / "master.parquet")
    rows = master.to_pylist()
    changed = [{**r, "last_name": r["last_name"] + "-Okafor"} for r in rows[100:130]]
    added = [
        {**r, "person_id": f"NEW-{i}", "ssn": f"6{i:02d}-12-{3456 + i}", "dob": "1999-12-31"}
        for i, r in enumerate(rows[500:520])
    ]
    changes = tmp_path / "changes.parquet"
    pq.write_table(pa.Table.from_pylist(changed + added, schema=master.schema), changes)
    whole = tmp_path / "whole.parquet"
    pq.write_table(
        pa.Table.from_pylist(rows[:100] + changed + rows[130:] + added, schema=master.schema),
        whole,
    )
    load_master(App(settings), world / "master.parquet")
    update_master(App(settings), changes)
    match_files(None, world / "requests.csv", tmp_path / "updated.csv", settings=settings)
    fresh = Settings(workspace=tmp_path / "fresh")
    load_master(App(fresh), whole)
    match_files(None, world / "requests.csv", tmp_path / "fresh.csv", settings=fresh)
    a, b = _rows(tmp_path / "updated.csv"), _rows(tmp_path / "fresh.csv")
    assert [[r[c] for c in DECIDED] for r in a] == [[r[c] for c in DECIDED] for r in b]


def test_snapshots_published_in_one_second_are_listed_in_publication_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Snapshot ids carry the second only; two published within it (a load, then an update of a
    small master) are listed oldest first even when the random part sorts the other way."""
    import datetime as dt
    import uuid

    suffixes = iter(["ffffffff", "00000000"])
    monkeypatch.setattr(store.uuid, "uuid4", lambda: uuid.UUID(next(suffixes) + "0" * 24))
    second = dt.datetime(2026, 12, 2, 18, 5, 34, tzinfo=dt.UTC)
    published = []
    for _ in range(2):
        building = store.begin(tmp_path, now=second)
        published.append(store.publish(tmp_path, building, {"people": 1}).id)
    assert published[0] > published[1]  # the ids alone would list the second one first
    assert [s.id for s in store.snapshots(tmp_path)] == published


def test_a_snapshot_id_never_looks_like_an_a_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The id goes into audit events, which refuse text shaped like an SSN or A-number: a random
    suffix such as ``a3017236`` is drawn again."""
    import uuid

    from matchgate.domain.personal import looks_personal

    suffixes = iter(["a3017236", "b3017236"])
    monkeypatch.setattr(store.uuid, "uuid4", lambda: uuid.UUID(next(suffixes) + "0" * 24))
    building = store.begin(tmp_path)
    assert building.id.endswith("-b3017236")
    assert not looks_personal(building.id)
