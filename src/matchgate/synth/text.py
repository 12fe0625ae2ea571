"""Vectorized string building on Arrow arrays (no per-row Python)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

_HEX_PAIRS = np.frombuffer(
    "".join(f"{b:02x}" for b in range(256)).encode(), dtype=np.uint8
).reshape(256, 2)
_DIGIT_TRIPLES = np.frombuffer(
    "".join(f"{t:03d}" for t in range(1000)).encode(), dtype=np.uint8
).reshape(1000, 3)


def fixed_width(chars: npt.NDArray[np.uint8]) -> pa.StringArray:
    """Strings from an (n, width) array of ASCII codes, one row per string."""
    n, width = chars.shape
    if n * width >= 2**31:
        raise ValueError("too many characters for one string array; use smaller chunks")
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)[: n + 1]
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    array = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    assert isinstance(array, pa.StringArray)
    return array


def digits(values: npt.NDArray[np.int64], width: int) -> pa.StringArray:
    """Non-negative integers as zero-padded decimal strings of exactly ``width`` digits."""
    v = np.asarray(values, dtype=np.int64)
    groups = -(-width // 3)
    parts = []
    for _ in range(groups):
        v, low = np.divmod(v, 1000)
        parts.append(_DIGIT_TRIPLES[low])
    chars = np.concatenate(parts[::-1], axis=1)[:, 3 * groups - width :]
    return fixed_width(chars)


def hex64(values: npt.NDArray[np.uint64]) -> pa.StringArray:
    """64-bit integers as 16 lowercase hex digits."""
    raw = np.asarray(values, dtype=">u8").view(np.uint8).reshape(-1, 8)
    return fixed_width(_HEX_PAIRS[raw].reshape(-1, 16))


def join(parts: list[pa.Array], sep: str = " ") -> pa.Array:
    """Join the non-empty parts of each row with ``sep`` ("A", "", "C" -> "A C").

    Folds pairwise rather than using ``null_handling="skip"``, which drops rows whose parts are
    all null in the pyarrow release we pin.
    """
    acc = parts[0]
    for part in parts[1:]:
        both = pc.binary_join_element_wise(acc, part, sep)
        acc = pc.if_else(pc.equal(acc, ""), part, pc.if_else(pc.equal(part, ""), acc, both))
    return acc


def concat(parts: list[pa.Array | str]) -> pa.Array:
    """Concatenate strings row by row, keeping empty parts (literal strings broadcast)."""
    return pc.binary_join_element_wise(*parts, "")


def where(mask: npt.NDArray[np.bool_], yes: pa.Array | str, no: pa.Array | str) -> pa.Array:
    """Per row, ``yes`` where ``mask`` holds, else ``no``."""
    return pc.if_else(pa.array(mask, pa.bool_()), yes, no)


def upper_where(mask: npt.NDArray[np.bool_], values: pa.Array) -> pa.Array:
    """Upper-case the rows where ``mask`` holds, keep the rest as written."""
    return pc.if_else(pa.array(mask, pa.bool_()), pc.utf8_upper(values), values)


def initial(values: pa.Array) -> pa.Array:
    """The first character of each string (empty stays empty)."""
    return pc.utf8_slice_codeunits(values, 0, 1)


def strings(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A plain (single-chunk, non-dictionary) string array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    return values
