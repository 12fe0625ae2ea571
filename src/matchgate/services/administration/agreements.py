"""Use cases for agreements: add a version, list them, show one, find the one governing a day.

Stored text is the record: an agreement is always re-read from the exact YAML that was added,
through the same validation, so what is shown is what was approved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from matchgate.access import Action, Parties, Principal, readable
from matchgate.app.access import require, require_object
from matchgate.app.core import App
from matchgate.domain.agreements import AgreementVersion
from matchgate.domain.errors import InputError, NotFound
from matchgate.governance import (
    Agreement,
    AgreementCode,
    AgreementSource,
    Category,
    Refusal,
    coverage_warnings,
    disclosable_categories,
    governing_version,
    in_force,
    parse_agreement,
    read_agreement_file,
    refusal_reasons,
    sha256_text,
)
from matchgate.governance.loading import MAX_BYTES as MAX_AGREEMENT_BYTES
from matchgate.storage import access as access_store
from matchgate.storage import agreements as store


class AgreementNotFound(NotFound):
    """No agreement, or no such version of it, is stored."""

    code = AgreementCode.NOT_FOUND

    def __init__(self, agreement_id: str, version: int | None = None) -> None:
        what = agreement_id if version is None else f"{agreement_id} version {version}"
        super().__init__(f"no stored agreement {what}")


@dataclass(frozen=True)
class AddedAgreement:
    """What ``add`` did: ``stored`` is False when the identical text was already stored."""

    id: str
    version: int
    title: str
    sha256: str
    stored: bool
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class AgreementListing:
    """One line of ``list``: an agreement's latest version, and which version governs today."""

    id: str
    latest_version: int
    title: str
    disclosing: str
    recipient: str
    effective: dt.date
    expires: dt.date
    governing_version: int | None
    suspended: bool = False

    @property
    def in_force(self) -> bool:
        """Whether some version is in force on the day the listing was made for."""
        return self.governing_version is not None


@dataclass(frozen=True)
class StoredAgreement:
    """A stored version with its provenance, and what it allows on one day (``on``)."""

    agreement: Agreement
    sha256: str
    source_name: str
    added_at: dt.datetime
    versions: tuple[int, ...]
    warnings: tuple[str, ...]
    on: dt.date
    in_force: bool
    disclosable: frozenset[Category]
    refusals: dict[Category, tuple[Refusal, ...]]
    """Every category not disclosable on ``on``, with each reason."""
    suspended: bool = False
    """Whether disclosures under it are suspended (``matchgate agreements suspend``)."""


@dataclass(frozen=True)
class _Span:
    version: int
    effective: dt.date
    expires: dt.date


def _spans(versions: Sequence[AgreementVersion]) -> list[_Span]:
    return [_Span(v.version, v.effective, v.expires) for v in versions]


def agreement_parties(app: App, agreement_id: str) -> Parties | None:
    """The two agencies an agreement (and everything under it) belongs to; None if unknown."""
    with app.unit_of_work() as s:
        found = store.parties_of(s, agreement_id)
        return None if found is None else Parties(*found)


def require_agreement(
    app: App,
    caller: Principal,
    action: Action,
    agreement_id: str,
) -> Principal:
    """The caller, re-read, if they may do ``action`` under the agreement; an agreement of
    other agencies is reported exactly as one that does not exist."""
    audit = app.refusal_audit()
    return require_object(
        app.settings,
        caller,
        action,
        agreement_parties(app, agreement_id),
        missing=lambda: AgreementNotFound(agreement_id),
        object_id=agreement_id,
        audit=audit,
    )


def readable_agreements(app: App, caller: Principal, action: Action) -> set[str]:
    """Ids of the agreements whose objects the caller may ``action`` (after ``require``)."""
    with app.unit_of_work() as s:
        return {
            latest.agreement_id
            for latest in store.latest_versions(s)
            if readable(caller, action, Parties(latest.disclosing, latest.recipient))
        }


def is_suspended(app: App, agreement_id: str) -> bool:
    with app.unit_of_work() as s:
        return bool(access_store.active_suspensions(s, agreement_id))


