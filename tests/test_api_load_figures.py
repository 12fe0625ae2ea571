"""The API load benchmark's arithmetic (bench/api_load.py): its percentiles follow locust's
definition (the largest recorded time with at most ``int(count * share)`` requests faster than
it), over the histograms locust writes with ``--json-file``, merged; its rate is the requests
over the span locust saw them in. The run itself is tests/slow/test_api_load_bench.py. (locust
is not imported here: it patches the standard library with gevent on import.)"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench" / "api_load.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_load", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _entry(times: dict[int, int], failures: int = 0) -> dict[str, object]:
    return {
        "response_times": {str(k): v for k, v in times.items()},  # JSON keys are strings
        "num_requests": sum(times.values()),
        "num_failures": failures,
        "start_time": 1000.0,
        "last_request_timestamp": 1010.0,
        "max_response_time": float(max(times)),
    }


def _by_definition(times: dict[int, int], share: float) -> float:
    allowed = int(sum(times.values()) * share)
    return float(max(r for r in times if sum(n for t, n in times.items() if t < r) <= allowed))


def test_percentiles_follow_locusts_definition_over_merged_histograms() -> None:
    api_load = _bench()
    rng = random.Random(7)
    for _ in range(50):
        a = {rng.choice([3, 5, 8, 13, 40, 90, 250]): rng.randint(1, 400) for _ in range(6)}
        b = {rng.choice([5, 8, 21, 55, 610]): rng.randint(1, 100) for _ in range(4)}
        merged = {k: a.get(k, 0) + b.get(k, 0) for k in a.keys() | b.keys()}
        count = sum(merged.values())
        figures = api_load._figures([_entry(a), _entry(b, failures=2)])
        for name, share in (("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)):
            assert figures[name] == _by_definition(merged, share)
        assert figures["requests"] == count
        assert figures["errors"] == 2
        assert figures["rps"] == round(count / 10.0, 1)
        assert figures["max_ms"] == float(max(merged))


def test_a_slow_tail_shows_in_p99_not_in_p50() -> None:
    figures = _bench()._figures([_entry({10: 98, 200: 2}), _entry({20: 50})])
    assert (figures["p50_ms"], figures["p95_ms"], figures["p99_ms"]) == (10.0, 20.0, 200.0)
    assert figures["rps"] == 15.0
