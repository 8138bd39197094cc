"""Server-rendered pages. Views translate HTTP to service calls and back; they change nothing
themselves (certificates.services does, with its access checks and audit)."""
