"""Witnessed checkpoints as a recipient agency reaches them through a token: the files the host
wrote to the caller's agency's witness folder (:mod:`matchgate.audit.witness`), listed and read.

Only the caller's agency's own folder (``AuditConfig.witness_root / AGENCY``) is ever read, and
a name only as matchgate makes them (``<log id>-<size, 12 digits>.json``, one plain segment), so
no name reaches outside it. A name of another agency's file (it is only in that agency's
folder), one that is not a witness file's and one that does not exist answer alike
(:class:`WitnessFileNotFound`; the refusal is audited as ``not_found``). Who: ``audit.read``
(an agency's privacy officers and auditors).

The host is not trusted to check its own files: the requester verifies what it fetches
(``matchgate.client.Client.fetch_witness`` runs :func:`matchgate.audit.fetch_witness`'s checks
against the keys it trusts).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matchgate.access import Action, Parties, Principal
from matchgate.app.access import require, require_object
from matchgate.app.audit import AuditConfig
from matchgate.app.core import App
from matchgate.audit import Witnessed, WitnessFormatError, agency_folder, is_file_name
from matchgate.domain.errors import NotFound

E_WITNESS_NOT_FOUND = "E_WITNESS_NOT_FOUND"
_MAX_FILE = 64_000
"""Larger than any witness file (they are refused past 8,000 bytes when read)."""


class WitnessFileNotFound(NotFound):
    """No such witness file in the caller's agency's folder (or another agency's file)."""

    code = E_WITNESS_NOT_FOUND


@dataclass(frozen=True)
class WitnessFileView:
    """A witness file as listed: its name and size, and the checkpoint it holds (None when the
    file cannot be read as a witness file: the requester's checks then refuse it)."""

    name: str
    bytes: int
    log_id: str | None
    checkpoint_size: int | None
    checkpoint_root: str | None


def _folder(config: AuditConfig, agency: str) -> Path | None:
    try:
        return agency_folder(config.witness_root, agency)
    except WitnessFormatError:
        return None


def _files(folder: Path | None) -> dict[str, Path]:
    """The witness files directly in ``folder`` by name (no sub-folder, no link)."""
    if folder is None or not folder.is_dir() or folder.is_symlink():
        return {}
    return {
        path.name: path
        for path in sorted(folder.iterdir())
        if is_file_name(path.name) and path.is_file() and not path.is_symlink()
    }


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(_MAX_FILE + 1)


def _view(name: str, data: bytes) -> WitnessFileView:
    try:
        witnessed = Witnessed.from_bytes(data)
    except WitnessFormatError:
        return WitnessFileView(name, len(data), None, None, None)
    cp = witnessed.checkpoint
    return WitnessFileView(name, len(data), cp.log_id, cp.size, cp.root)


def list_witness_files(app: App, *, caller: Principal) -> list[WitnessFileView]:
    """The witness files the host wrote for the caller's agency, by name (a log's in the order
    of its sizes)."""
    fresh = require(app.settings, caller, Action.AUDIT_READ, audit=app.audit)
    files = _files(_folder(app.audit_config, fresh.agency))
    return [_view(name, _read(path)) for name, path in files.items()]


def read_witness_file(app: App, name: str, *, caller: Principal) -> bytes:
    """One witness file's bytes, as written, from the caller's agency's folder."""
    folder = _folder(app.audit_config, caller.agency) if is_file_name(name) else None
    path = None if folder is None else _files(folder).get(name)
    require_object(
        app.settings,
        caller,
        Action.AUDIT_READ,
        None if path is None else Parties.of_agency(caller.agency),
        missing=lambda: WitnessFileNotFound("no such witness file"),
        object_id=name[:64],
        audit=app.audit,
    )
    assert path is not None
    return _read(path)
