"""Constrained value types shared by the agreement models.

Cross-field checks raise :class:`PydanticCustomError` whose type is an
:class:`~matchgate.governance.codes.AgreementCode` and whose context may carry ``at``: the field
(``"rescinded"``) or item (``"[2]"``) below the validated object that the problem is about, so the
error message can name the exact path.
"""

from __future__ import annotations

import calendar
from collections.abc import Hashable, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from matchgate.governance.codes import AgreementCode

STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)
"""Every agreement model: no coercion, no unknown fields, immutable once read."""

H = TypeVar("H", bound=Hashable)


def problem(code: AgreementCode, message: str, at: str | None = None) -> PydanticCustomError:
    """A validation problem with a stable code, optionally about a field below the object."""
    context: dict[str, Any] = {} if at is None else {"at": at}
    return PydanticCustomError(str(code), message, context)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise problem(AgreementCode.VALUE_BLANK, "must not be blank")
    return value


def no_duplicates(items: Sequence[H]) -> Sequence[H]:
    """Reject a list that names an item twice, pointing at the second occurrence."""
    seen: set[H] = set()
    for index, item in enumerate(items):
        if item in seen:
            raise problem(AgreementCode.DUPLICATE, "names the same item twice", at=f"[{index}]")
        seen.add(item)
    return items


Text = Annotated[str, StringConstraints(min_length=1, max_length=2000), AfterValidator(_not_blank)]
"""Free text: a title, a description, a citation."""

Slug = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
]
"""Lower-case letters and digits in hyphen-separated words: ``reference-2025-08``."""

AgencyCode = Annotated[
    str, StringConstraints(min_length=2, max_length=16, pattern=r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
]
"""An agency's short code: ``SSA``, ``DHS``, ``DHS-USCIS``."""

Label = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
]
"""A short identifier printed in a notice: a routine use's number, e.g. ``RU-31``."""

_CATEGORY = r"(?:SP-)?[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*"
_DISSEMINATION = (
    r"(?:NOFORN|FED ONLY|FEDCON|NOCON|DL ONLY|ATTORNEY-CLIENT|ATTORNEY-WP"
    r"|(?:REL TO|DISPLAY ONLY) [A-Z]{3}(?:, [A-Z]{3})*)"
)
CUI_BANNER = (
    rf"^CUI(?://{_CATEGORY}(?:/{_CATEGORY})*)?(?://{_DISSEMINATION}(?:/{_DISSEMINATION})*)?$"
)
"""A CUI banner: ``CUI``, then ``//`` categories joined by ``/`` (specified ones prefixed
``SP-``), then optionally ``//`` limited dissemination controls from the CUI Registry, joined by
``/``: ``CUI//SP-PRVCY``, ``CUI//SP-PRVCY/SP-TAX//NOFORN``, ``CUI//SP-PRVCY//REL TO USA, CAN``."""

Marking = Annotated[str, StringConstraints(max_length=200, pattern=CUI_BANNER)]


def unique_items(description: str, *, min_length: int = 1) -> Any:
    """Field metadata for a non-empty list without repeats (``uniqueItems`` in the schema)."""
    return Field(
        min_length=min_length,
        description=description,
        json_schema_extra={"uniqueItems": True},
    )


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the month's end (Aug 31 + 6 = Feb 28/29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
