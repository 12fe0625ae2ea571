"""The base classes of every request and response schema.

Requests refuse fields they do not list; responses are built field by field from the use
case's result (``response_model`` on every route), so a field not listed here cannot leave.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


class In(BaseModel):
    """A request body: unknown fields are refused (422 E_REQUEST)."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """A response body: only the fields it lists, read from the result's attributes."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes for what was stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


Moment = Annotated[dt.datetime, AfterValidator(_aware)]
"""A moment in a response: always with its offset (RFC 3339 ``date-time``)."""
