"""Judging what DNS answered against what a publication expects. Nothing here imports Django."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

from discovery.dnsclient import Answer
from discovery.records import Record

SHOWN_VALUE = 80  # characters of a found value quoted back in a mismatch


class RecordStatus(StrEnum):
    OK = "ok"
    MISSING = "missing"
    MISMATCH = "mismatch"
    ERROR = "error"  # no answer at all: timeouts, SERVFAIL


@dataclass(frozen=True)
class Check:
    name: str
    type: str
    value: str
    status: RecordStatus
    # Whether a validating resolver vouched for the answer (AD bit); None when nothing was found.
    authenticated: bool | None
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "status": str(self.status)}


def judge(record: Record, answer: Answer) -> Check:
    def check(status: RecordStatus, detail: str, authenticated: bool | None = None) -> Check:
        return Check(record.name_text, record.type, record.value, status, authenticated, detail)

    if answer.problem:
        return check(RecordStatus.ERROR, answer.problem)
    if not answer.rdatas:
        return check(RecordStatus.MISSING, f"No {record.type} record at {record.name_text}.")
    signed = "DNSSEC-authenticated" if answer.authenticated else "not DNSSEC-authenticated"
    if record.rdata in answer.rdatas:
        return check(RecordStatus.OK, f"Found, {signed}.", answer.authenticated)
    found = "; ".join(rdata.to_text(chunksize=0)[:SHOWN_VALUE] for rdata in answer.rdatas)
    return check(
        RecordStatus.MISMATCH,
        f"{record.name_text} has {record.type} records, but not this one (found: {found}).",
        answer.authenticated,
    )
