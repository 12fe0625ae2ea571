"""Response packages: seal files for one recipient agency, and open them (format version 1).

The format is specified in docs/package-format.md; this package is one implementation of it.
``seal`` encrypts to the recipient and then signs; ``open_package``, ``extract_package`` and
``check_package`` verify the signature over the whole file before decrypting anything. Every
failure is a ``PackageError`` (an ``InputError``) whose ``code`` is one of ``errors.CODES``.
"""

from matchgate.disclosure.container import (
    FORMAT_VERSION,
    MAGIC,
    Layout,
    Span,
    package_layout,
    read_header,
)
from matchgate.disclosure.errors import (
    CODES,
    E_KEY_FILE,
    E_PACKAGE_CONTENT,
    E_PACKAGE_CORRUPT,
    E_PACKAGE_FILE,
    E_PACKAGE_FORMAT,
    E_PACKAGE_KEY,
    E_PACKAGE_OUTPUT,
    E_PACKAGE_SENDER,
    E_PACKAGE_SIGNATURE,
    E_PACKAGE_VERSION,
    PackageError,
)
from matchgate.disclosure.header import DEFAULT_CHUNK_SIZE, PackageHeader
from matchgate.disclosure.keyring import (
    TrustedKey,
    add_to_keyring,
    load_trusted_keys,
    read_keyring,
)
from matchgate.disclosure.keys import (
    PrivateKey,
    PublicKey,
    generate_keypair,
    key_id,
    load_private_key,
    load_public_key,
    parse_private_key,
    parse_public_key,
    private_key_pem,
    public_key_pem,
    write_private_key,
    write_public_key,
)
from matchgate.disclosure.manifest import MANIFEST_FILE_NAME, FileEntry, Manifest, ManifestInfo
from matchgate.disclosure.reader import (
    ExtractedPackage,
    OpenedPackage,
    check_package,
    extract_package,
    open_package,
    verify_package,
)
from matchgate.disclosure.schema import json_schemas
from matchgate.disclosure.writer import seal

__all__ = [
    "CODES",
    "DEFAULT_CHUNK_SIZE",
    "E_KEY_FILE",
    "E_PACKAGE_CONTENT",
    "E_PACKAGE_CORRUPT",
    "E_PACKAGE_FILE",
    "E_PACKAGE_FORMAT",
    "E_PACKAGE_KEY",
    "E_PACKAGE_OUTPUT",
    "E_PACKAGE_SENDER",
    "E_PACKAGE_SIGNATURE",
    "E_PACKAGE_VERSION",
    "FORMAT_VERSION",
    "MAGIC",
    "MANIFEST_FILE_NAME",
    "ExtractedPackage",
    "FileEntry",
    "Layout",
    "Manifest",
    "ManifestInfo",
    "OpenedPackage",
    "PackageError",
    "PackageHeader",
    "PrivateKey",
    "PublicKey",
    "Span",
    "TrustedKey",
    "add_to_keyring",
    "check_package",
    "extract_package",
    "generate_keypair",
    "json_schemas",
    "key_id",
    "load_private_key",
    "load_public_key",
    "load_trusted_keys",
    "open_package",
    "package_layout",
    "parse_private_key",
    "parse_public_key",
    "private_key_pem",
    "public_key_pem",
    "read_header",
    "read_keyring",
    "seal",
    "verify_package",
    "write_private_key",
    "write_public_key",
]
