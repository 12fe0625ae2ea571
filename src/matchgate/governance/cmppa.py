"""The Computer Matching and Privacy Protection Act section of an agreement (5 U.S.C. 552a(o)).

Either the exchange is a matching program, and the agreement records its Data Integrity Board
approval, its transmittal to Congress and OMB and its term, or it relies on an exemption from the
definition of a matching program, and says which.

Rules checked (all dates are calendar days; a term is the half-open span ``[start, end)``):

* the Board approves the agreement before it is sent to Congress and OMB;
* the program starts at least 30 days after both transmittals (552a(o)(2)(B));
* the initial term is at most 18 months (552a(o)(2)(C));
* at most one renewal, of at most 12 months, approved by the Board within the 3 months before
  the initial term ends, with each party's written certification of compliance (552a(o)(2)(D)).
  A renewal is recorded by adding a new version of the agreement.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, model_validator

from matchgate.governance.codes import AgreementCode
from matchgate.governance.fields import STRICT, Text, add_months, problem

WAITING_DAYS = 30
MAX_INITIAL_MONTHS = 18
MAX_RENEWAL_MONTHS = 12
RENEWAL_WINDOW_MONTHS = 3


class Renewal(BaseModel):
    """The one renewal the Act allows."""

    model_config = STRICT

    approved: date = Field(description="Date the Data Integrity Board approved the renewal.")
    months: Annotated[int, Field(ge=1, le=MAX_RENEWAL_MONTHS)] = Field(
        description="Length of the renewal, at most 12 months, from the initial term's end."
    )
    compliance_certified: Literal[True] = Field(
        description="Each party certified in writing that the program complied with the agreement."
    )


class MatchingProgram(BaseModel):
    """A matching program's approvals and term."""

    model_config = STRICT

    dib_approved: date = Field(description="Date the Data Integrity Board approved the agreement.")
    sent_to_congress: date = Field(description="Date the agreement was sent to Congress.")
    sent_to_omb: date = Field(description="Date the agreement was sent to OMB.")
    federal_register_notice: Text | None = Field(
        default=None, description="Citation of the matching notice in the Federal Register."
    )
    start: date = Field(description="First day of the program's initial term.")
    initial_term_months: Annotated[int, Field(ge=1, le=MAX_INITIAL_MONTHS)] = Field(
        description="Length of the initial term, at most 18 months."
    )
    renewal: Renewal | None = Field(default=None, description="The renewal, once approved.")

    @property
    def initial_end(self) -> date:
        """First day after the initial term."""
        return add_months(self.start, self.initial_term_months)

    @property
    def end(self) -> date:
        """First day after the whole term, renewal included."""
        if self.renewal is None:
            return self.initial_end
        return add_months(self.initial_end, self.renewal.months)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        for sent in ("sent_to_congress", "sent_to_omb"):
            if getattr(self, sent) < self.dib_approved:
                raise problem(
                    AgreementCode.DATE_ORDER,
                    "the agreement cannot be sent before the Data Integrity Board approved it",
                    at=sent,
                )
        if self.start < max(self.sent_to_congress, self.sent_to_omb) + timedelta(WAITING_DAYS):
            raise problem(
                AgreementCode.CMPPA_WAITING_PERIOD,
                "a matching program may start only 30 days after the agreement was sent to "
                "Congress and OMB",
                at="start",
            )
        if self.renewal is not None:
            window_opens = add_months(self.initial_end, -RENEWAL_WINDOW_MONTHS)
            if not window_opens <= self.renewal.approved < self.initial_end:
                raise problem(
                    AgreementCode.CMPPA_RENEWAL_WINDOW,
                    "a renewal must be approved within the 3 months before the initial term ends",
                    at="renewal.approved",
                )
        return self


class Exemption(BaseModel):
    """Why the exchange is not a matching program under the Act."""

    model_config = STRICT

    basis: Text = Field(
        description='The exemption relied on, e.g. "not a matching program: no adverse action '
        'from matching".'
    )
    citation: Text | None = Field(default=None, description="e.g. 5 U.S.C. 552a(a)(8)(B)(iii).")


class ComputerMatching(BaseModel):
    """Exactly one of ``matching_program`` and ``exemption``."""

    model_config = STRICT

    matching_program: MatchingProgram | None = None
    exemption: Exemption | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.matching_program is None) == (self.exemption is None):
            raise problem(
                AgreementCode.CMPPA_CHOICE,
                "give exactly one of matching_program and exemption",
            )
        return self
