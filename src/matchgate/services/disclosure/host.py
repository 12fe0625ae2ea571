"""The host's signing key: the disclosing agency's own key, made once on the host.

``matchgate host init`` writes ``WORKSPACE/host/signing.key`` (PKCS#8, owner-only, optionally
password-protected) and ``signing.pub`` beside it, in an owner-only folder. Every package the
host seals is signed with it; nothing a requester sends names or replaces it. Its password, when
it has one, is the host's setting ``MATCHGATE_HOST_KEY_PASSWORD`` (the service environment's,
never a requester's). Partners pin ``signing.pub`` (``matchgate keys trust``) after confirming
its key id over a second channel.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from matchgate.app.core import App
from matchgate.disclosure import PrivateKey, key_id, load_private_key
from matchgate.domain.errors import ConfigurationError
from matchgate.services.disclosure.packages import make_keys

HOST_FOLDER = "host"
SIGNING_KEY_NAME = "signing"


@dataclass(frozen=True)
class HostKey:
    """The host's signing key files and key id (what partners confirm and pin)."""

    private_key: Path
    public_key: Path
    key_id: str
    protected: bool


def host_folder(app: App) -> Path:
    return app.settings.workspace / HOST_FOLDER


def signing_key_path(app: App) -> Path:
    return host_folder(app) / f"{SIGNING_KEY_NAME}.key"


def init_host_key(app: App, password: bytes | None = None) -> HostKey:
    """Make the host's signing key (refused when one exists: a key is never replaced)."""
    folder = host_folder(app)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    made = make_keys(folder, SIGNING_KEY_NAME, password)
    return HostKey(made.private_key, made.public_key, made.key_id, made.protected)


def host_signing_key(app: App) -> PrivateKey:
    """The host's signing key; ConfigurationError when it was never made."""
    path = signing_key_path(app)
    if not path.is_file():
        raise ConfigurationError(
            "this workspace has no host signing key: the host's operator makes it once with "
            "`matchgate host init`"
        )
    password = (
        app.settings.host_key_password.encode("utf-8") if app.settings.host_key_password else None
    )
    return load_private_key(path, password)


def host_key_id(app: App) -> str:
    return key_id(host_signing_key(app))
