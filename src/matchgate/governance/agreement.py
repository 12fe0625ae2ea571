"""The agreement: a written arrangement to disclose records, as matchgate reads it (contract, s. 5).

Days are calendar days in the agency's time zone; every span is half-open: an agreement is in
force on ``effective <= day < expires``, a routine use on ``effective <= day < rescinded``.

Cross-field rules (each an error with its own code; see ``docs/agreements.md``):

* ``expires`` is after ``effective``; a routine use's ``rescinded`` is after its ``effective``;
* the two parties have different codes; routine-use ids and list items are not repeated;
* the allowed request fields include ``first_name`` or ``last_name``;
* every allowed response category is covered, on at least one day of the agreement's term, by a
  routine use naming the recipient and the agreement's purpose. A category covered for only part
  of the term is accepted with a warning (:func:`~matchgate.governance.review.coverage_warnings`):
  SORNs are amended mid-term, and the policy functions refuse the uncovered days;
* for a matching program, the agreement is in force only within the program's term.

Onward use (issue 5, part 6) is not part of the agreement text: a notice of a proposed new use is
filed after the agreement and decided by the disclosing agency. It plugs in through the
``purpose`` argument of the policy functions (:mod:`matchgate.governance.policy`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from matchgate.governance.cmppa import ComputerMatching
from matchgate.governance.codes import AgreementCode
from matchgate.governance.fields import (
    STRICT,
    AgencyCode,
    Label,
    Marking,
    Slug,
    Text,
    no_duplicates,
    problem,
    unique_items,
)
from matchgate.governance.vocabulary import NAME_FIELDS, Category, Channel, Purged, RequestField


class Party(BaseModel):
    """An agency party to the agreement."""

    model_config = STRICT

    code: AgencyCode = Field(
        description="Short code, e.g. SSA; routine uses name recipients by it."
    )
    name: Text = Field(description="The agency's name.")


class Parties(BaseModel):
    """Who discloses and who receives."""

    model_config = STRICT

    disclosing: Party = Field(description="The agency that holds the records and runs matchgate.")
    recipient: Party = Field(description="The agency that requests and receives the records.")

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if self.disclosing.code == self.recipient.code:
            raise problem(
                AgreementCode.PARTIES_SAME,
                "the recipient must be a different agency than the discloser",
                at="recipient.code",
            )
        return self


class SystemOfRecords(BaseModel):
    """The Privacy Act system of records the disclosed records are retrieved from."""

    model_config = STRICT

    name: Text = Field(description="The system's name as its notice (SORN) gives it.")
    number: Text | None = Field(default=None, description="The agency's number for the system.")
    sorn_citation: Text = Field(description="Federal Register citation of the SORN in force.")


class Purpose(BaseModel):
    """Why the recipient asks; routine uses name the purposes they are compatible with."""

    model_config = STRICT

    code: Slug = Field(description="Short name that routine uses refer to.")
    statement: Text = Field(description="The purpose in the agreement's words.")


class RoutineUse(BaseModel):
    """A routine use published in the SORN: a disclosure it allows, and from when."""

    model_config = STRICT

    id: Label = Field(description="The routine use's number in the SORN, e.g. RU-31.")
    description: Text = Field(description="What the routine use allows, in the notice's words.")
    citation: Text = Field(description="Federal Register citation publishing (or amending) it.")
    effective: date = Field(description="First day disclosures may rely on it.")
    rescinded: date | None = Field(
        default=None, description="First day it no longer applies, if rescinded or replaced."
    )
    recipients: Annotated[tuple[AgencyCode, ...], AfterValidator(no_duplicates)] = unique_items(
        "Agency codes of the recipients it covers."
    )
    purposes: Annotated[tuple[Slug, ...], AfterValidator(no_duplicates)] = unique_items(
        "Purpose codes it is compatible with."
    )
    categories: Annotated[tuple[Category, ...], AfterValidator(no_duplicates)] = unique_items(
        "Record categories it allows to be disclosed."
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.rescinded is not None and self.rescinded <= self.effective:
            raise problem(
                AgreementCode.DATE_ORDER, "rescinded must be after effective", at="rescinded"
            )
        return self

    def in_force_on(self, day: date) -> bool:
        """Whether a disclosure on ``day`` may rely on this routine use."""
        return self.effective <= day and (self.rescinded is None or day < self.rescinded)

    def covers(self, recipient: str, purpose: str, category: str) -> bool:
        """Whether it allows disclosing ``category`` to ``recipient`` for ``purpose`` (any day)."""
        return (
            recipient in self.recipients
            and purpose in self.purposes
            and category in self.categories
        )

    def overlaps(self, start: date, end: date) -> bool:
        """Whether it is in force on some day of ``[start, end)``."""
        return self.effective < end and (self.rescinded is None or start < self.rescinded)


def _routine_use_ids_unique(uses: tuple[RoutineUse, ...]) -> tuple[RoutineUse, ...]:
    seen: set[str] = set()
    for index, use in enumerate(uses):
        if use.id in seen:
            raise problem(AgreementCode.DUPLICATE, "repeats a routine use id", at=f"[{index}].id")
        seen.add(use.id)
    return uses


class Fee(BaseModel):
    """What the recipient pays per submission (a file, or a single query); zero is allowed."""

    model_config = STRICT

    amount: Annotated[Decimal, Field(ge=0, decimal_places=2, allow_inf_nan=False)] = Field(
        description="Amount per submission, at most two decimal places."
    )
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(
        description="ISO 4217 code, e.g. USD."
    )


class Retention(BaseModel):
    """How long the disclosing agency keeps a submission's working records, and what it purges."""

    model_config = STRICT

    days: Annotated[int, Field(ge=1, le=36500)] = Field(
        description="Days after a response is released (for a submission that ends without "
        "one: after its last status change) before the listed records are purged by "
        "`matchgate retention run`."
    )
    purge: Annotated[tuple[Purged, ...], AfterValidator(no_duplicates)] = unique_items(
        "What is purged: request_files (the stored original), match_results (the match "
        "output), response_packages (the sealed package in the outbox), review_notes (the "
        "submission's review queue rows). The audit log and the accounting of disclosures are "
        "never purged by this setting."
    )


