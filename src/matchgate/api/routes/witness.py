"""Witnessed checkpoints for the requesting agency (``services.oversight.witness``): the files
the host wrote to the caller's agency's witness folder, listed, and each one's bytes as written.

The host is not trusted to vouch for them: the requester checks signatures and consistency
itself, against keys it trusts (``Client.fetch_witness``, ``matchgate audit witness fetch``).
A name is accepted only as matchgate makes them; another agency's file, a name that is not a
witness file's and an unknown one answer alike (404).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from matchgate.api.deps import AppDep, CallerDep
from matchgate.api.links import link, links
from matchgate.api.problems import RESPONSES
from matchgate.api.schemas import Out
from matchgate.services.oversight import witness as service

router = APIRouter(prefix="/v1/witness", tags=["oversight"], responses=RESPONSES)
JSON = "application/json"

_CHECKPOINT = {"type": "object", "description": "A signed checkpoint (log id, size, root, ...)."}
WITNESS_FILE_SCHEMA = {
    "type": "object",
    "description": "A witness file, one line of canonical JSON (matchgate.audit.witness).",
    "required": ["agency", "checkpoint", "consistency", "previous", "type"],
    "properties": {
        "agency": {"type": "string"},
        "checkpoint": _CHECKPOINT,
        "consistency": {"type": "array", "items": {"type": "string"}},
        "previous": {"anyOf": [_CHECKPOINT, {"type": "null"}]},
        "type": {"type": "string"},
    },
}


class WitnessFileOut(Out):
    name: str = Field(description="`<log id>-<size, 12 digits>.json`.")
    bytes: int
    log_id: str | None = Field(description="None when the file is not a readable witness file.")
    checkpoint_size: int | None = Field(description="Entries the checkpoint covers.")
    checkpoint_root: str | None = Field(description="The Merkle root it signs (hex).")


@router.get(
    "",
    response_model=list[WitnessFileOut],
    responses=links(
        200,
        GetFile=link("/v1/witness/{name}", "get", "The first file.", name="$response.body#/0/name"),
    ),
)
def list_files(app: AppDep, caller: CallerDep) -> list[WitnessFileOut]:
    """The witness files the host wrote for your agency (its privacy officers and auditors)."""
    views = service.list_witness_files(app, caller=caller)
    return [WitnessFileOut.model_validate(v) for v in views]


@router.get(
    "/{name}",
    response_class=Response,
    responses={200: {"content": {JSON: {"schema": WITNESS_FILE_SCHEMA}}}},
)
def get_file(name: str, app: AppDep, caller: CallerDep) -> Response:
    """One witness file's bytes, as the host wrote them (check them before keeping them)."""
    data = service.read_witness_file(app, name, caller=caller)
    return Response(content=data, media_type=JSON)
