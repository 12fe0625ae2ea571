"""A small typed client of the HTTP API, on httpx (docs/api.md).

``Client.from_env()`` reads the base URL from ``MATCHGATE_HOST_URL`` and the token from
``MATCHGATE_TOKEN``; each method is one route and returns its JSON answer; an error answer is
raised as the matchgate exception its problem's code names (:mod:`matchgate.client.errors`).
"""

from matchgate.client.client import Client
from matchgate.client.errors import ServerError, error_from_problem

__all__ = ["Client", "ServerError", "error_from_problem"]
