"""The manifest: what the package holds and where it came from (inside the encryption).

``ManifestInfo`` is what the caller knows about the job; ``seal`` adds the package id, time,
marking, key ids and one ``FileEntry`` per file to make the ``Manifest``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from matchgate.disclosure.fields import KeyId, PackageId, Sha256Hex, Text, Timestamp

#: Name a reader may use to store the manifest beside the files; no payload file may take it.
MANIFEST_FILE_NAME = "manifest.json"

#: A plain file name: no folders, not hidden, portable to every file system.
FileName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
DecisionName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


class FileEntry(BaseModel):
    """One file of the payload; files follow each other in the payload in manifest order."""

    model_config = _STRICT

    name: FileName = Field(description="plain file name, unique ignoring case")
    size: int = Field(ge=0, description="bytes")
    sha256: Sha256Hex = Field(description="SHA-256 of the file's bytes, lowercase hex")


class ManifestInfo(BaseModel):
    """The provenance of a response, as the job that produced it knows it."""

    model_config = _STRICT

    job_id: Text = Field(description="submission job that produced the response")
    agreement_id: Text = Field(description="agreement the disclosure was made under")
    agreement_version: Text = Field(description="version of that agreement")
    master_snapshot_id: Text = Field(description="snapshot of the master file matched against")
    model_version: Text = Field(description="version of the match model")
    policy_version: Text = Field(description="version of the disclosure policy applied")
    counts: dict[DecisionName, Annotated[int, Field(ge=0)]] = Field(
        description="response rows by decision: match, possible, no_match"
    )


class Manifest(ManifestInfo):
    """The manifest of a version 1 package (canonical JSON, encrypted)."""

    package_id: PackageId = Field(description="equal to the header's")
    created_at: Timestamp = Field(description="equal to the header's")
    marking: Text = Field(description="equal to the header's")
    sender_key_id: KeyId = Field(description="equal to the header's")
    recipient_key_id: KeyId = Field(description="equal to the header's")
    files: list[FileEntry] = Field(description="the payload's files, in payload order")

    @model_validator(mode="after")
    def _distinct_names(self) -> Manifest:
        folded = [f.name.casefold() for f in self.files]
        if len(set(folded)) != len(folded):
            raise ValueError("file names repeat (ignoring case)")
        if MANIFEST_FILE_NAME in folded:
            raise ValueError(f"{MANIFEST_FILE_NAME} is reserved for the manifest")
        return self

    @property
    def payload_size(self) -> int:
        return sum(f.size for f in self.files)
