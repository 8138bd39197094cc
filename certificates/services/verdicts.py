"""Chain verdicts follow the trust anchors: an upload is judged against the anchors of the
moment, and adding or removing an anchor judges again the stored certificates that chain to it
(``untrusted-root`` ⇄ ``trusted``), each change audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from certificates.models import Certificate, TrustAnchor
from certificates.pki import bundle
from certificates.pki.chain import ChainResult, Verdict, verify_chain
from certificates.services import audit
from certificates.services.actor import Actor
from certificates.services.downloads import chain_of


@dataclass(frozen=True)
class TrustStore:
    anchors: list[tuple[TrustAnchor, x509.Certificate]]

    @classmethod
    def load(cls, *, without: TrustAnchor | None = None) -> TrustStore:
        rows = TrustAnchor.objects.exclude(pk=without.pk) if without else TrustAnchor.objects
        return cls([(a, x509.load_der_x509_certificate(bytes(a.der))) for a in rows.all()])

    @property
    def certificates(self) -> list[x509.Certificate]:
        return [root for _, root in self.anchors]

    def anchor_for(self, result: ChainResult) -> TrustAnchor | None:
        """The configured anchor a trusted chain ends at."""
        if result.verdict != Verdict.TRUSTED or result.anchor is None:
            return None
        fingerprint = result.anchor.fingerprint(hashes.SHA256()).hex()
        return next((a for a, _ in self.anchors if a.sha256_fingerprint == fingerprint), None)


def _judge(cert: Certificate, store: TrustStore, now: datetime) -> ChainResult:
    """The verdict the stored leaf and chain get from ``store``, judged at ``now`` or, for a
    certificate no longer (or not yet) valid, within its validity: trust is the question here,
    not expiry."""
    moment = min(max(now, cert.not_before), cert.not_after - timedelta(seconds=1))
    leaf = x509.load_der_x509_certificate(bytes(cert.der))
    return verify_chain(leaf, chain_of(cert), store.certificates, moment)


def _mentions(cert: Certificate, root: x509.Certificate) -> bool:
    """Whether ``root`` is, or issued, a certificate of the stored chain."""
    leaf = x509.load_der_x509_certificate(bytes(cert.der))
    return any(root.subject in (c.subject, c.issuer) for c in [leaf, *chain_of(cert)])


def _apply(
    actor: Actor, cert: Certificate, result: ChainResult, anchor: TrustAnchor | None
) -> bool:
    """Store a new verdict (its warning with it); False when nothing changed."""
    if (result.verdict, anchor.pk if anchor else None) == (
        cert.chain_verdict,
        cert.trust_anchor_id,
    ):
        return False
    was = cert.chain_verdict
    warnings = [w for w in cert.warnings if w != cert.chain_reason]
    if result.verdict == Verdict.UNTRUSTED_ROOT:
        warnings.append(result.reason)
    cert.chain_verdict, cert.chain_reason, cert.trust_anchor = result.verdict, result.reason, anchor
    cert.warnings = warnings
    cert.chain_pem = bundle.certificates_to_pem(result.chain)
    cert.save(
        update_fields=["chain_verdict", "chain_reason", "trust_anchor", "warnings", "chain_pem"]
    )
    audit.record(
        actor,
        "certificate.rejudged",
        cert,
        chain_verdict=result.verdict,
        was=was,
        trust_anchor=anchor.name if anchor else None,
    )
    return True


def after_adding(actor: Actor, added: TrustAnchor, now: datetime) -> list[Certificate]:
    """Untrusted-root certificates whose chain involves the new anchor's subject are judged
    again; those that now chain to it become trusted. Returns them."""
    store = TrustStore.load()
    root = x509.load_der_x509_certificate(bytes(added.der))
    changed = []
    for cert in Certificate.objects.filter(chain_verdict=Verdict.UNTRUSTED_ROOT):
        if not _mentions(cert, root):
            continue
        result = _judge(cert, store, now)
        if result.verdict == Verdict.TRUSTED and _apply(
            actor, cert, result, store.anchor_for(result)
        ):
            changed.append(cert)
    return changed


def before_removing(actor: Actor, removed: TrustAnchor, now: datetime) -> list[Certificate]:
    """The certificates trusted through ``removed`` are judged against the other anchors: they
    stay trusted through another one, or become untrusted-root with its warning. Returns the
    ones that became untrusted-root."""
    store = TrustStore.load(without=removed)
    untrusted = []
    for cert in Certificate.objects.filter(trust_anchor=removed):
        result = _judge(cert, store, now)
        if result.verdict == Verdict.INVALID:
            # Valid when it was stored; only the anchor went. Its stored chain still shows
            # which root it ends at, so say that rather than a path error.
            result = ChainResult(
                Verdict.UNTRUSTED_ROOT,
                None,
                f"The chain ends at the trust anchor '{removed.name}', which an admin removed; "
                "the portal no longer vouches for its issuer.",
                chain_of(cert),
            )
        _apply(actor, cert, result, store.anchor_for(result))
        if result.verdict == Verdict.UNTRUSTED_ROOT:
            untrusted.append(cert)
    return untrusted
