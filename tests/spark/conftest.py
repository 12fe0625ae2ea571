"""One local[2] Spark session for every Spark test; each module skips, with the reason, without
PySpark."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One JVM per test run: every Spark test goes to the same xdist worker.
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.xdist_group("spark"))


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("no Java runtime (Spark needs Java 17 or later)")
    from matchgate.engines.spark_engine import spark_session

    session = spark_session(
        "local[2]",
        driver_memory="1g",
        shuffle_partitions=4,
        local_dir=tmp_path_factory.mktemp("spark-local"),
    )
    yield session
    session.stop()


@pytest.fixture
def spark_engine(spark: Any) -> Iterator[Any]:
    from matchgate.engines.spark_engine import SparkEngine

    engine = SparkEngine(spark)
    yield engine
    engine.close()
