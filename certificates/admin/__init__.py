"""Django admin: a window on every model, with changes that matter going through the services.

Crypto material is read-only (a stored key's ciphertext and a token's hash are never shown);
audit events cannot be added, changed or deleted; certificates, requests and keys cannot be
deleted. Adding a domain or a trust anchor, rejecting requests and declaring certificates
revoked call the same service functions as the pages and the API, so they are audited alike;
so does forgiving the wrong passwords that paused someone's logins.
"""

from certificates.admin import configuration, lifecycle, logins

__all__ = ["configuration", "lifecycle", "logins"]
