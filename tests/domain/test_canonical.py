"""One canonical JSON for the audit log and the package format: its bytes are pinned.

Entry hashes, Merkle leaves, checkpoint signatures and package signatures are computed over these
bytes, so a change to any of them would break every log and package already written.
"""

from __future__ import annotations

import hashlib

import pytest

from matchgate.audit import canonical_json as audit_canonical_json
from matchgate.audit import parse_canonical as audit_parse
from matchgate.disclosure.canonical import model_bytes
from matchgate.disclosure.canonical import parse_canonical as package_parse
from matchgate.domain.canonical import (
    NotCanonical,
    canonical_bytes,
    canonical_json,
    parse_canonical,
)

ENTRY = {
    "v": 1,
    "seq": 7,
    "time": "2026-01-02T03:04:05.123456Z",
    "kind": "disclosure.made",
    "actor": "u1",
    "agency": "DHS",
    "agreement": "CMA-1",
    "subjects": ["ab" * 32],
    "details": {
        "records": 3,
        "score": 0.875,
        "ok": True,
        "none": None,
        "name": "Jos\u00e9 \U0001f600",
    },
}
ENTRY_BYTES = (
    b'{"actor":"u1","agency":"DHS","agreement":"CMA-1","details":{"name":"Jos\\u00e9 '
    b'\\ud83d\\ude00","none":null,"ok":true,"records":3,"score":0.875},"kind":"disclosure.made",'
    b'"seq":7,"subjects":["abababababababababababababababababababababababababababababababab"],'
    b'"time":"2026-01-02T03:04:05.123456Z","v":1}'
)
HEADER = {
    "format": "matchgate-package",
    "version": 1,
    "marking": "CUI//PRVCY",
    "files": [{"name": "a.csv", "bytes": 10}],
}
HEADER_BYTES = (
    b'{"files":[{"bytes":10,"name":"a.csv"}],"format":"matchgate-package",'
    b'"marking":"CUI//PRVCY","version":1}'
)
NUMBERS = [0.1, 1e-07, 1e22, -0.0, 2.5, 123456789012345678901234567890]
NUMBERS_BYTES = b"[0.1,1e-07,1e+22,-0.0,2.5,123456789012345678901234567890]"


@pytest.mark.parametrize(
    ("value", "expected", "sha256"),
    [
        (ENTRY, ENTRY_BYTES, "80d55f766b19cb08a93ba2ca237a1c3315b636fe018999e562e28948e8b99377"),
        (HEADER, HEADER_BYTES, "93e8eca36f0263e0391f6cb7949364148837e798f0998ddda27c9905dba40c36"),
        (
            NUMBERS,
            NUMBERS_BYTES,
            "cdacc7d3d6ea12b27bf743a08c61ee1c4aa70deac0b1872227ee052a34f5bd5b",
        ),
    ],
    ids=["audit-entry", "package-header", "numbers"],
)
def test_the_bytes_are_pinned(value: object, expected: bytes, sha256: str) -> None:
    assert canonical_bytes(value) == expected
    assert hashlib.sha256(expected).hexdigest() == sha256
    assert canonical_json(value) == expected.decode("ascii")
    # the audit stage's and the package format's names write the very same bytes
    assert audit_canonical_json(value).encode("ascii") == expected
    assert parse_canonical(expected) == value


def test_a_pydantic_model_is_written_by_the_same_writer() -> None:
    from pydantic import BaseModel

    class Header(BaseModel):
        version: int
        marking: str

    assert model_bytes(Header(version=1, marking="CUI")) == b'{"marking":"CUI","version":1}'


def test_the_audit_log_reads_any_value_and_floats() -> None:
    assert audit_parse('["a","b"]') == ["a", "b"]
    assert audit_parse('{"score":0.5}') == {"score": 0.5}
    for text, why in [
        ('{"a":NaN}', "holds NaN or infinity"),
        ('{"a":1,"a":2}', "a key appears twice"),
        ('{"b":1,"a":2}', "is not in canonical form"),
        ('{"a": 1}', "is not in canonical form"),
        ("nul", "is not JSON"),
        ("[" * 100_000, "is not JSON"),
    ]:
        with pytest.raises(NotCanonical, match=why):
            audit_parse(text)


def test_the_package_format_reads_integer_objects_only() -> None:
    assert package_parse(HEADER_BYTES) == HEADER
    for data, why in [
        (b'{"a":0.5}', "holds a number that is not an integer"),
        (b'{"a":NaN}', "holds a number that is not an integer"),
        (b"[1,2]", "is not a JSON object"),
        (b"[1, 2]", "is not a JSON object"),
        ('{"a":"\u00e9"}'.encode(), "holds bytes that are not ASCII"),
        (b'{"b":1,"a":2}', "is not in canonical form"),
        (b'{"a":1,"a":2}', "a key appears twice"),
    ]:
        with pytest.raises(NotCanonical, match=why):
            package_parse(data)
