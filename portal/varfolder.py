"""The embedded mode's folder (``var/``) is the portal's alone.

It holds the SQLite database with its WAL and SHM files (sessions, password hashes), the
broker's queued messages, the mail written when no mail server is set and the generated
secrets. Another local user who can read it can take over sessions, so the folder is 0700
and everything in it 0600 (folders 0700) -- also when an earlier run, an older version or a
hand-made ``mkdir`` left them open.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def make_private(folder: Path, public: Path | None = None) -> None:
    """Create ``folder`` if needed; make it and everything under it owner-only, except the
    ``public`` subfolder (the collected static files, which anyone may download anyway and
    which a container image collects as another user).

    Symbolic links are left alone (chmod would change what they point to, outside the folder).
    """
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _chmod(folder, FOLDER_MODE)
    for root, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if public is None or Path(root, name) != public]
        for name in folders:
            _chmod(Path(root, name), FOLDER_MODE)
        for name in files:
            _chmod(Path(root, name), FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    try:
        if not path.is_symlink():
            path.chmod(mode)
    except FileNotFoundError:
        pass  # a queue message the worker has just consumed
    except PermissionError as exc:
        raise ImproperlyConfigured(
            f"{path} belongs to another user, so it cannot be made private (mode {mode:o}). "
            "Run the portal as the user that owns its var/ folder."
        ) from exc
