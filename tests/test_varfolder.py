"""The embedded mode's var/ folder is made owner-only at every start, whatever an earlier run
left there; the collected static files stay readable."""

from __future__ import annotations

import stat
from pathlib import Path

from portal.varfolder import make_private


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_existing_open_folder_and_files_become_private(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (var / "celery" / "queue").mkdir(parents=True)
    (var / "static" / "css").mkdir(parents=True)
    files = ["portal.sqlite3", "portal.sqlite3-wal", "portal.sqlite3-shm", "celerybeat-schedule"]
    for name in files:
        (var / name).write_bytes(b"x")
    (var / "celery" / "queue" / "message.msg").write_bytes(b"x")
    (var / "static" / "css" / "portal.css").write_bytes(b"x")
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"x")
    (var / "link").symlink_to(outside)
    for path in [var, *var.rglob("*"), outside]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    make_private(var, public=var / "static")

    assert mode(var) == 0o700
    assert mode(var / "celery") == mode(var / "celery" / "queue") == 0o700
    for name in files:
        assert mode(var / name) == 0o600, name
    assert mode(var / "celery" / "queue" / "message.msg") == 0o600
    assert mode(var / "static" / "css" / "portal.css") == 0o644
    assert mode(outside) == 0o644


def test_missing_folder_is_created_private(tmp_path: Path) -> None:
    make_private(tmp_path / "new" / "var")
    assert mode(tmp_path / "new" / "var") == 0o700
