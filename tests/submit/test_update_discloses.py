"""A master changed by ``master update`` discloses the updated values: the update keeps a
``source/`` copy (the parent's copy with the change file's people upserted, and the address
table given each changed person's new address), so a submit after it reads the new row."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.submit.conftest import Env
from tests.submit.helpers import MASTER, REQUESTS

from matchgate.app.core import App
from matchgate.domain.errors import ConfigurationError
from matchgate.domain.lifecycle import SubmissionStatus
from matchgate.master import store
from matchgate.master.source_copy import UPDATE_SOURCE
from matchgate.services.disclosure.packages import open_package_file
from matchgate.services.master.store import SOURCE, update_master


def _change_file(env: Env) -> Path:
    """Olive Tremont (P1) moved: her row as she now is."""
    header, *rows = MASTER.strip().split("\n")
    (olive,) = [row for row in rows if row.startswith("P1,")]
    moved = olive.replace("1 Main St,Springfield,IL,62701", "42 Lakeview Ter,Joliet,IL,60431")
    assert moved != olive
    path = env.tmp / "changes" / "changes.csv"
    path.parent.mkdir()
    path.write_text(f"{header}\n{moved}\n", encoding="utf-8")
    return path


def _records(env: Env, package: Path) -> dict[str, dict[str, object]]:
    out = env.tmp / f"opened-{package.stem}"
    open_package_file(package, env.keys.recipient, [env.keys.sender_pub], out)
    rows = [json.loads(line) for line in (out / "response.jsonl").read_text().splitlines()]
    return {row["request_id"]: row for row in rows}


def test_a_submit_after_an_update_discloses_the_new_address(env: Env) -> None:
    summary = update_master(App(env.settings), _change_file(env))
    assert summary.replaced == 1
    requests = env.tmp / "requests.csv"
    requests.write_text(REQUESTS, encoding="utf-8")
    result = env.submit(requests)
    assert result.status is SubmissionStatus.DISCLOSED, result
    assert result.package is not None
    by_id = _records(env, result.package)
    olive = by_id["R1"]["records"]
    assert isinstance(olive, dict)
    lines = [item["value"]["address_line"] for item in olive["address"]]
    assert lines[0] == "42 Lakeview Ter"  # the newest first, the earlier ones kept
    assert "1 Main St" in lines
    jane = by_id["R4"]["records"]  # an unchanged person still disclosed from the parent's rows
    assert isinstance(jane, dict)
    assert jane["identity"][0]["value"]["ssn"] == "567891234"


def test_a_snapshot_without_a_source_copy_is_refused_clearly(env: Env) -> None:
    """A snapshot an earlier release's update made (no ``source/``) is still refused by name."""
    current = store.current(env.settings.workspace)
    assert current is not None
    shutil.rmtree(current.path / SOURCE)
    requests = env.tmp / "requests.csv"
    requests.write_text(REQUESTS, encoding="utf-8")
    with pytest.raises(ConfigurationError) as refused:
        env.submit(requests)
    assert current.id in str(refused.value)
    assert "master load" in str(refused.value)
    assert "Tremont" not in str(refused.value)


def test_the_updated_copy_upserts_by_person_id_or_ssn_and_keeps_the_details(env: Env) -> None:
    """Rows are keyed as the index update keys them (person_id, the SSN where there is none): a
    present person is replaced, a new one added; detail tables other than addresses are the
    parent's."""
    header, *rows = MASTER.strip().split("\n")
    (jane,) = [row for row in rows if row.startswith("P5,")]
    renamed = jane.replace(",Doe,", ",Roe,")
    newcomer = ",678-91-2345,Ada,,Lovelace,,1985-12-10,F,Reno,NV,US,US_CITIZEN,,,,,,,"
    changes = env.tmp / "changes" / "changes.csv"
    changes.parent.mkdir()
    changes.write_text(f"{header}\n{renamed}\n{newcomer}\n", encoding="utf-8")
    summary = update_master(App(env.settings), changes)
    copy = summary.snapshot.path / SOURCE
    people = pq.read_table(copy / "master.parquet").to_pylist()
    assert (summary.added, summary.replaced) == (1, 1)
    assert len(people) == 6  # as many as the index holds
    by_ssn = {p["ssn"]: p for p in people}
    assert by_ssn["567-89-1234"]["last_name"] == "Roe"
    assert by_ssn["678-91-2345"]["first_name"] == "Ada"
    assert sorted(p.name for p in copy.iterdir() if p.name.startswith("phones"))
    addresses = pq.read_table(copy / "addresses.parquet").to_pylist()
    assert len(addresses) == 4  # the parent's three, and Jane's (the newcomer has none)
    added = [a for a in addresses if a["source"] == UPDATE_SOURCE]
    assert [(a["person_id"], a["address_line"]) for a in added] == [("P5", "3 Oak Ln")]
