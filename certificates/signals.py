"""Signals other apps listen to. ``discovery`` withdraws a publication on
``certificate_invalidated`` (DESIGN.md: certificates never imports discovery)."""

from django.dispatch import Signal

# Sent with ``certificate`` and ``status`` when a certificate becomes revoked, expired or
# superseded.
certificate_invalidated = Signal()