def add_agreement(app: App, path: Path, *, caller: Principal) -> AddedAgreement:
    """Validate an agreement file and store it as a new version of its id.

    The same text added again is recognized and not stored twice. Otherwise its version must be
    higher than every stored version of the id, and it must name the same two agencies. The
    recipient agency must be registered (``agencies add``) first: an agreement with an agency
    the host does not know could never be used, and would hide a mistyped code.
    """
    require(app.settings, caller, Action.AGREEMENT_ADD)
    return _add(app, read_agreement_file(path), str(path), path.name, caller)


def add_agreement_text(
    app: App, text: str, *, source_name: str, caller: Principal
) -> AddedAgreement:
    """``add_agreement`` for a document received as text (the HTTP API's upload); messages name
    ``source_name`` where a file's would name its path."""
    require(app.settings, caller, Action.AGREEMENT_ADD)
    if len(text.encode("utf-8")) > MAX_AGREEMENT_BYTES:
        raise InputError(
            "the document is larger than 1 MiB", path=source_name, code=AgreementCode.FILE_TOO_LARGE
        )
    source = AgreementSource(parse_agreement(text, source=source_name), text, sha256_text(text))
    return _add(app, source, source_name, source_name, caller)


def _add(
    app: App, source: AgreementSource, where: str, name: str, caller: Principal
) -> AddedAgreement:
    agreement = source.agreement
    parties = Parties(agreement.parties.disclosing.code, agreement.parties.recipient.code)
    require_object(
        app.settings,
        caller,
        Action.AGREEMENT_ADD,
        parties,
        missing=_no_agency,
        object_id=agreement.id,
    )
    stored_parties = agreement_parties(app, agreement.id)
    if stored_parties is not None and stored_parties != parties:
        require_object(
            app.settings,
            caller,
            Action.AGREEMENT_ADD,
            stored_parties,
            missing=lambda: _id_taken(agreement.id, where),
            object_id=agreement.id,
        )
    added = AddedAgreement(
        id=agreement.id,
        version=agreement.version,
        title=agreement.title,
        sha256=source.sha256,
        stored=True,
        warnings=coverage_warnings(agreement),
    )
    with app.unit_of_work() as s:
        versions = store.versions_of(s, agreement.id)
        for stored in versions:
            if stored.sha256 == source.sha256:
                return replace(added, stored=False)
        if versions:
            _check_succession(versions, agreement, where)
        recipient = agreement.parties.recipient.code
        if access_store.get_agency(s, recipient) is None:
            raise InputError(
                f"the recipient agency {recipient} is not registered; register it first "
                f"(matchgate agencies add {recipient} --name NAME)",
                path=where,
                field="parties.recipient.code",
                code=AgreementCode.INVALID,
            )
        try:
            store.add_version(
                s,
                AgreementVersion(
                    agreement_id=agreement.id,
                    version=agreement.version,
                    title=agreement.title,
                    disclosing=agreement.parties.disclosing.code,
                    recipient=agreement.parties.recipient.code,
                    effective=agreement.effective,
                    expires=agreement.expires,
                    source_name=name[:255],
                    sha256=source.sha256,
                    text=source.text,
                    added_at=dt.datetime.now(dt.UTC),
                ),
            )
        except store.VersionTaken:
            raise InputError(
                f"version {agreement.version} of {agreement.id} was stored by another writer "
                "meanwhile",
                path=where,
                field="version",
                code=AgreementCode.VERSION_CONFLICT,
            ) from None
    return added


def _no_agency() -> Exception:
    return InputError(
        "you may add agreements only where your agency is the disclosing party",
        field="parties",
        code=AgreementCode.PARTIES_CHANGED,
    )


def _id_taken(agreement_id: str, where: str) -> Exception:
    return InputError(
        f"the id {agreement_id} is taken by another agreement; give this one its own id",
        path=where,
        field="id",
        code=AgreementCode.PARTIES_CHANGED,
    )


