"""Beat's schedule lives in the database (django-celery-beat), so admins see and change it in
the Django admin (*Periodic tasks*).

``CELERY_BEAT_SCHEDULE`` in the settings holds the defaults. django-celery-beat's own scheduler
writes them over the database's entries at every start, which would undo an admin's change at
the next restart; this one adds only the entries the database lacks, so what an admin set
(interval, time of day, enabled) stays. Deleting an entry brings its default back at the next
start of beat.
"""

from __future__ import annotations

from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler


class Scheduler(DatabaseScheduler):  # type: ignore[misc]  # django-celery-beat has no types
    def setup_schedule(self) -> None:
        # (No celery.backend_cleanup entry, which the stock scheduler adds: results are not kept.)
        defaults = self.app.conf.beat_schedule
        present = set(
            PeriodicTask.objects.filter(name__in=list(defaults)).values_list("name", flat=True)
        )
        self.update_from_dict({n: e for n, e in defaults.items() if n not in present})
