"""Strict readers for settings that come from the environment.

Every knob of the portal is an environment variable. A typo must stop the process with a message
that names the variable, never be read as a silent default (``bool("false")`` is ``True``).
Secrets may also be given as ``NAME_FILE`` pointing at a file (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import overload
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def _raw(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name} cannot be read: {exc}") from exc
    value = os.environ.get(name)
    return value if value not in (None, "") else None


@overload
def string(name: str) -> str | None: ...
@overload
def string(name: str, default: str) -> str: ...
def string(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def required(name: str, why: str) -> str:
    value = _raw(name)
    if value is None:
        raise ImproperlyConfigured(f"{name} is not set. {why}")
    return value


def together(*names: str) -> None:
    """Settings that only work as a set: all given or none."""
    given = [name for name in names if _raw(name)]  # an empty file gives nothing either
    if given and len(given) != len(names):
        missing = [name for name in names if name not in given]
        raise ImproperlyConfigured(
            f"{', '.join(given)} is set but {', '.join(missing)} is not: set them together "
            "(each also as NAME_FILE), or none of them."
        )


def boolean(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() == "true":
        return True
    if value.lower() == "false":
        return False
    raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {value!r}.")


def integer(name: str, default: int, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def days(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """A comma-separated list of distinct whole numbers of days, each at least 1, largest
    first (``30,14,7,1``); ``none`` for an empty list."""
    value = _raw(name)
    if value is None:
        return default
    if value.strip().lower() == "none":
        return ()
    items = [item.strip() for item in value.split(",")]
    if not all(item.isdecimal() and int(item) >= 1 for item in items):
        raise ImproperlyConfigured(
            f"{name} must be whole numbers of days (at least 1) separated by commas, such as "
            f"'30,14,7,1', or 'none'; not {value!r}."
        )
    numbers = [int(item) for item in items]
    if len(set(numbers)) != len(numbers):
        raise ImproperlyConfigured(f"{name} names a day more than once: {value!r}.")
    return tuple(sorted(numbers, reverse=True))


def listing(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def generated_secret(
    path: Path, factory: Callable[[], str] = lambda: secrets.token_urlsafe(50)
) -> str:
    """Read a secret kept in ``var/``; create it (mode 0600) on first use.

    Only the embedded single-machine mode does this: with several containers each would mint
    its own key and data encrypted by one could not be read by another.
    """
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = factory()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def email_settings(url: str) -> dict[str, object]:
    """Translate ``EMAIL_URL`` (``smtp://user:pass@host:port?tls=true``, ``smtps://``,
    ``console:``, ``file:///path``, ``locmem:``) into Django's EMAIL_* settings."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parts.path),
        }
    if scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {scheme!r} is not one of smtp, smtps, console, file, locmem."
        )
    for flag in ("tls", "ssl"):
        if query.get(flag, "false").lower() not in ("true", "false"):
            raise ImproperlyConfigured(f"EMAIL_URL ?{flag}= must be 'true' or 'false'.")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": query.get("tls", "false").lower() == "true",
        "EMAIL_USE_SSL": scheme == "smtps" or query.get("ssl", "false").lower() == "true",
    }