def _check_succession(
    versions: Sequence[AgreementVersion],
    agreement: Agreement,
    where: str,
) -> None:
    latest = versions[-1]
    if any(stored.version == agreement.version for stored in versions):
        raise InputError(
            f"version {agreement.version} of {agreement.id} is already stored with different "
            "content; give the changed agreement a higher version",
            path=where,
            field="version",
            code=AgreementCode.VERSION_CONFLICT,
        )
    if agreement.version < latest.version:
        raise InputError(
            f"version {agreement.version} is lower than the stored version {latest.version} of "
            f"{agreement.id}",
            path=where,
            field="version",
            code=AgreementCode.VERSION_NOT_INCREASING,
        )
    parties = (agreement.parties.disclosing.code, agreement.parties.recipient.code)
    if parties != (latest.disclosing, latest.recipient):
        raise InputError(
            f"the stored versions of {agreement.id} are between {latest.disclosing} and "
            f"{latest.recipient}; an agreement between other agencies needs its own id",
            path=where,
            field="parties",
            code=AgreementCode.PARTIES_CHANGED,
        )


def list_agreements(
    app: App, *, caller: Principal, on: dt.date | None = None
) -> list[AgreementListing]:
    """The latest version of every agreement the caller's agency is a party to (as their roles
    allow), and the version governing ``on`` (default today)."""
    caller = require(app.settings, caller, Action.AGREEMENT_READ)
    day = app.today() if on is None else on
    listings: list[AgreementListing] = []
    with app.unit_of_work() as s:
        suspended = access_store.suspended_agreements(s)
        for latest in store.latest_versions(s):
            parties = Parties(latest.disclosing, latest.recipient)
            if not readable(caller, Action.AGREEMENT_READ, parties):
                continue
            governing = governing_version(_spans(store.versions_of(s, latest.agreement_id)), day)
            listings.append(
                AgreementListing(
                    id=latest.agreement_id,
                    latest_version=latest.version,
                    title=latest.title,
                    disclosing=latest.disclosing,
                    recipient=latest.recipient,
                    effective=latest.effective,
                    expires=latest.expires,
                    governing_version=None if governing is None else governing.version,
                    suspended=latest.agreement_id in suspended,
                )
            )
    return listings


def _stored(
    app: App, agreement_id: str, version: int | None
) -> tuple[AgreementVersion, tuple[int, ...]]:
    """A stored version (the latest when ``version`` is None) and the numbers of all of them."""
    with app.unit_of_work() as s:
        found = store.version_of(s, agreement_id, version)
        if found is None:
            raise AgreementNotFound(agreement_id, version)
        return found, tuple(v.version for v in store.versions_of(s, agreement_id))


def _parse(stored: AgreementVersion) -> Agreement:
    source = f"stored agreement {stored.agreement_id} v{stored.version}"
    return parse_agreement(stored.text, source=source)


def get_agreement(app: App, agreement_id: str, version: int | None = None) -> Agreement:
    """A stored version of an agreement (the latest by default), re-read from its text."""
    return _parse(_stored(app, agreement_id, version)[0])


def describe_agreement(
    app: App,
    agreement_id: str,
    version: int | None = None,
    *,
    caller: Principal,
    on: dt.date | None = None,
) -> StoredAgreement:
    """A stored version (the latest by default) with its provenance and what it allows ``on``
    (default: today in the agency's time zone)."""
    require_agreement(app, caller, Action.AGREEMENT_READ, agreement_id)
    day = app.today() if on is None else on
    stored, versions = _stored(app, agreement_id, version)
    agreement = _parse(stored)
    disclosable = disclosable_categories(agreement, day)
    return StoredAgreement(
        agreement=agreement,
        sha256=stored.sha256,
        source_name=stored.source_name,
        added_at=stored.added_at,
        versions=versions,
        warnings=coverage_warnings(agreement),
        on=day,
        in_force=in_force(agreement, day),
        disclosable=disclosable,
        refusals={
            category: refusal_reasons(agreement, category, day)
            for category in Category
            if category not in disclosable
        },
        suspended=is_suspended(app, agreement_id),
    )


def governing_agreement(app: App, agreement_id: str, on: dt.date) -> Agreement | None:
    """The version of an agreement that governs disclosures on ``on``, or None if none is in force.

    See :func:`matchgate.governance.governing_version` for the rule. Raises
    :class:`AgreementNotFound` when the id is not stored at all.
    """
    with app.unit_of_work() as s:
        spans = _spans(store.versions_of(s, agreement_id))
    if not spans:
        raise AgreementNotFound(agreement_id)
    governing = governing_version(spans, on)
    if governing is None:
        return None
    return get_agreement(app, agreement_id, governing.version)