class Agreement(BaseModel):
    """A written agreement to disclose records from a system of records to another agency."""

    model_config = STRICT

    id: Slug = Field(description="Stable identifier; all versions of an agreement share it.")
    version: Annotated[int, Field(ge=1)] = Field(
        description="Version number; each stored version must be higher than the last."
    )
    title: Text = Field(description="A short title for lists.")
    parties: Parties
    legal_authorities: Annotated[tuple[Text, ...], AfterValidator(no_duplicates)] = unique_items(
        "Statutes authorizing the disclosure, e.g. 42 U.S.C. 1306(a)."
    )
    system_of_records: SystemOfRecords
    routine_uses: Annotated[tuple[RoutineUse, ...], AfterValidator(_routine_use_ids_unique)] = (
        Field(min_length=1, description="The SORN's routine uses this agreement relies on.")
    )
    purpose: Purpose
    channels: Annotated[tuple[Channel, ...], AfterValidator(no_duplicates)] = unique_items(
        "How requests arrive: file (monthly or bulk files), single (one at a time)."
    )
    allowed_request_fields: Annotated[tuple[RequestField, ...], AfterValidator(no_duplicates)] = (
        unique_items("Request columns the requester may send; request_id is always allowed.")
    )
    allowed_response_categories: Annotated[tuple[Category, ...], AfterValidator(no_duplicates)] = (
        unique_items("Record categories that may be disclosed per match.")
    )
    max_records_per_file: Annotated[int, Field(ge=1)] = Field(
        description="Largest request file processed without consultation."
    )
    max_files_per_month: Annotated[int, Field(ge=1)] = Field(
        description="Files per calendar month processed without consultation."
    )
    fee: Fee
    retention: Retention
    effective: date = Field(description="First day the agreement is in force.")
    expires: date = Field(description="First day the agreement is no longer in force.")
    protective_marking: Marking = Field(
        description="CUI banner printed on every response, e.g. CUI//SP-PRVCY."
    )
    computer_matching: ComputerMatching = Field(
        description="The CMPPA matching program, or the exemption relied on."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.expires <= self.effective:
            raise problem(AgreementCode.DATE_ORDER, "expires must be after effective", at="expires")
        if not NAME_FIELDS.intersection(self.allowed_request_fields):
            raise problem(
                AgreementCode.NO_NAME_FIELD,
                "must allow first_name or last_name: every request row needs a name",
                at="allowed_request_fields",
            )
        for index, category in enumerate(self.allowed_response_categories):
            if not any(
                use.covers(self.parties.recipient.code, self.purpose.code, category)
                and use.overlaps(self.effective, self.expires)
                for use in self.routine_uses
            ):
                raise problem(
                    AgreementCode.CATEGORY_UNCOVERED,
                    "no routine use covers this category for the recipient and purpose on any "
                    "day of the agreement's term",
                    at=f"allowed_response_categories[{index}]",
                )
        program = self.computer_matching.matching_program
        if program is not None:
            if self.effective < program.start:
                raise problem(
                    AgreementCode.OUTSIDE_MATCHING_TERM,
                    "the agreement cannot take effect before the matching program starts",
                    at="effective",
                )
            if self.expires > program.end:
                raise problem(
                    AgreementCode.OUTSIDE_MATCHING_TERM,
                    "the agreement cannot outlast the matching program's term (record a renewal "
                    "in a new version, or move expires)",
                    at="expires",
                )
        return self

    @property
    def recipient(self) -> str:
        """The recipient agency's code."""
        return self.parties.recipient.code
