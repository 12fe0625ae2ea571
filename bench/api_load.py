#!/usr/bin/env python3
"""Load on the HTTP API: status polls and package downloads, with locust, on loopback.

It prepares a host workspace on the spot, through the ``matchgate`` command line: the audit
log, the host SSA and its administrator, DHS with a submitter holding ``--tokens`` tokens, a
privacy officer who adds the reference agreement (a copy whose monthly file cap is raised so
that the two uploads below fit, and whose term covers today), a synthetic master (the project's
generator; ``--people``) loaded as the host's snapshot, the host's signing key and DHS's
registered recipient key. Then it starts ``matchgate serve --workers W`` as a process of its own
on 127.0.0.1 (with the rate limits raised so one client address can make this load: the values
are printed), uploads a small file through the API and waits for its package, and runs locust
headless (``bench/api_locust.py``: FastHttpUser, three status polls for each package download,
with the requester's tokens round robin) in two phases:

* ``idle``: nothing else runs on the server;
* ``busy``: while a ``--requests``-row file uploaded through the API is being matched against
  the master by the server's job pool; the job must still be running when the phase ends (its
  state and progress are printed, and recorded in the JSON).

Each phase offers a rate (``--rate`` idle, ``--busy-rate`` busy: by default 10% above the
targets, 500 and 150 requests/s) shared by ``--users`` users (0: each as fast as it can). The
table gives per phase: requests/s achieved, p50, p95, p99 and max (ms, as locust rounds them),
errors, the server's peak RSS (VmHWM summed over the server process and its children), the
cores locust was pinned to (``taskset``) and the machine's load average during the phase; then
whether the phase met its target, the server's CPU time per request and the cores the server
and locust kept busy. Exit status 1 when a request failed or the busy job ended before its
phase, or when the server restarted a worker. All data is synthetic, made on the spot.

    .venv/bin/python bench/api_load.py                       # 1M people, 50k-row busy phase
    .venv/bin/python bench/api_load.py --quick               # a few seconds, idle phase only
    .venv/bin/python bench/api_load.py --json load.json --data DIR   # DIR keeps the synth files
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from matchgate.client import Client

REPO = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "api_locust.py"
AGREEMENT = "reference-2025-08"
TARGETS = {"idle": (500.0, 50.0), "busy": (150.0, 250.0)}
"""The acceptance's figures per phase: at least this many requests/s, with p99 at most this (ms)."""
LIMIT = 1_000_000
"""The rate limits the bench's server runs with (requests/s and bursts, per token and address)."""


def _matchgate() -> str:
    found = Path(sys.executable).with_name("matchgate")
    return str(found) if found.exists() else shutil.which("matchgate") or "matchgate"


