"""discovery.wellknown: which paths name a file, validators, and the export folder's sync."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from discovery import wellknown


@pytest.mark.parametrize(
    ("path", "lookup", "ext"),
    [
        ("/.well-known/smime/first_last.crt", "first_last", "crt"),
        ("/.well-known/smime/Alice_Example.pem", "alice_example", "pem"),
        ("/.well-known/smime/jörg.crt", "jörg", "crt"),
        ("/.well-known/smime/a+tag.crt", "a+tag", "crt"),
        # ASCII capitals only (pki.emails' rule): str.lower() would give "i̇lker_ärger"
        ("/.well-known/smime/İlker_ÄRGER.crt", "İlker_Ärger", "crt"),
    ],
)
def test_paths_naming_a_file(path: str, lookup: str, ext: str) -> None:
    assert wellknown.parse_path(path) == wellknown.WantedFile(lookup, ext)


@pytest.mark.parametrize(
    "path",
    [
        "/.well-known/smime/",
        "/.well-known/smime/first_last",
        "/.well-known/smime/first_last.der",
        "/.well-known/smime/../../etc/passwd.crt",
        "/.well-known/smime/a/b.crt",
        "/.well-known/smime/..crt",
        "/.well-known/smime/a\x00b.crt",
        "/.well-known/smime/a\nb.crt",
        "/.well-known/openpgpkey/x.crt",
        "/.well-known/smime/" + "x" * 201 + ".crt",
    ],
)
def test_everything_else_names_no_file(path: str) -> None:
    assert wellknown.parse_path(path) is None


@pytest.mark.parametrize(
    ("header", "host"),
    [
        ("Example.COM", "example.com"),
        ("example.com:8443", "example.com"),
        ("example.com.", "example.com"),
        ("[2001:db8::1]:443", "[2001:db8::1]"),
        ("", ""),
    ],
)
def test_host_header(header: str, host: str) -> None:
    assert wellknown.host_of(header) == host


def test_pem_body_is_the_der_in_base64_lines() -> None:
    der = os.urandom(300)
    text = wellknown.pem(der).decode()
    lines = text.splitlines()
    assert lines[0] == "-----BEGIN CERTIFICATE-----" and lines[-1] == "-----END CERTIFICATE-----"
    assert all(len(line) <= 64 for line in lines[1:-1])
    assert base64.b64decode("".join(lines[1:-1])) == der


def test_etags_differ_per_format_and_match_weakly_and_in_lists() -> None:
    crt, pem = wellknown.etag("ab" * 32, "crt"), wellknown.etag("ab" * 32, "pem")
    assert crt != pem
    assert wellknown.etag_matches(crt, crt)
    assert wellknown.etag_matches(f'"other", W/{crt}', crt)
    assert wellknown.etag_matches("*", crt)
    assert not wellknown.etag_matches(pem, crt)


def test_sync_folder_replaces_changed_files_and_removes_stale_ones(tmp_path: Path) -> None:
    folder = tmp_path / "example.com" / ".well-known" / "smime"
    assert wellknown.sync_folder(folder, {"a.crt": b"1", "b.crt": b"2"}) == (2, 0)
    inode = (folder / "a.crt").stat().st_ino
    assert wellknown.sync_folder(folder, {"a.crt": b"1", "c.crt": b"3"}) == (1, 1)
    assert sorted(p.name for p in folder.iterdir()) == ["a.crt", "c.crt"]
    assert (folder / "a.crt").stat().st_ino == inode  # unchanged files are left alone
    assert wellknown.sync_folder(folder, {"a.crt": b"new", "c.crt": b"3"}) == (1, 0)
    assert (folder / "a.crt").read_bytes() == b"new"
    assert (folder / "a.crt").stat().st_ino != inode  # replaced by rename, never rewritten
    assert (folder / "a.crt").stat().st_mode & 0o777 == 0o644
