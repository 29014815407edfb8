"""Synthetic collections, results and medications for the substance-use core's tests: no real
person, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from openiop.substance_use.core.draws import SpecimenType
from openiop.substance_use.core.medications import (
    MedicationEntry,
    Prescriber,
    PrescriberKind,
    Route,
    Source,
)
from openiop.substance_use.core.results import (
    Collection,
    Method,
    Outcome,
    Reason,
    ResultRow,
    ResultValue,
)

ZONE = ZoneInfo("America/New_York")
MONDAY = date(2026, 1, 5)
STAFF = "staff-0001"
PARTICIPANT = "p-0001"


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware UTC datetime for a local time in the test program's zone."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def collection(
    key: str = "C-1",
    *,
    day: date = MONDAY,
    outcome: Outcome = Outcome.COLLECTED,
    specimen: SpecimenType = SpecimenType.URINE,
    note: str = "",
    reason: Reason = Reason.RANDOM,
) -> Collection:
    return Collection(
        key=key,
        participant=PARTICIPANT,
        specimen=specimen,
        at=at(day, 9, 30),
        outcome=outcome,
        collected_by=STAFF,
        reason=reason,
        observed=True if outcome == Outcome.COLLECTED else None,
        note=note,
    )


_counter = iter(range(1, 1_000_000))


def row(
    substance: str,
    value: ResultValue,
    *,
    method: Method = Method.PRESUMPTIVE,
    collection_key: str = "C-1",
    reported: datetime | None = None,
    supersedes: str | None = None,
    key: str | None = None,
) -> ResultRow:
    return ResultRow(
        key=key or f"r-{next(_counter)}",
        collection=collection_key,
        substance=substance,
        value=value,
        method=method,
        reported_at=reported or at(MONDAY, 9, 45),
        recorded_by=STAFF,
        supersedes=supersedes,
        lab="Example Reference Laboratory" if method == Method.CONFIRMATORY else "",
    )


def med(
    name: str,
    *,
    dose: str = "",
    key: str | None = None,
    start: date | None = MONDAY - timedelta(days=60),
    stop: date | None = None,
    route: Route = Route.ORAL,
    frequency: str = "once daily",
    indication: str = "",
    prescriber: Prescriber | None = None,
    stop_reason: str = "",
) -> MedicationEntry:
    return MedicationEntry(
        key=key or f"m-{next(_counter)}",
        name=name,
        dose=dose,
        route=route,
        frequency=frequency,
        indication=indication,
        prescriber=prescriber or Prescriber(PrescriberKind.OUTSIDE, name="Dr. A. Example"),
        source=Source.PRESCRIBER,
        start=start,
        stop=stop,
        stop_reason=stop_reason,
    )
