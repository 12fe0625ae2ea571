"""The locust user of bench/api_load.py: a requesting agency following its submission.

Each simulated user holds one of the requester's bearer tokens (round robin over
``LOAD_TOKENS``, comma-separated) and, at ``LOAD_USER_RATE`` requests per second (0: as fast as
it can), polls ``GET /v1/submissions/{job_id}`` three times for each download of
``GET /v1/submissions/{job_id}/package``. A poll counts as an error unless it answers 200 with
the job's id; a download unless it answers 200 with the package's bytes and ids. Run by
bench/api_load.py (``locust -f bench/api_locust.py --headless ...``); not a test.
"""

from __future__ import annotations

import itertools
import os

from locust import FastHttpUser, constant, constant_throughput, task

TOKENS = [t for t in os.environ.get("LOAD_TOKENS", "").split(",") if t]
JOB_ID = os.environ.get("LOAD_JOB_ID", "")
USER_RATE = float(os.environ.get("LOAD_USER_RATE", "0"))
_next_token = itertools.count()


class Requester(FastHttpUser):
    """Polls its job's status and downloads its package, with a bearer token."""

    wait_time = constant_throughput(USER_RATE) if USER_RATE > 0 else constant(0)

    def on_start(self) -> None:
        token = TOKENS[next(_next_token) % len(TOKENS)]
        self.auth = {"Authorization": f"Bearer {token}"}

    @task(3)
    def status(self) -> None:
        with self.client.get(
            f"/v1/submissions/{JOB_ID}", headers=self.auth, name="status", catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}")
            elif f'"job_id":"{JOB_ID}"' not in (answer.text or ""):
                answer.failure("the answer does not name the job")

    @task(1)
    def package(self) -> None:
        with self.client.get(
            f"/v1/submissions/{JOB_ID}/package",
            headers=self.auth,
            name="package",
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}")
            elif not answer.content or not answer.headers.get("X-Package-SHA256"):
                answer.failure("no package bytes or digest")
