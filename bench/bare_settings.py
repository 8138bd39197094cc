"""The portal's settings with no middleware and one constant view: the floor of what Django
itself costs per request, under the same server and process setup as the portal."""

from portal.settings import *  # noqa: F403

MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.bare_urls"
