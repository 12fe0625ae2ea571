"""Codes a submission can get besides the request-file codes of :mod:`matchgate.intake.codes`.

A submission (``matchgate submit``) is read with the same readers and row codes as ``match``;
these codes cover what only a submission under an agreement checks: the file's size, bytes and
lines before any parser sees it, the fixed-width layout (data contract, section 4), the columns
the agreement allows, and the submission's own history. Codes are added, never renamed or reused.
"""

from __future__ import annotations

from enum import StrEnum


class SubmissionCode(StrEnum):
    """Why a submitted file was refused (``E_``), or what was noted about a record (``W_``)."""

    FILE_TOO_LARGE = "E_FILE_TOO_LARGE"
    FILE_BINARY = "E_FILE_BINARY"
    LINE_TOO_LONG = "E_LINE_TOO_LONG"
    RECORD_LENGTH = "E_RECORD_LENGTH"
    RECORD_LAYOUT = "E_RECORD_LAYOUT"
    FIELD_NOT_ALLOWED = "E_FIELD_NOT_ALLOWED"
    CHANNEL_NOT_AGREED = "E_CHANNEL_NOT_AGREED"
    DUPLICATE_SUBMISSION = "E_SUBMISSION_DUPLICATE"
    PROCESSING_FAILED = "E_PROCESSING_FAILED"
    HELD_REFUSED = "E_HELD_REFUSED"


SUBMISSION_MEANINGS: dict[SubmissionCode, str] = {
    SubmissionCode.FILE_TOO_LARGE: "the file is larger than the submission size limit",
    SubmissionCode.FILE_BINARY: (
        "the file holds NUL or other control bytes: binary data, not a request file"
    ),
    SubmissionCode.LINE_TOO_LONG: "a line of a text file is longer than the line limit",
    SubmissionCode.RECORD_LENGTH: (
        "a fixed-width (SSNVS/EVS) record is not 130 characters long (truncated or wrong widths)"
    ),
    SubmissionCode.RECORD_LAYOUT: (
        "a fixed-width record lacks TPV214 at positions 10-15 or has data in positions the "
        "layout keeps blank; the record is not matched and is answered code 6"
    ),
    SubmissionCode.FIELD_NOT_ALLOWED: "the file has request columns the agreement does not allow",
    SubmissionCode.CHANNEL_NOT_AGREED: "the agreement does not allow file submissions",
    SubmissionCode.DUPLICATE_SUBMISSION: (
        "the same file (same SHA-256) was already submitted under this agreement; not processed "
        "again"
    ),
    SubmissionCode.PROCESSING_FAILED: (
        "matching or disclosure failed after the file was accepted (see the job's error)"
    ),
    SubmissionCode.HELD_REFUSED: (
        "held over the agreement's volume cap, then refused by the disclosing agency's privacy "
        "officer after consultation (see the consultation record)"
    ),
}
"""One line of meaning per code, for documentation and listings."""
