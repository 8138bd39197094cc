"""Translated text with values filled in, for sentences built at import time.

``gettext_lazy("... %(n)s ...") % values`` would translate at once, while the module loads and
no request's language is active; ``interpolate_lazy`` waits until the text is rendered.
"""

from collections.abc import Mapping

from django.utils.functional import lazy
from django_stubs_ext import StrOrPromise


def _interpolate(message: StrOrPromise, values: Mapping[str, object]) -> str:
    return str(message) % values


# Typed as returning str (django-stubs); it returns a lazy proxy that renders as one.
interpolate_lazy = lazy(_interpolate, str)
