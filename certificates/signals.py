"""Signals other apps listen to. ``discovery`` withdraws a publication on
``certificate_invalidated`` (certificates never imports discovery)."""

from django.dispatch import Signal

# Sent with ``certificate`` and ``status`` when a certificate becomes revoked, expired or
# superseded.
certificate_invalidated = Signal()

# Sent inside the issuing transaction with ``certificate`` (the new one) and ``renews`` (the
# certificate its request renews, or None), so a listener's changes commit or roll back with it.
certificate_issued = Signal()
