"""The pki layer's door to translation.

The pki modules import nothing from Django, yet their refusals are sentences a person reads on
an upload page. They mark each one with ``_`` from here, so ``makemessages`` finds it, and the
portal installs Django's ``gettext`` at start-up (``CertificatesConfig.ready``): a refusal is
then translated into the language of the request that caused it. Without that (a script, a
unit test of the pki layer alone) the English text is returned as written.
"""

from collections.abc import Callable


def _english(message: str) -> str:
    return message


_translate: Callable[[str], str] = _english


def install(translate: Callable[[str], str]) -> None:
    """Use ``translate`` (Django's ``gettext``) for every message marked from now on."""
    global _translate
    _translate = translate


def _(message: str) -> str:
    """``message`` in the active language; placeholders are ``%(name)s``, filled after."""
    return _translate(message)


def gettext_noop(message: str) -> str:
    """Marks a constant for ``makemessages`` without translating it yet: the code that shows
    it passes it through ``_`` when a request's language is known."""
    return message
