"""JSON API v1 (the README's *API* section). Each module is one router; endpoints translate HTTP to
service calls (certificates.services) and back, nothing more. portal.api mounts them."""