class Host:
    """The host's workspace, driven through the command line."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.workspace = root / "ws"
        self.tokens: dict[str, str] = {}
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHGATE_")}
        self.env.update(MATCHGATE_WORKSPACE=str(self.workspace), NO_COLOR="1", TERM="dumb")

    def run(self, *args: str | Path, user: str | None = None) -> str:
        env = dict(self.env)
        if user is not None:
            env["MATCHGATE_TOKEN"] = self.tokens[user]
        done = subprocess.run(
            [_matchgate(), *map(str, args)],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"matchgate {args[0]} {args[1]} exited {done.returncode}")
        return done.stdout


def prepare(host: Host, data: Path, people: int, requests: int, tokens: int) -> None:
    """The host's workspace, with a master of ``people`` loaded (synth files kept in ``data``)."""
    started = time.monotonic()
    if not (data / "master.parquet").exists() or not (data / "requests.csv").exists():
        host.run("synth", "--people", str(people), "--requests", str(requests), "--seed", "23",
                 "--out", data)  # fmt: skip
        print(
            f"  synth {people:,} people, {requests:,} requests: {time.monotonic() - started:.0f} s"
        )
    host.run("audit", "init")
    host.tokens["admin"] = host.run(
        "users",
        "bootstrap",
        "--agency",
        "SSA",
        "--agency-name",
        "SSA (synthetic)",
        "--user",
        "admin",
    ).strip()
    host.run("agencies", "add", "DHS", "--name", "DHS (synthetic)", user="admin")
    host.run("users", "add", "ssa-po", "--agency", "SSA", "--role", "privacy_officer", user="admin")
    host.run(
        "users", "add", "dhs-submitter", "--agency", "DHS", "--role", "submitter", user="admin"
    )
    host.tokens["ssa-po"] = host.run("tokens", "issue", "--user", "ssa-po", user="admin").strip()
    for n in range(tokens):
        issued = host.run("tokens", "issue", "--user", "dhs-submitter", user="admin").strip()
        host.tokens[f"dhs-{n}"] = issued
    document = yaml.safe_load((REPO / "examples" / "agreements" / f"{AGREEMENT}.yaml").read_text())
    document["max_files_per_month"] = 12  # the small file and the big one, more than once a month
    today = dt.datetime.now(dt.UTC).date()
    if dt.date.fromisoformat(str(document["expires"])) <= today:
        document["expires"] = (today + dt.timedelta(days=365)).isoformat()
    agreement = host.root / "agreement.yaml"
    agreement.write_text(yaml.safe_dump(document, sort_keys=False))
    host.run("agreements", "add", agreement, user="ssa-po")
    host.run("host", "init")
    made = host.run("keys", "generate", "--out", host.root / "dhs-keys", "--name", "dhs")
    key_id = made.split("key id:")[1].split()[0]
    host.run("agencies", "keys", "add", "DHS", host.root / "dhs-keys" / "dhs.pub",
             "--fingerprint", key_id, user="admin")  # fmt: skip
    loading = time.monotonic()
    host.run("master", "load", data / "master.parquet")
    print(f"  master load {people:,} people: {time.monotonic() - loading:.0f} s")
    print(f"  workspace ready in {time.monotonic() - started:.0f} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _pinned(cpus: str | None) -> list[str]:
    return ["taskset", "-c", cpus] if cpus else []


def start_server(
    host: Host, port: int, workers: int, cpus: str | None, duckdb_threads: int
) -> subprocess.Popen[bytes]:
    env = dict(host.env)
    env["MATCHGATE_DUCKDB_THREADS"] = str(duckdb_threads)  # 0: all cores (the default)
    for scope in ("TOKEN", "SOURCE"):
        env[f"MATCHGATE_API_{scope}_RATE"] = str(LIMIT)
        env[f"MATCHGATE_API_{scope}_BURST"] = str(LIMIT)
    log = (host.root / "server.log").open("wb")
    command = [
        *_pinned(cpus),
        _matchgate(),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=host.root)
    deadline = time.monotonic() + 60
    with Client(f"http://127.0.0.1:{port}", None) as anonymous:
        while True:
            try:
                anonymous.live()
                return server
            except Exception as exc:
                if server.poll() is not None or time.monotonic() > deadline:
                    log = host.root / "server.log"
                    raise SystemExit(f"the server did not start (see {log})") from exc
                time.sleep(0.2)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by ``root`` and its live descendants."""
    tree, stack, total = _children(), [root], 0
    while stack:
        pid = stack.pop()
        try:
            fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(tree.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(root: int) -> float:
    """VmHWM (peak resident set) of ``root`` and its descendants, summed, in MiB."""
    tree, stack, total = _children(), [root], 0
    while stack:
        pid = stack.pop()
        try:
            for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        stack.extend(tree.get(pid, []))
    return round(total / 1024, 1)


def _percentile(times: dict[float, int], count: int, share: float) -> float:
    """Locust's own percentile over its histogram of rounded response times (ms)."""
    wanted, seen = int(count * share), 0
    for ms in sorted(times, reverse=True):
        seen += times[ms]
        if count - seen <= wanted:
            return ms
    return 0.0


def _figures(entries: list[dict[str, Any]]) -> dict[str, Any]:
    times: dict[float, int] = {}
    for entry in entries:
        for ms, n in entry["response_times"].items():
            times[float(ms)] = times.get(float(ms), 0) + n
    count = sum(e["num_requests"] for e in entries)
    last = max(e["last_request_timestamp"] or 0 for e in entries)
    span = last - min(e["start_time"] for e in entries)
    return {
        "requests": count,
        "errors": sum(e["num_failures"] for e in entries),
        "rps": round(count / span, 1) if span > 0 else 0.0,
        "p50_ms": _percentile(times, count, 0.50),
        "p95_ms": _percentile(times, count, 0.95),
        "p99_ms": _percentile(times, count, 0.99),
        "max_ms": round(max(e["max_response_time"] or 0 for e in entries), 1),
    }


def run_locust(
    server: int,
    url: str,
    job_id: str,
    tokens: list[str],
    prefix: Path,
    args: argparse.Namespace,
    *,
    rate: float,
    until: Callable[[], bool] = lambda: False,
    duration: int | None = None,
) -> dict[str, Any]:
    """One headless locust run of ``duration`` s (default ``args.seconds``; ended early, by SIGTERM,
    when ``until()`` turns true); the aggregated and per-request figures from its JSON
    statistics."""
    length = duration or args.seconds
    env = dict(os.environ)
    env.update(
        LOAD_TOKENS=",".join(tokens),
        LOAD_JOB_ID=job_id,
        LOAD_USER_RATE=str(rate / args.users if rate > 0 else 0),
    )
    stats = prefix.with_suffix(".json")  # --json-file PREFIX writes PREFIX.json
    command = [
        *_pinned(args.generator_cpus), sys.executable, "-m", "locust", "-f", str(LOCUSTFILE),
        "--headless", "-u", str(args.users), "-r", str(args.users), "-t", f"{length}s",
        "--host", url, "--json-file", str(prefix), "--only-summary", "--stop-timeout", "5",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    load = [os.getloadavg()[0]]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = cpu_seconds(server)
    started = time.monotonic()
    ended_early = False
    with prefix.with_suffix(".log").open("wb") as log:
        generator = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=REPO)
        while generator.poll() is None:
            time.sleep(1)
            load.append(os.getloadavg()[0])
            if not ended_early and until():
                ended_early = True
                generator.terminate()
        generator.wait()
    seconds = time.monotonic() - started
    server_cpu = cpu_seconds(server) - server_before
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust, now reaped
    generator_cpu = (children.ru_utime + children.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    entries = json.loads(stats.read_text())
    figures = _figures(entries)
    return {
        **figures,
        "seconds": round(seconds, 1),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(figures["requests"], 1), 2),
        "server_cores_busy": round(server_cpu / seconds, 2),
        "generator_cores_busy": round(generator_cpu / seconds, 2),
        "ended_early": ended_early,
        "by_request": {e["name"]: _figures([e]) for e in entries},
        "load_average_1m": {"min": round(min(load), 2), "max": round(max(load), 2)},
    }


def _job(client: Client, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = client.submission(job_id).get("job") or {}
    return job


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000, help="master size")
    parser.add_argument("--requests", type=int, default=50_000, help="rows of the busy file")
    parser.add_argument("--small", type=int, default=200, help="rows of the polled file")
    parser.add_argument("--seconds", type=int, default=10, help="length of each phase")
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of load before the phases (0: none)"
    )
    parser.add_argument("--users", type=int, default=40, help="locust users")
    parser.add_argument("--rate", type=float, default=550, help="requests/s offered (0: max)")
    parser.add_argument("--busy-rate", type=float, default=165, help="the busy phase's --rate")
    parser.add_argument("--tokens", type=int, default=4, help="bearer tokens the users share")
    parser.add_argument("--workers", type=int, default=4, help="server worker processes")
    parser.add_argument("--generator-cpus", default="1", help="taskset cpu list for locust")
    parser.add_argument("--server-cpus", default=None, help="taskset cpu list for the server")
    parser.add_argument(
        "--duckdb-threads", type=int, default=0, help="the server's DuckDB threads (0: all cores)"
    )
    parser.add_argument("--quick", action="store_true", help="tiny master, 5 s idle phase only")
    parser.add_argument("--data", type=Path, help="keep (or reuse) the synthetic files here")
    parser.add_argument("--keep", action="store_true", help="keep the workspace (and tokens)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if args.seconds < 1 or args.warmup < 0:
        parser.error("--seconds must be at least 1 and --warmup at least 0")
    if args.quick:
        args.people, args.requests, args.small, args.seconds = 2_000, 200, 50, 5
        args.users, args.rate = 10, 0
    if args.generator_cpus in ("", "none") or (os.cpu_count() or 1) < 2:
        args.generator_cpus = None

    root = Path(tempfile.mkdtemp(prefix="matchgate-api-load-"))
    host = Host(root)
    data = args.data or root / "data"
    print(f"preparing the host in {root}")
    prepare(host, data, args.people, args.requests, args.tokens)
    small = root / "small.csv"
    with (data / "requests.csv").open() as source, small.open("w") as out:
        for n, line in enumerate(source):
            if n > args.small:
                break
            out.write(line)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(host, port, args.workers, args.server_cpus, args.duckdb_threads)
    tokens = [v for k, v in host.tokens.items() if k.startswith("dhs-")]
    result: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "platform": sys.platform},
        "server": {"workers": args.workers, "cpus": args.server_cpus or "any",
                   "duckdb_threads": args.duckdb_threads},
        "generator": {"tool": "locust (FastHttpUser)", "cpus": args.generator_cpus or "any",
                      "users": args.users, "tokens": len(tokens)},
        "rate_limits": {f"{scope}_{kind}": LIMIT for scope in ("token", "source")
                        for kind in ("rate", "burst")},
        "people": args.people,
        "phases": [],
    }  # fmt: skip
    print(
        f"serving on {url}: {args.workers} worker(s), cpus {args.server_cpus or 'any'}, "
        f"DuckDB threads {args.duckdb_threads or 'all'}; "
        f"MATCHGATE_API_TOKEN_RATE/BURST and MATCHGATE_API_SOURCE_RATE/BURST = {LIMIT}; "
        f"locust: {args.users} users, {len(tokens)} tokens, cpus {args.generator_cpus or 'any'}"
    )
    try:
        with Client(url, tokens[0]) as dhs:
            job_id = dhs.upload(small, AGREEMENT)["job_id"]
            shown = dhs.wait(job_id, timeout=300)
            if shown["status"] != "disclosed":
                raise SystemExit(f"the small file was not disclosed: {shown['status']}")
            size = (host.workspace / "outbox" / f"{shown['package_id']}.mgp").stat().st_size
            result["polled"] = {"rows": shown["records"], "package_bytes": size}
            print(f"polled job {job_id}: {shown['records']} rows, a package of {size:,} bytes")

            if args.warmup:
                # Each worker's first calls of a route import and build what it uses; a server
                # serves for hours, so the phases measure it warm.
                print(f"warm-up: {args.warmup} s at the idle rate, not measured")
                run_locust(
                    server.pid, url, job_id, tokens, root / "warmup", args,
                    rate=args.rate, duration=args.warmup,
                )  # fmt: skip
            print(f"phase idle: {args.seconds} s at {args.rate or 'max'} requests/s offered")
            idle = run_locust(server.pid, url, job_id, tokens, root / "idle", args, rate=args.rate)
            idle.update(phase="idle", offered_rps=args.rate, peak_rss_mib=peak_rss_mib(server.pid))
            result["phases"].append(idle)
            if not args.quick:
                result["phases"].append(
                    busy_phase(server.pid, dhs, url, job_id, tokens, root, data, args)
                )
                result["phases"][-1]["peak_rss_mib"] = peak_rss_mib(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    # uvicorn's supervisor replaces a worker that does not answer its health check in time
    # (5 s), dropping that worker's connections: a restart is counted, and fails the bench.
    log = (host.root / "server.log").read_text(errors="replace")
    result["server"]["worker_restarts"] = log.count(" died")
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    if args.keep:
        saved = root / "tokens.json"  # to profile the kept host by hand: this host's own secrets
        saved.touch(mode=0o600)
        saved.write_text(json.dumps({"job_id": job_id, **host.tokens}))
        print(f"kept {root} (its tokens in {saved.name})")
    else:
        shutil.rmtree(root, ignore_errors=True)
    errors = sum(p["errors"] for p in result["phases"]) + result["server"]["worker_restarts"]
    busy_ok = all(p.get("job_running_at_end", True) for p in result["phases"])
    return 0 if errors == 0 and busy_ok else 1


def busy_phase(
    server: int,
    dhs: Client,
    url: str,
    job_id: str,
    tokens: list[str],
    root: Path,
    data: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """The load while the big file's job runs: from its start to ``--seconds`` later, or to
    its end if it ends sooner (then ``job_running_at_end`` is false and the bench fails)."""
    big = dhs.upload(data / "requests.csv", AGREEMENT)["job_id"]
    while _job(dhs, big).get("state") == "queued":
        time.sleep(0.2)
    print(
        f"phase busy: {args.seconds} s at {args.busy_rate or 'max'} requests/s offered, while "
        f"job {big} matches {args.requests:,} rows against {args.people:,} people"
    )
    busy = run_locust(
        server,
        url,
        job_id,
        tokens,
        root / "busy",
        args,
        rate=args.busy_rate,
        until=lambda: _job(dhs, big).get("state") != "running",
    )
    job = _job(dhs, big)
    busy.update(phase="busy", offered_rps=args.busy_rate)
    busy["job_at_end"] = {k: job.get(k) for k in ("state", "stage", "done", "total")}
    busy["job_running_at_end"] = job.get("state") == "running" and not busy["ended_early"]
    print(f"  the job at the phase's end ({busy['seconds']} s): {busy['job_at_end']}")
    if not busy["job_running_at_end"]:
        print("  the job ended before the phase: use a bigger master or a shorter --seconds")
    return busy


def report(result: dict[str, Any]) -> None:
    """The table: one line per phase, then one per kind of request."""
    cpus = result["generator"]["cpus"]
    print()
    print(f"{'phase':<9} {'offered':>7} {'req/s':>7} {'p50':>5} {'p95':>5} {'p99':>5} {'max':>6} "
          f"{'errors':>6} {'peak RSS':>9} {'gen cpus':>8} {'load avg':>10}")  # fmt: skip
    for p in result["phases"]:
        load = f"{p['load_average_1m']['min']:.1f}-{p['load_average_1m']['max']:.1f}"
        rows = [(p["phase"], p), *((f"  {n}", f) for n, f in p["by_request"].items())]
        for name, f in rows:
            first = f is p
            offered = f"{p['offered_rps'] or 'max':>7}" if first else " " * 7
            tail = f"{p['peak_rss_mib']:>5.0f} MiB {cpus:>8} {load:>10}" if first else ""
            print(f"{name:<9} {offered} {f['rps']:>7.1f} {f['p50_ms']:>5.0f} {f['p95_ms']:>5.0f} "
                  f"{f['p99_ms']:>5.0f} {f['max_ms']:>6.0f} {f['errors']:>6} {tail}")  # fmt: skip
    for p in result["phases"]:
        rps, p99 = TARGETS[p["phase"]]
        met = p["rps"] >= rps and p["p99_ms"] <= p99 and p["errors"] == 0
        print(
            f"{p['phase']}: target >= {rps:.0f} requests/s with p99 <= {p99:.0f} ms, no errors: "
            f"{'met' if met else 'NOT met'}; {p['requests']:,} requests in {p['seconds']:.0f} s; "
            f"server{' (with the job)' if p['phase'] == 'busy' else ''} "
            f"{p['server_cpu_ms_per_request']:.2f} ms of CPU per request, "
            f"{p['server_cores_busy']:.2f} cores busy; locust {p['generator_cores_busy']:.2f} cores"
        )
    if result["server"]["worker_restarts"]:
        print(f"the server restarted {result['server']['worker_restarts']} worker(s) that hung")
    print("(times in ms, as locust rounds them; peak RSS: VmHWM summed over the server process")
    print(" and its children; load avg: the machine's 1-minute load average during the phase)")


if __name__ == "__main__":
    raise SystemExit(main())
