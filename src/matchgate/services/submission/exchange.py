"""Use case: the per-agency inbox and outbox, the file transport of the two-party exchange.

Until the HTTP API carries submissions, a requesting agency's file reaches the host as in many
agency exchanges, through a folder the host processes::

    WORKSPACE/exchange/<AGENCY>/inbox/    the agency's transfer account writes here
        NAME.csv                          the request file (any submission format)
        NAME.envelope.json                what the file is, and who sends it (below)
    WORKSPACE/exchange/<AGENCY>/outbox/   the host writes here, the agency fetches
        PACKAGE_ID.mgp                    the sealed package, as ``submit`` makes it
        NAME.receipt.json                 job id, status, code, message, package id: no values

The envelope is a small JSON object: ``{"file": "NAME.csv", "agreement": "ID", "sha256":
"<hex of the file>", "token": "mgt_...", "purpose": "CODE"}`` (``purpose`` optional). The
requester is authenticated by the token, one of its user's API tokens, exactly as the command
line authenticates ``MATCHGATE_TOKEN``: its user must be active and a submitter under the
agreement, and must belong to the agency whose inbox holds the envelope (a token of another
agency is refused and audited, ``access.denied`` reason ``wrong_inbox``). The envelope is
deleted as soon as it is read (the token does not stay on disk), and the request file once the
submission has taken it (its sealed copy is under ``submissions/JOB``) or refused it; the
``sha256`` binds the envelope to the file it names. Each file then goes through the one
``submit`` use case: nothing in the envelope can name a master or a key.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from matchgate.access import Action
from matchgate.app.access import authenticate, record_denial
from matchgate.app.core import App
from matchgate.domain.audit import AuditSink
from matchgate.domain.errors import AccessDenied, InputError, MatchgateError
from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.services.disclosure import SubjectKey
from matchgate.services.master import match_files
from matchgate.services.submission.run import SubmitOptions
from matchgate.services.submission.submit import Matcher, submit_file

EXCHANGE = "exchange"
ENVELOPE_SUFFIX = ".envelope.json"
RECEIPT_SUFFIX = ".receipt.json"
MAX_ENVELOPE_BYTES = 16 * 1024
E_ENVELOPE = "E_ENVELOPE"
WRONG_INBOX = "wrong_inbox"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Envelope:
    file: str
    agreement: str
    sha256: str
    token: str
    purpose: str | None = None


@dataclass(frozen=True)
class Delivery:
    """What became of one envelope (ids, codes and counts, never a value of the file)."""

    agency: str
    envelope: str
    job_id: str | None
    status: str
    code: str | None
    message: str | None
    package_id: str | None = None


def _bad(message: str) -> InputError:
    return InputError(message, field="envelope", code=E_ENVELOPE)


def _read_envelope(path: Path) -> Envelope:
    try:
        if path.stat().st_size > MAX_ENVELOPE_BYTES:
            raise _bad("the envelope is larger than 16 KiB")
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise _bad("the envelope is not readable JSON") from None
    if not isinstance(document, dict):
        raise _bad("the envelope is not a JSON object")
    fields = {k: document.get(k) for k in ("file", "agreement", "sha256", "token", "purpose")}
    if set(document) - set(fields):
        raise _bad("the envelope has fields other than file, agreement, sha256, token, purpose")
    required = ("file", "agreement", "sha256", "token")
    if any(not isinstance(fields[k], str) or not fields[k] for k in required):
        raise _bad("the envelope needs file, agreement, sha256 and token (strings)")
    if fields["purpose"] is not None and not isinstance(fields["purpose"], str):
        raise _bad("the envelope's purpose is a string")
    if not _NAME.match(str(fields["file"])) or str(fields["file"]).endswith(ENVELOPE_SUFFIX):
        raise _bad("the envelope's file is a plain file name in the same inbox")
    if not _SHA256.match(str(fields["sha256"]).lower()):
        raise _bad("the envelope's sha256 is 64 hex digits")
    return Envelope(
        file=str(fields["file"]),
        agreement=str(fields["agreement"])[:64],
        sha256=str(fields["sha256"]).lower(),
        token=str(fields["token"]),
        purpose=None if fields["purpose"] is None else str(fields["purpose"])[:64],
    )


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _receipt(outbox: Path, stem: str, delivery: Delivery) -> None:
    outbox.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = outbox / f"{stem}{RECEIPT_SUFFIX}"
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(delivery), sort_keys=True) + "\n", encoding="utf-8")
    os.chmod(temporary, 0o600)
    os.replace(temporary, target)


def _one(
    app: App,
    agency: str,
    path: Path,
    *,
    audit: AuditSink,
    subject: SubjectKey,
    matcher: Matcher,
    progress: Progress,
) -> Delivery:
    inbox, outbox = path.parent, path.parent.parent / "outbox"
    stem = path.name.removesuffix(ENVELOPE_SUFFIX)
    request: Path | None = None
    try:
        try:
            envelope = _read_envelope(path)
        finally:
            path.unlink(missing_ok=True)  # the token leaves the disk first
        request = inbox / envelope.file
        caller = authenticate(app, envelope.token, source=f"exchange:{agency}", audit=audit)
        if caller.agency != agency:
            record_denial(
                app.settings, caller, WRONG_INBOX, Action.SUBMIT, envelope.agreement, audit
            )
            raise AccessDenied("the token is not of a user of the agency whose inbox holds it")
        if not request.is_file() or _digest(request) != envelope.sha256:
            raise _bad("the file the envelope names is missing or its SHA-256 differs")
        result = submit_file(
            app,
            request,
            envelope.agreement,
            caller=caller,
            options=SubmitOptions(out_dir=outbox, purpose=envelope.purpose),
            subject=subject,
            matcher=matcher,
            progress=progress,
        )
        delivery = Delivery(
            agency,
            path.name,
            result.job_id,
            str(result.status),
            result.code,
            result.message,
            result.package_id,
        )
    except MatchgateError as exc:
        delivery = Delivery(agency, path.name, None, "refused", exc.code, exc.message)
    finally:
        if request is not None:
            request.unlink(missing_ok=True)
    _receipt(outbox, stem, delivery)
    return delivery


def process_inboxes(
    app: App,
    *,
    subject: SubjectKey,
    agency: str | None = None,
    matcher: Matcher = match_files,
    progress: Progress = NO_PROGRESS,
) -> list[Delivery]:
    """Take every envelope in ``exchange/<AGENCY>/inbox`` (of every agency, or ``agency``'s),
    oldest name first, through ``submit``; a receipt for each in the agency's outbox."""
    audit = app.audit
    root = app.settings.workspace / EXCHANGE
    done: list[Delivery] = []
    if not root.is_dir():
        return done
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if agency is not None and folder.name != agency:
            continue
        inbox = folder / "inbox"
        if not inbox.is_dir():
            continue
        for path in sorted(inbox.glob(f"*{ENVELOPE_SUFFIX}")):
            done.append(
                _one(
                    app,
                    folder.name,
                    path,
                    audit=audit,
                    subject=subject,
                    matcher=matcher,
                    progress=progress,
                )
            )
    return done


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    return asdict(delivery)
