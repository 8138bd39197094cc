"""Encrypted PKCS#8 keys ("ENCRYPTED PRIVATE KEY"), as the browser makes them: the portal keeps
an owner's copy without the passphrase, so it only checks that what it keeps is encrypted."""

import base64
import textwrap

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from certificates.pki import pem
from certificates.pki.errors import PkiError
from certificates.pki.translation import _

LABEL = "ENCRYPTED PRIVATE KEY"
# A 4096-bit RSA key encrypted with PBES2 is about 2.5 KB of PEM.
MAX_ENCRYPTED_KEY_BYTES = 16 * 1024


def check_encrypted_key(data: bytes) -> str:
    """The one ENCRYPTED PRIVATE KEY block in ``data`` as PEM text, or PkiError saying why not.

    A key that opens without a passphrase is refused: the server must never hold one."""
    if len(data) > MAX_ENCRYPTED_KEY_BYTES:
        raise PkiError(
            _(
                "The encrypted key is %(size)s KB; a key backup is a few KB, so send "
                "the key backup itself."
            )
            % {"size": len(data) // 1024}
        )
    blocks = [der for label, der in pem.pem_blocks(data) if label == LABEL]
    if len(blocks) != 1:
        unencrypted = pem.contains_private_key(data) and not blocks
        raise PkiError(
            _(
                "This is an unencrypted private key; the portal keeps only keys encrypted with "
                "your key passphrase (nothing was stored)."
            )
            if unencrypted
            else _("Send exactly one key backup (-----BEGIN ENCRYPTED PRIVATE KEY-----).")
        )
    try:
        serialization.load_der_private_key(blocks[0], password=None)
    except TypeError:
        pass  # "private key is encrypted": what we want
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise PkiError(
            _(
                "The key backup could not be read as an encrypted PKCS#8 key; send the .key "
                "file the page made."
            )
        ) from exc
    else:
        raise PkiError(
            _(
                "This key is not encrypted; the portal keeps only keys encrypted with your key "
                "passphrase (nothing was stored)."
            )
        )
    body = "\n".join(textwrap.wrap(base64.b64encode(blocks[0]).decode("ascii"), 64))
    return f"-----BEGIN {LABEL}-----\n{body}\n-----END {LABEL}-----\n"
