"""The API over the access tests' world (tests/access/world.py): SSA hosts; DHS submitted a file
under ``reference-2025-08``; DHS-USCIS and IRS users hold every role. Each test module gets its
own world (the routes that change things change it); on SQLite (the access tests run the same
services on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.access.world import World, build

from matchgate.api import ApiConfig, create_api
from matchgate.app.core import App
from matchgate.client import Client

ROOMY = ApiConfig(token_rate=10_000, token_burst=10_000, source_rate=10_000, source_burst=10_000)
"""Limits no test meets unless it means to."""


@dataclass
class Served:
    world: World
    app: App
    http: TestClient

    def token(self, user_id: str) -> str:
        return self.world.accounts.tokens[user_id]

    def headers(self, user_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user_id)}"}

    def client(self, user_id: str | None) -> Client:
        return Client(
            "http://testserver", None if user_id is None else self.token(user_id), http=self.http
        )


def serve(world: World, config: ApiConfig = ROOMY) -> Served:
    app = App(world.settings)
    return Served(world, app, TestClient(create_api(app, config)))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root: Path = tmp_path_factory.mktemp("api")
    return build(root, f"sqlite:///{root / 'store.sqlite'}")


@pytest.fixture(scope="module")
def served(world: World) -> Iterator[Served]:
    done = serve(world)
    with done.http:
        yield done
