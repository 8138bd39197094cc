"""JSON API v1 (DESIGN.md, "API v1"). Each module is one router; endpoints translate HTTP to
service calls (certificates.services) and back, nothing more. portal.api mounts them."""
