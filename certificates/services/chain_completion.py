"""Completing an upload that lacks its issuers: most CAs mail the leaf alone, and its AIA
caIssuers URL names where the issuer certificate is (RFC 5280 4.2.2.1).

Runs before the upload's transaction (it fetches over the network) and only adds
certificates; the upload's own checks then judge the completed chain as usual.
"""

from __future__ import annotations

from cryptography import x509
from django.utils.translation import gettext as _

from certificates.pki import bundle, certinfo, issuers
from certificates.pki.errors import PkiError
from certificates.pki.subject import display_name
from certificates.services import outbound
from certificates.services.errors import Invalid

MAX_FETCHED = 4  # issuers fetched for one upload: leaf -> issuing CA -> intermediates
FETCH_TIMEOUT = 10.0


def with_fetched_issuers(
    certs: list[x509.Certificate], anchors: list[x509.Certificate]
) -> list[x509.Certificate]:
    """The uploaded ``certs`` themselves, or when their chain stops short of a root or one of
    the trust ``anchors``, the same certificates plus the issuers fetched. Invalid names the
    issuer it could not fetch and the URLs tried."""
    try:
        leaf, chain, _warnings = bundle.split_leaf_and_chain(certs)
    except PkiError:
        return certs  # the upload's own checks say what is wrong with it
    fetched: list[x509.Certificate] = []
    top = chain[-1] if chain else leaf
    while not bundle.is_self_issued(top) and issuers.issuer_among(top, anchors) is None:
        urls = _ca_issuers_urls(top)
        if not urls or len(fetched) == MAX_FETCHED:
            break
        top = _fetch_issuer(top, urls)
        fetched.append(top)
    return [*certs, *fetched]


def _ca_issuers_urls(cert: x509.Certificate) -> list[str]:
    try:
        return certinfo.describe_certificate(cert).ca_issuers_urls
    except PkiError:
        return []


def _fetch_issuer(child: x509.Certificate, urls: list[str]) -> x509.Certificate:
    problems = []
    for url in urls:
        try:
            answer = outbound.fetch(
                url,
                max_bytes=issuers.MAX_ISSUERS_BYTES,
                timeout=FETCH_TIMEOUT,
            )
            parent = issuers.issuer_among(child, issuers.read_issuers(answer.body, url))
        except outbound.FetchError as exc:
            problems.append(exc.reason)
            continue
        except PkiError as exc:
            problems.append(exc.message)
            continue
        if parent is not None:
            return parent
        problems.append(f"{url} holds no certificate that signed it.")
    raise Invalid(
        _(
            "The certificate chain does not validate: the issuer '%(issuer)s' of "
            "'%(subject)s' is not in the upload, and fetching it from %(urls)s "
            "failed (%(problems)s); upload the certificate together with its chain."
        )
        % {
            "issuer": display_name(child.issuer),
            "subject": display_name(child.subject),
            "urls": ", ".join(urls),
            "problems": " ".join(problems),
        }
    )
