"""The one error the package code raises, and its stable codes.

``PackageError`` is an ``InputError``: a package, key file or key ring the user gave cannot be
used. Messages name the file and the part that failed, never plaintext, key material or
personal values, so they are safe in logs and terminals.
"""

from __future__ import annotations

from pathlib import Path

from matchgate.domain.errors import InputError

#: Not a matchgate package at all (wrong magic bytes), or too short to hold a prologue.
E_PACKAGE_FORMAT = "E_PACKAGE_FORMAT"
#: A package format version this reader does not implement.
E_PACKAGE_VERSION = "E_PACKAGE_VERSION"
#: The container is malformed: bad header, wrong length (truncated or extra bytes), a
#: manifest or chunk that does not authenticate, a file whose hash or size is not as listed.
E_PACKAGE_CORRUPT = "E_PACKAGE_CORRUPT"
#: The signature does not verify with the sender key the header names.
E_PACKAGE_SIGNATURE = "E_PACKAGE_SIGNATURE"
#: The sender key the header names is not among the trusted sender keys.
E_PACKAGE_SENDER = "E_PACKAGE_SENDER"
#: The package is not addressed to the given recipient key, or its data key does not unwrap.
E_PACKAGE_KEY = "E_PACKAGE_KEY"
#: The package file cannot be read or written (missing, permissions, disk full).
E_PACKAGE_FILE = "E_PACKAGE_FILE"
#: The output folder already holds a file the package would write.
E_PACKAGE_OUTPUT = "E_PACKAGE_OUTPUT"
#: Sealing was asked for something the format cannot carry (bad file name, duplicate, ...).
E_PACKAGE_CONTENT = "E_PACKAGE_CONTENT"
#: A key file or key ring is unreadable, of the wrong kind, or its password is wrong or missing.
E_KEY_FILE = "E_KEY_FILE"

CODES = (
    E_PACKAGE_FORMAT,
    E_PACKAGE_VERSION,
    E_PACKAGE_CORRUPT,
    E_PACKAGE_SIGNATURE,
    E_PACKAGE_SENDER,
    E_PACKAGE_KEY,
    E_PACKAGE_FILE,
    E_PACKAGE_OUTPUT,
    E_PACKAGE_CONTENT,
    E_KEY_FILE,
)


class PackageError(InputError):
    """A package, key file or key ring cannot be used; ``code`` is one of ``CODES``.

    Per instance: every instance is given its code; the class's own ``E_PACKAGE`` is never raised.
    """

    code = "E_PACKAGE"

    def __init__(self, message: str, *, code: str, path: Path | str | None = None) -> None:
        super().__init__(message, path=None if path is None else str(path), code=code)
