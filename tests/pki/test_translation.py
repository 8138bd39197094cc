"""The pki layer's refusals go through its translation hook, with values filled in after."""

from collections.abc import Iterator

import pytest
from django.utils import translation as django_translation

from certificates.pki import translation
from certificates.pki.csr import load_csr
from certificates.pki.errors import PkiError, Problem
from certificates.pki.keys import check_public_key

FAKE_CATALOG = {
    "The file holds %(count)s CSRs; upload one CSR per request.": (
        "Die Datei enthält %(count)s CSRs; bitte einen CSR pro Antrag hochladen."
    ),
    "%(count)s problems:": "%(count)s Probleme:",
}


@pytest.fixture
def fake_language() -> Iterator[None]:
    translation.install(lambda message: FAKE_CATALOG.get(message, message))
    yield
    translation.install(django_translation.gettext)


def test_refusals_use_the_installed_translation_with_values_filled_in(
    fake_language: None,
) -> None:
    csr_block = b"-----BEGIN CERTIFICATE REQUEST-----\nMA==\n-----END CERTIFICATE REQUEST-----\n"
    with pytest.raises(PkiError) as refused:
        load_csr(csr_block * 2)
    assert refused.value.message == (
        "Die Datei enthält 2 CSRs; bitte einen CSR pro Antrag hochladen."
    )


def test_several_problems_are_summed_up_in_the_installed_language(fake_language: None) -> None:
    error = PkiError.of([Problem("a", "One."), Problem("b", "Two.")])
    assert error.message == "2 Probleme: One. Two."


def test_a_message_without_a_translation_stays_english(fake_language: None) -> None:
    with pytest.raises(PkiError) as refused:
        check_public_key(object())
    assert refused.value.message.startswith("These keys are not accepted for S/MIME; create an RSA")


def test_the_portal_installs_djangos_gettext_for_the_pki_layer() -> None:
    # CertificatesConfig.ready() wires the hook, so refusals follow the request's language.
    assert translation._translate is django_translation.gettext
