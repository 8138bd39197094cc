"""A throwaway two-tier S/MIME CA for tests, profiled like a public S/MIME issuer.

Built with `cryptography` alone (independent of the code under test) and with validity
windows relative to an explicit `now`, so nothing expires on a calendar date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

EMAIL_PROTECTION = ExtendedKeyUsageOID.EMAIL_PROTECTION
MAILBOX_LEGACY_POLICY = x509.ObjectIdentifier("2.23.140.1.5.1.1")  # S/MIME BR mailbox legacy
CRL_URL = "http://crl.test.invalid/issuing.crl"
OCSP_URL = "http://ocsp.test.invalid"
CA_ISSUERS_URL = "http://ca.test.invalid/issuing.crt"
DAY = dt.timedelta(days=1)


def _name(common_name: str, organization: str = "Test Trust Services") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(**bits: bool) -> x509.KeyUsage:
    names = (
        "digital_signature content_commitment key_encipherment data_encipherment key_agreement "
        "key_cert_sign crl_sign encipher_only decipher_only"
    ).split()
    return x509.KeyUsage(**{n: bits.get(n, False) for n in names})


def _ski(key: CertificatePublicKeyTypes) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(key)


def _aki(key: ec.EllipticCurvePublicKey) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(key)


class SmimeTestCA:
    """Root (self-signed) -> issuing CA (pathlen 0, EKU emailProtection) -> leaves."""

    def __init__(self, now: dt.datetime, *, label: str = "Test") -> None:
        self.now = now
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.issuing_key = ec.generate_private_key(ec.SECP256R1())
        root_name = _name(f"{label} S/MIME Root CA")
        self.root = (
            x509.CertificateBuilder()
            .subject_name(root_name)
            .issuer_name(root_name)
            .public_key(self.root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - 3 * 365 * DAY)
            .not_valid_after(now + 20 * 365 * DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(_ski(self.root_key.public_key()), critical=False)
            .sign(self.root_key, hashes.SHA256())
        )
        self.issuing = self.make_issuing(now - 2 * 365 * DAY, now + 5 * 365 * DAY, label=label)

    def make_issuing(
        self, not_before: dt.datetime, not_after: dt.datetime, *, label: str = "Test"
    ) -> x509.Certificate:
        """An issuing CA certificate for `issuing_key` (another window: an expired one)."""
        return (
            x509.CertificateBuilder()
            .subject_name(_name(f"{label} S/MIME Issuing CA"))
            .issuer_name(self.root.subject)
            .public_key(self.issuing_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([EMAIL_PROTECTION]), critical=False)
            .add_extension(_ski(self.issuing_key.public_key()), critical=False)
            .add_extension(_aki(self.root_key.public_key()), critical=False)
            .add_extension(_crldp("http://crl.test.invalid/root.crl"), critical=False)
            .sign(self.root_key, hashes.SHA256())
        )

    @property
    def chain(self) -> list[x509.Certificate]:
        return [self.issuing, self.root]

    def issue(
        self,
        csr_or_public_key: x509.CertificateSigningRequest | CertificatePublicKeyTypes,
        email: str,
        *,
        now: dt.datetime,
        days: int = 365,
        eku: Sequence[x509.ObjectIdentifier] | None = (EMAIL_PROTECTION,),
        key_usage: str | None = "both",
        extra_email: str | None = None,
        subject: x509.Name | None = None,
        san: bool = True,
        crldp: bool = True,
        signer: CertificateIssuerPrivateKeyTypes | None = None,
        ocsp_url: str | None = OCSP_URL,
        crl_url: str = CRL_URL,
        ca_issuers_url: str | None = CA_ISSUERS_URL,
    ) -> x509.Certificate:
        """A leaf valid from `now` - 1 hour for `days` days.

        key_usage: "both" | "signing" | "encryption" | "neither" (only dataEncipherment) |
        None (no KeyUsage extension). eku=None leaves the EKU extension out. `signer` signs
        with another key under the same issuer name (a forged / broken signature). The URLs
        go into AIA and CRLDP (None leaves that access method out).
        """
        if isinstance(csr_or_public_key, x509.CertificateSigningRequest):
            public_key = csr_or_public_key.public_key()
        else:
            public_key = csr_or_public_key
        emails = [email] + ([extra_email] if extra_email else [])
        builder = (
            x509.CertificateBuilder()
            .subject_name(
                subject
                or x509.Name(
                    [
                        x509.NameAttribute(NameOID.COMMON_NAME, email),
                        x509.NameAttribute(NameOID.EMAIL_ADDRESS, email),
                    ]
                )
            )
            .issuer_name(self.issuing.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + days * DAY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_aki(self.issuing_key.public_key()), critical=False)
            .add_extension(
                x509.CertificatePolicies([x509.PolicyInformation(MAILBOX_LEGACY_POLICY, None)]),
                critical=False,
            )
        )
        access = [
            x509.AccessDescription(method, x509.UniformResourceIdentifier(url))
            for method, url in [
                (AuthorityInformationAccessOID.OCSP, ocsp_url),
                (AuthorityInformationAccessOID.CA_ISSUERS, ca_issuers_url),
            ]
            if url is not None
        ]
        if access:
            builder = builder.add_extension(x509.AuthorityInformationAccess(access), critical=False)
        if san:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.RFC822Name(e) for e in emails]), critical=False
            )
        if crldp:
            builder = builder.add_extension(_crldp(crl_url), critical=False)
        if eku is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
        if key_usage is not None:
            builder = builder.add_extension(_leaf_key_usage(public_key, key_usage), critical=True)
        return builder.sign(signer or self.issuing_key, hashes.SHA256())


def _crldp(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)]
    )


def _leaf_key_usage(public_key: CertificatePublicKeyTypes, usage: str) -> x509.KeyUsage:
    sign = usage in ("both", "signing")
    encrypt = usage in ("both", "encryption")
    if usage == "neither":
        return _key_usage(data_encipherment=True)
    if isinstance(public_key, rsa.RSAPublicKey):
        return _key_usage(digital_signature=sign, key_encipherment=encrypt)
    return _key_usage(digital_signature=sign, key_agreement=encrypt)


def other_root(now: dt.datetime) -> SmimeTestCA:
    """A second, unrelated hierarchy (nobody's trust anchor) for untrusted-root cases."""
    return SmimeTestCA(now, label="Other")
