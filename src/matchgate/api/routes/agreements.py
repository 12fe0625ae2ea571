"""Agreements: list, show, add from a posted document, suspend, resume
(``services.administration``, as ``matchgate agreements ...`` calls it)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field

from matchgate.api.deps import AppDep, CallerDep
from matchgate.api.links import link, links
from matchgate.api.problems import RESPONSES
from matchgate.api.schemas import In, Moment, Out
from matchgate.services.administration import agreements as service
from matchgate.services.administration import suspensions

router = APIRouter(prefix="/v1/agreements", tags=["agreements"], responses=RESPONSES)


class AgreementListingOut(Out):
    id: str
    latest_version: int
    title: str
    disclosing: str
    recipient: str
    effective: dt.date
    expires: dt.date
    in_force_today: bool
    governing_version: int | None
    suspended: bool


class RefusalOut(Out):
    code: str
    reason: str


class StoredAgreementOut(Out):
    agreement: dict[str, Any] = Field(description="The agreement document as validated.")
    sha256: str
    source_name: str
    added_at: Moment
    versions: list[int]
    warnings: list[str]
    on: dt.date
    in_force: bool
    suspended: bool
    disclosable: list[str]
    refused: dict[str, list[RefusalOut]]


class AgreementDocumentIn(In):
    document: str = Field(min_length=1, description="The agreement's YAML text.")
    source_name: str = Field(
        default="agreement.yaml",
        min_length=1,
        max_length=255,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="A file name to keep with it (messages name it).",
    )


class AgreementAddedOut(Out):
    id: str
    version: int
    title: str
    sha256: str
    stored: bool = Field(description="False when the identical text was already stored.")
    warnings: list[str]


class SuspendIn(In):
    reason: str = Field(min_length=1, max_length=500)


class SuspensionOut(Out):
    agreement_id: str
    suspended: bool


@router.get(
    "",
    response_model=list[AgreementListingOut],
    responses=links(
        200,
        ShowAgreement=link(
            "/v1/agreements/{agreement_id}",
            "get",
            "The first agreement listed.",
            agreement_id="$response.body#/0/id",
        ),
    ),
)
def list_agreements(app: AppDep, caller: CallerDep) -> list[AgreementListingOut]:
    """Stored agreements you may read: latest version, parties, whether one is in force today."""
    rows = service.list_agreements(app, caller=caller)
    return [
        AgreementListingOut(
            id=x.id,
            latest_version=x.latest_version,
            title=x.title,
            disclosing=x.disclosing,
            recipient=x.recipient,
            effective=x.effective,
            expires=x.expires,
            in_force_today=x.in_force,
            governing_version=x.governing_version,
            suspended=x.suspended,
        )
        for x in rows
    ]


@router.get("/{agreement_id}", response_model=StoredAgreementOut)
def show_agreement(
    agreement_id: str,
    app: AppDep,
    caller: CallerDep,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> StoredAgreementOut:
    """One stored version (default: the latest) and what it allows today."""
    stored = service.describe_agreement(app, agreement_id, version, caller=caller)
    return StoredAgreementOut(
        agreement=stored.agreement.model_dump(mode="json"),
        sha256=stored.sha256,
        source_name=stored.source_name,
        added_at=stored.added_at,
        versions=list(stored.versions),
        warnings=list(stored.warnings),
        on=stored.on,
        in_force=stored.in_force,
        suspended=stored.suspended,
        disclosable=sorted(stored.disclosable),
        refused={
            category: [RefusalOut(code=r.code.value, reason=r.reason) for r in reasons]
            for category, reasons in sorted(stored.refusals.items())
        },
    )


@router.post(
    "",
    response_model=AgreementAddedOut,
    status_code=201,
    responses={200: {"model": AgreementAddedOut}},
)
def add_agreement(
    body: AgreementDocumentIn, app: AppDep, caller: CallerDep, response: Response
) -> AgreementAddedOut:
    """Validate an agreement document and store it as a new version (201); identical text
    already stored is kept once (200)."""
    added = service.add_agreement_text(
        app, body.document, source_name=body.source_name, caller=caller
    )
    if not added.stored:
        response.status_code = 200
    return AgreementAddedOut.model_validate(added)


@router.post("/{agreement_id}/suspend", response_model=SuspensionOut)
def suspend(agreement_id: str, body: SuspendIn, app: AppDep, caller: CallerDep) -> SuspensionOut:
    """Suspend an agreement: no submission is taken under it from the next request on."""
    done = suspensions.suspend_agreement(app, agreement_id, body.reason, caller=caller)
    return SuspensionOut.model_validate(done)


@router.post("/{agreement_id}/resume", response_model=SuspensionOut)
def resume(agreement_id: str, app: AppDep, caller: CallerDep) -> SuspensionOut:
    """Lift an agreement's suspension."""
    done = suspensions.resume_agreement(app, agreement_id, caller=caller)
    return SuspensionOut.model_validate(done)
