"""The embedded mode's Celery broker: kombu's file-system transport, with every message written
whole before a worker can see it.

kombu's writer creates the message file in the queue folder and then writes it, and its reader
neither waits for the writer's lock nor survives an empty file: a worker that polls between the
two reads nothing and stops ("Unrecoverable error: JSONDecodeError"), and bin/serve with it.
(bench/beat_sqlite.py met this within a minute of beat dispatching every second.) Here the
message is written under a name the reader passes by and renamed into place, which is atomic
within one file system.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.transport import filesystem
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    # kombu's own file-system Channel._put has this signature, which differs from the virtual
    # base class's (its fan-out passes **kwargs); mypy holds the subclass to both.
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        # The same name kombu gives it, so its reader's order (by time) holds.
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".partial"  # does not end in ".QUEUE.msg": the reader skips it
        with open(partial, "wb") as handle:
            handle.write(dumps(payload).encode())
        os.replace(partial, final)


class Transport(filesystem.Transport):
    Channel = Channel
