#!/usr/bin/env python3
"""CPU time per request of the API's load mix, in process: a figure that does not move with
the machine's load as requests/s do.

It drives the ASGI application of one worker (``matchgate.api.asgi.application``, the App and
API ``matchgate serve`` builds) directly, without a socket or an HTTP parser, with the mix of
``bench/api_locust.py``: three status polls (``GET /v1/submissions/{job_id}``) for each
package download (``GET /v1/submissions/{job_id}/package``), ``--concurrency`` requests in
flight at a time. It prints the process's CPU time (user + system, all threads: the worker
threads the framework hands work to included) per request, per kind and for the mix; with
``--profile FILE`` it also writes a cProfile of the mix. Each answer is checked (200, the job's
id or the package's digest); a wrong one stops it.

It needs a host prepared by ``bench/api_load.py --quick --keep`` (the folder it names, holding
``ws/`` and ``tokens.json``):

    .venv/bin/python bench/api_load.py --quick --keep
    .venv/bin/python bench/api_cpu.py KEPT_FOLDER [--requests 4000] [--profile mix.prof]

uvicorn's own share (the HTTP parsing and the socket) is not in these figures: compare the
``server ms of CPU per request`` of ``bench/api_load.py`` for the whole.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import time
from pathlib import Path
from typing import Any

LIMIT = "1000000"


async def _call(api: Any, path: str, token: str) -> tuple[int, dict[str, str], bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"accept", b"*/*"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    status, headers, body = 0, {}, bytearray()
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            headers.update({k.decode(): v.decode() for k, v in message.get("headers", [])})
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await api(scope, receive, send)
    return status, headers, bytes(body)


async def _mix(api: Any, job_id: str, tokens: list[str], requests: int, width: int) -> None:
    kinds = ["status", "status", "status", "package"]
    queue = iter(range(requests))

    async def one_user(n: int) -> None:
        for i in queue:
            kind = kinds[i % 4]
            token = tokens[(n + i) % len(tokens)]
            path = f"/v1/submissions/{job_id}" + ("/package" if kind == "package" else "")
            status, headers, body = await _call(api, path, token)
            if status != 200:
                raise SystemExit(f"{kind}: status {status}: {body[:300]!r}")
            if kind == "status" and f'"job_id":"{job_id}"'.encode() not in body:
                raise SystemExit("a status answer does not name the job")
            if kind == "package" and not headers.get("x-package-sha256"):
                raise SystemExit("a package answer has no digest")

    await asyncio.gather(*(one_user(n) for n in range(width)))


def _measure(api: Any, job_id: str, tokens: list[str], requests: int, width: int) -> float:
    """CPU ms per request of ``requests`` requests of the mix."""
    cpu = time.process_time()
    asyncio.run(_mix(api, job_id, tokens, requests, width))
    return (time.process_time() - cpu) * 1000 / requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kept", type=Path, help="a folder kept by bench/api_load.py --keep")
    parser.add_argument("--requests", type=int, default=4000, help="requests of the mix")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds (min and median)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of one round here")
    args = parser.parse_args(argv)

    saved = json.loads((args.kept / "tokens.json").read_text())
    job_id = saved["job_id"]
    tokens = [v for k, v in saved.items() if k.startswith("dhs-")]
    os.environ["MATCHGATE_WORKSPACE"] = str(args.kept / "ws")
    for scope in ("TOKEN", "SOURCE"):
        os.environ[f"MATCHGATE_API_{scope}_RATE"] = LIMIT
        os.environ[f"MATCHGATE_API_{scope}_BURST"] = LIMIT
    os.environ.pop("MATCHGATE_TOKEN", None)

    import logging

    from matchgate.api.asgi import application

    api = application()
    logging.getLogger("matchgate.api.access").handlers.clear()
    logging.getLogger("matchgate.api.access").addHandler(logging.NullHandler())

    _measure(api, job_id, tokens, 200, args.concurrency)  # warm up: imports, pools, caches
    rounds = sorted(
        _measure(api, job_id, tokens, args.requests, args.concurrency) for _ in range(args.rounds)
    )
    print(
        f"mix (3 polls : 1 download), {args.requests} requests x {args.rounds} rounds, "
        f"{args.concurrency} in flight: CPU ms per request min {rounds[0]:.3f}, "
        f"median {rounds[len(rounds) // 2]:.3f}"
    )
    if args.profile:
        profiler = cProfile.Profile(time.thread_time)  # CPU, not wall time
        profiler.enable()
        _measure(api, job_id, tokens, args.requests, args.concurrency)
        profiler.disable()
        profiler.dump_stats(str(args.profile))
        print(f"profile of one round (CPU time of the event loop's thread only) in {args.profile}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
