"""The development secret key: generated once into the data directory, readable by its owner only.

Production never gets here: settings refuse to start without QUIRE_SECRET_KEY.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from proxy.settings import Settings

FILE_NAME = "secret_key"


def ensure_secret_key(settings: Settings) -> tuple[Settings, Path | None]:
    """Settings with a secret key, and the file it was just generated into (None if not generated).

    An explicit QUIRE_SECRET_KEY always wins; otherwise the key file in the data directory is
    read, or created with mode 0600 if missing; two processes starting at once agree on one key.
    """
    if settings.secret_key is not None:
        return settings, None
    if settings.environment == "production":
        raise ValueError("production needs QUIRE_SECRET_KEY")
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = settings.data_dir / FILE_NAME
    generated = None
    if not path.exists():
        # Write a private temp file, then link it into place: link() fails if another process
        # won the race, and nobody ever reads a half-written key.
        tmp = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
            generated = path
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise ValueError(f"the secret key in {path} is too short; delete it to generate a new one")
    return settings.model_copy(update={"secret_key": SecretStr(key)}), generated
