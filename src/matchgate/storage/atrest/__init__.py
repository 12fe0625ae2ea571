"""Encryption at rest: the data key ring, sealed fields of the operational store, sealed files.

See docs/encryption.md for what is encrypted where, the key ring and the rotation procedure.
"""

from matchgate.storage.atrest.fields import key_version_of, lookup, lookups, open_value, seal_value
from matchgate.storage.atrest.files import (
    SUFFIX,
    FileHeader,
    SealedFile,
    header_of,
    open_stream,
    open_to_file,
    reencrypt,
    rewrap,
    seal_file,
    seal_stream,
)
from matchgate.storage.atrest.keyring import (
    E_DATA_KEY,
    E_SEALED_DATA,
    DataKey,
    DataKeyError,
    DataKeyRing,
    SealedDataError,
    add_current_key,
    create_ring,
    load_ring,
    retire_key,
)

__all__ = [
    "E_DATA_KEY",
    "E_SEALED_DATA",
    "SUFFIX",
    "DataKey",
    "DataKeyError",
    "DataKeyRing",
    "FileHeader",
    "SealedDataError",
    "SealedFile",
    "add_current_key",
    "create_ring",
    "header_of",
    "key_version_of",
    "load_ring",
    "lookup",
    "lookups",
    "open_stream",
    "open_to_file",
    "open_value",
    "reencrypt",
    "retire_key",
    "rewrap",
    "seal_file",
    "seal_stream",
    "seal_value",
]
