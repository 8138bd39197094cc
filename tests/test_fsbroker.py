"""The embedded broker: a worker that polls while a message is being written sees nothing
(kombu's own file-system transport shows it an empty file, and the worker stops), then the
whole message."""

from __future__ import annotations

from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from kombu import Connection
from kombu.exceptions import ChannelError

from portal import fsbroker


def test_a_message_is_seen_only_once_it_is_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    connection = Connection(
        "filesystem://",
        transport="portal.fsbroker:Transport",
        transport_options={
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
        },
    )
    channel = connection.default_channel
    polled: list[str] = []
    encode = fsbroker.dumps

    def encode_while_a_worker_polls(payload: Any) -> str:
        try:
            channel._get("celery")  # the message's file is open for writing now
            polled.append("read something")
        except Empty:
            polled.append("empty")
        except (ValueError, ChannelError):
            polled.append("broken message")
        return str(encode(payload))

    monkeypatch.setattr(fsbroker, "dumps", encode_while_a_worker_polls)
    channel._put("celery", {"body": "the whole message"})
    assert polled == ["empty"]
    assert channel._get("celery") == {"body": "the whole message"}
    connection.release()
