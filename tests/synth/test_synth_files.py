"""The files a run writes: contract columns, determinism, atomic publication, streaming."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.synth.conftest import WORLD_CHUNK, WORLD_PEOPLE, World, read_csv

from matchgate.domain.contract import REQUEST_COLUMNS, TRUTH_COLUMNS
from matchgate.synth import MASTER_COLUMNS
from matchgate.synth import pipeline as pipeline_module
from matchgate.synth.chunk import DETAIL_COLUMNS, detail_columns
from matchgate.synth.pipeline import generate
from matchgate.synth.tables import RefTables


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_master_has_exactly_the_contract_columns_as_text(world: World) -> None:
    schema = pq.read_schema(world.out / "master.parquet")
    assert tuple(schema.names) == MASTER_COLUMNS
    assert all(t == pa.string() for t in schema.types)
    assert len(world.master) == WORLD_PEOPLE


def test_master_streams_in_row_groups(world: World) -> None:
    meta = pq.ParquetFile(world.out / "master.parquet").metadata
    assert meta.num_row_groups == -(-WORLD_PEOPLE // WORLD_CHUNK)


def test_detail_tables_have_contract_columns(world: World) -> None:
    for name in DETAIL_COLUMNS:
        schema = pq.read_schema(world.out / f"{name}.parquet")
        assert tuple(schema.names) == detail_columns(name)
        assert schema.names[0] == "person_id"
        assert schema.names[-2:] == ["as_of", "source"]
        assert world.details[name], name


def test_request_and_truth_headers(world: World) -> None:
    assert tuple(world.requests[0]) == REQUEST_COLUMNS
    assert tuple(world.truth[0]) == TRUTH_COLUMNS
    assert not list(world.out.glob(".*part"))


def test_same_seed_gives_byte_identical_files(tmp_path: Path, tables: RefTables) -> None:
    for name in ("a", "b"):
        generate(3_000, 400, 21, tmp_path / name, tables=tables, chunk_rows=1_000)
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert first.keys() == {
        "master.parquet",
        "requests.csv",
        "truth.csv",
        *(f"{t}.parquet" for t in DETAIL_COLUMNS),
    }
    assert first == second


def test_another_seed_gives_other_people(tmp_path: Path, tables: RefTables) -> None:
    generate(2_000, 200, 1, tmp_path / "a", tables=tables, details=False)
    generate(2_000, 200, 2, tmp_path / "b", tables=tables, details=False)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a["master.parquet"] != b["master.parquet"]
    assert a["requests.csv"] != b["requests.csv"]
    ssn_a = set(pq.read_table(tmp_path / "a" / "master.parquet").column("ssn").to_pylist())
    ssn_b = set(pq.read_table(tmp_path / "b" / "master.parquet").column("ssn").to_pylist())
    assert len(ssn_a & ssn_b) < 20


def test_details_off_writes_the_same_master_and_requests(tmp_path: Path, tables: RefTables) -> None:
    generate(2_500, 300, 4, tmp_path / "full", tables=tables)
    out = tmp_path / "lean"
    out.mkdir()
    (out / "phones.parquet").write_bytes(b"left by an earlier run")
    generate(2_500, 300, 4, out, tables=tables, details=False)
    full, lean = _files(tmp_path / "full"), _files(out)
    assert set(lean) == {"master.parquet", "requests.csv", "truth.csv"}
    for name in lean:
        assert lean[name] == full[name], name


def test_a_failed_run_leaves_no_partial_files(
    tmp_path: Path, tables: RefTables, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("interrupted")

    monkeypatch.setattr(pipeline_module, "build_requests", broken)
    with pytest.raises(RuntimeError):
        generate(1_500, 100, 3, tmp_path, tables=tables)
    assert list(tmp_path.iterdir()) == []


def test_progress_reports_people_and_requests(tmp_path: Path, tables: RefTables) -> None:
    seen: list[tuple[str, int, int | None]] = []
    generate(
        2_500,
        100,
        3,
        tmp_path,
        tables=tables,
        details=False,
        chunk_rows=1_000,
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    people = [s for s in seen if s[0] == "synth master"]
    assert [d for _, d, _ in people] == [1_000, 2_000, 2_500]
    assert ("synth requests", 100, 100) in seen


def test_truth_file_is_readable_by_the_evaluator(world: World) -> None:
    from matchgate.eval.files import TRUTH_COLUMNS as EVAL_TRUTH

    header = read_csv(world.out / "truth.csv")[0].keys()
    assert set(EVAL_TRUTH) <= set(header)


def test_output_does_not_depend_on_the_process(tmp_path: Path, table_dir: Path) -> None:
    """Another interpreter with another string-hash seed writes the same bytes."""
    script = (
        "import sys; from pathlib import Path; "
        "from matchgate.synth.pipeline import generate; "
        "from matchgate.synth.tables import load_tables; "
        "generate(2_000, 150, 9, Path(sys.argv[1]), tables=load_tables(Path(sys.argv[2])))"
    )
    for name, hash_seed in (("a", "1"), ("b", "2")):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / name), str(table_dir)],
            check=True,
            env=env,
        )
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
