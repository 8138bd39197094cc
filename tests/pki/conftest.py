"""Fixtures for the pki tests: a pinned clock, test CAs, keys, and the real openssl CLI."""

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.testca import SmimeTestCA, other_root

NOW = dt.datetime(2031, 3, 15, 12, 0, tzinfo=dt.UTC)

OpenSSL = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def now() -> dt.datetime:
    return NOW


@pytest.fixture(scope="session")
def ca() -> SmimeTestCA:
    return SmimeTestCA(NOW)


@pytest.fixture(scope="session")
def other_ca() -> SmimeTestCA:
    return other_root(NOW)


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def openssl(tmp_path: Path) -> OpenSSL:
    """Run the openssl CLI in tmp_path; a non-zero exit fails the test unless check=False."""
    if shutil.which("openssl") is None:
        pytest.fail("the openssl command is not installed (bin/test installs it)")

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["openssl", *args], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        if check and result.returncode != 0:
            raise AssertionError(f"openssl {' '.join(args)} failed:\n{result.stderr}")
        return result

    return run
