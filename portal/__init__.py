"""Project package: settings, URL map, Celery app and the HTTP plumbing shared by the apps."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
