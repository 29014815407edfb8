"""Collections, per-substance results, confirmation, expected positives and follow-ups.

A *collection* is one specimen taken (or refused, or not collected) with its chain-of-custody
id. Its results are rows, one per substance and method, and rows are never overwritten: a
confirmatory laboratory result *replaces* a presumptive (point-of-care or immunoassay) one by
naming it in `supersedes`, and a corrected report replaces the row it corrects the same way. The
current result per substance is the end of that chain; the rows it replaced stay in the history
("presumptive positive on 5 Jan 2026, confirmed negative by the laboratory on 8 Jan 2026").

`read_collection` interprets a collection for the chart: each substance is negative, positive
and explained by a recorded medication (*expected*, never shown as use), positive and not
explained (*unexpected*), a presumptive positive that a recorded medication may cause
(*possible cross-reaction*: a laboratory confirmation would tell), invalid or dilute. An
unexpected positive, a possible cross-reaction, a refusal, or a daily MOUD the test did not
find each yields a follow-up item for the primary clinician, written in a neutral clinical
voice: results are "positive" or "negative", never anything else, and the follow-up is a
conversation with the participant, not a consequence.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from openiop.substance_use.core.draws import SpecimenType
from openiop.substance_use.core.expected import DEFAULT_TABLE, ExpectedPositiveTable
from openiop.substance_use.core.medications import MedicationEntry, mentions
from openiop.substance_use.core.wording import (
    format_day,
    format_moment,
    join_words,
    plural,
    require_aware,
)


class ResultValue(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"
    INVALID = "invalid"
    DILUTE = "dilute"


class Method(StrEnum):
    PRESUMPTIVE = "presumptive"  # point-of-care cup, dipstick, breath device or lab immunoassay
    CONFIRMATORY = "confirmatory"  # laboratory GC-MS or LC-MS/MS


class Outcome(StrEnum):
    COLLECTED = "collected"
    REFUSED = "refused"
    NOT_COLLECTED = "not_collected"  # absent, unable to provide, supplies out...


class Reason(StrEnum):
    """Why the test was asked for."""

    RANDOM = "random"  # selected by the week's random draw
    SCHEDULED = "scheduled"  # the program's scheduled testing
    CLINICAL = "clinical"  # a clinician asked (symptoms, the participant's request...)
    ADMISSION = "admission"


SPECIMEN_WORDS: dict[SpecimenType, str] = {
    SpecimenType.URINE: "urine",
    SpecimenType.ORAL_FLUID: "oral fluid",
    SpecimenType.BREATH: "breath",
}


class ResultError(ValueError):
    """A result or a history that cannot be recorded or read; the message says why."""


@dataclass(frozen=True)
class Collection:
    key: str  # the chain-of-custody id
    participant: str  # the participant's public id
    specimen: SpecimenType
    at: datetime  # when collected, or when refused / found not possible
    outcome: Outcome
    collected_by: str  # the staff member's public id
    reason: Reason = Reason.SCHEDULED
    observed: bool | None = None  # for a collected specimen: was it observed
    note: str = ""  # required for a refusal or a specimen not collected

    def __post_init__(self) -> None:
        require_aware(self.at, "A collection's time")
        object.__setattr__(self, "note", " ".join(self.note.split()))
        if not self.key.strip():
            raise ResultError("A collection needs its chain-of-custody id.")
        if self.outcome == Outcome.COLLECTED and self.observed is None:
            raise ResultError("Say whether the collection was observed.")
        if self.outcome != Outcome.COLLECTED and self.observed is not None:
            raise ResultError("Only a collected specimen is observed or not.")
        if self.outcome != Outcome.COLLECTED and not self.note:
            raise ResultError(
                "Give the reason the specimen was declined or not collected, in a few words."
            )

    def day(self, zone: tzinfo) -> date:
        return self.at.astimezone(zone).date()


@dataclass(frozen=True)
class ResultRow:
    """One result for one substance. Rows are appended, never changed."""

    key: str
    collection: str
    substance: str  # the panel's name (expected.Panel.resolve)
    value: ResultValue
    method: Method
    reported_at: datetime
    recorded_by: str  # a staff member's public id, or "lab-import:<file digest>"
    supersedes: str | None = None
    cutoff: str = ""  # "300 ng/mL"
    lab: str = ""
    reported_as: str = ""  # the analyte as the lab named it ("benzoylecgonine")
    note: str = ""

    def __post_init__(self) -> None:
        require_aware(self.reported_at, "A result's time")
        if self.supersedes == self.key:
            raise ResultError("A result cannot replace itself.")


def new_key() -> str:
    """A fresh public id for a result row (the database keeps it as the row's UUID)."""
    return str(uuid.uuid4())


# --- history: what replaced what ---------------------------------------------------------------


def current_rows(rows: Iterable[ResultRow]) -> dict[tuple[str, str], ResultRow]:
    """The current result per (collection, substance): the row nothing replaced.

    Raises ResultError on a history that cannot be read: a row replacing a row of another
    collection or substance, or one that does not exist; a row replaced twice; a cycle; a
    presumptive result replacing a confirmatory one; two current rows for one substance.
    """
    by_key: dict[str, ResultRow] = {}
    for row in rows:
        if row.key in by_key:
            raise ResultError(f"Result {row.key} appears twice.")
        by_key[row.key] = row
    replaced_by: dict[str, str] = {}
    for row in by_key.values():
        if row.supersedes is None:
            continue
        old = by_key.get(row.supersedes)
        if old is None:
            raise ResultError(f"Result {row.key} replaces {row.supersedes}, which is not here.")
        if (old.collection, old.substance) != (row.collection, row.substance):
            raise ResultError(
                f"Result {row.key} ({row.substance}) replaces a result of another collection "
                "or substance."
            )
        if old.method == Method.CONFIRMATORY and row.method == Method.PRESUMPTIVE:
            raise ResultError(
                f"A point-of-care result cannot replace the laboratory's confirmed "
                f"{row.substance} result."
            )
        if row.supersedes in replaced_by:
            raise ResultError(f"Result {row.supersedes} is replaced twice.")
        replaced_by[row.supersedes] = row.key
    heads: dict[tuple[str, str], ResultRow] = {}
    for row in by_key.values():
        if row.key in replaced_by:
            continue
        slot = (row.collection, row.substance)
        if slot in heads:
            raise ResultError(
                f"Two current {row.substance} results for collection {row.collection}: "
                "a new result must name the one it replaces."
            )
        heads[slot] = row
    # Every row must lead to a head; rows on a cycle never do.
    reached = {key for head in heads.values() for key in _chain_keys(head, by_key)}
    if len(reached) != len(by_key):
        raise ResultError("The result history has a cycle.")
    return heads


def _chain_keys(head: ResultRow, by_key: Mapping[str, ResultRow]) -> list[str]:
    keys = [head.key]
    row = head
    while row.supersedes is not None and len(keys) <= len(by_key):
        row = by_key[row.supersedes]
        keys.append(row.key)
    return keys


def chain(head: ResultRow, rows: Iterable[ResultRow]) -> tuple[ResultRow, ...]:
    """The rows a current result replaced, newest first, the current one included."""
    by_key = {row.key: row for row in rows}
    return tuple(by_key[key] for key in _chain_keys(head, by_key))


def supersedes_for(
    history: Iterable[ResultRow], *, collection: str, substance: str, method: Method
) -> str | None:
    """Which row a new result for this collection and substance replaces (its current one),
    or None for the first. A presumptive result never replaces a confirmed one."""
    current = current_rows(history).get((collection, substance))
    if current is None:
        return None
    if current.method == Method.CONFIRMATORY and method == Method.PRESUMPTIVE:
        raise ResultError(
            f"Collection {collection} already has a laboratory-confirmed {substance} result; "
            "a point-of-care result does not replace it."
        )
    return current.key


# --- reading a collection ----------------------------------------------------------------------


class Reading(StrEnum):
    NEGATIVE = "negative"
    EXPECTED = "expected"  # positive, explained by a recorded medication
    UNEXPECTED = "unexpected"  # positive, not explained by a recorded medication
    POSSIBLE_CROSS_REACTION = "possible_cross_reaction"  # presumptive positive; see expected.py
    INVALID = "invalid"
    DILUTE = "dilute"


class FollowUpKind(StrEnum):
    UNEXPECTED_POSITIVE = "unexpected_positive"
    POSSIBLE_CROSS_REACTION = "possible_cross_reaction"
    REFUSAL = "refusal"
    MEDICATION_NOT_FOUND = "medication_not_found"


@dataclass(frozen=True)
class FollowUp:
    """A neutral clinical follow-up for the participant's primary clinician.

    `key` is stable for one collection, kind and substance, so the room opens each follow-up
    once and closes it when a later reading no longer yields it (a confirmation came back
    negative: the reading says so, and the closing note can quote `SubstanceReading.text`).
    """

    key: str
    kind: FollowUpKind
    collection: str
    substance: str
    title: str  # short, without PHI: safe for a work list
    text: str


@dataclass(frozen=True)
class SubstanceReading:
    substance: str
    reading: Reading
    current: ResultRow
    history: tuple[ResultRow, ...]  # newest first, current included
    explained_by: tuple[str, ...]  # the recorded medications that explain or may explain it
    text: str

    @property
    def confirmed(self) -> bool:
        return self.current.method == Method.CONFIRMATORY


@dataclass(frozen=True)
class CollectionReading:
    collection: Collection
    substances: tuple[SubstanceReading, ...]
    follow_ups: tuple[FollowUp, ...]
    summary: str
    not_found: tuple[str, ...]  # daily MOUD expected in the specimen but not found


def _value_words(row: ResultRow) -> str:
    return row.value.value


def _method_words(row: ResultRow) -> str:
    return "laboratory-confirmed" if row.method == Method.CONFIRMATORY else "point-of-care"


def _history_words(history: Sequence[ResultRow], zone: tzinfo) -> str:
    """`; replaced the point-of-care result (positive, 5 Jan 2026)`"""
    older = history[1:]
    if not older:
        return ""
    parts = [
        f"{_method_words(row)} {_value_words(row)}, "
        f"{format_day(row.reported_at.astimezone(zone).date())}"
        for row in older
    ]
    return f"; replaced {join_words(parts)}"


def _medications_on(
    medications: Iterable[MedicationEntry], day: date, days_after_stop: int
) -> list[MedicationEntry]:
    found = []
    for entry in medications:
        started = entry.start is None or entry.start <= day
        recent = entry.stop is None or (day - entry.stop).days <= days_after_stop
        if started and recent:
            found.append(entry)
    return found


def _read_substance(
    head: ResultRow,
    history: tuple[ResultRow, ...],
    *,
    day: date,
    medications: Sequence[MedicationEntry],
    table: ExpectedPositiveTable,
    zone: tzinfo,
) -> SubstanceReading:
    substance = head.substance
    previous = _history_words(history, zone)
    how = "confirmed by the laboratory" if head.method == Method.CONFIRMATORY else "point-of-care"

    def make(reading: Reading, text: str, explained: Sequence[str] = ()) -> SubstanceReading:
        return SubstanceReading(
            substance=substance,
            reading=reading,
            current=head,
            history=history,
            explained_by=tuple(explained),
            text=text + previous,
        )

    if head.value == ResultValue.NEGATIVE:
        return make(Reading.NEGATIVE, f"{substance}: negative ({how})")
    if head.value == ResultValue.INVALID:
        return make(
            Reading.INVALID,
            f"{substance}: invalid ({how}); the specimen could not be read, a new one may be "
            "collected",
        )
    if head.value == ResultValue.DILUTE:
        return make(
            Reading.DILUTE,
            f"{substance}: dilute specimen ({how}); the result may not be reliable, a new "
            "specimen may be collected",
        )
    explaining = []
    for entry in medications:
        rule = table.explaining(substance, entry.name)
        if rule is not None and entry in _medications_on([entry], day, rule.days_after_stop):
            explaining.append(entry.name)
    if explaining:
        return make(
            Reading.EXPECTED,
            f"{substance}: positive, expected ({how}): explained by the recorded medication "
            f"{join_words(explaining)}",
            explaining,
        )
    if head.method == Method.PRESUMPTIVE:
        crossing = []
        for entry in medications:
            cross = table.cross_reacting(substance, entry.name)
            if cross is not None and entry in _medications_on([entry], day, cross.days_after_stop):
                crossing.append(entry.name)
        if crossing:
            return make(
                Reading.POSSIBLE_CROSS_REACTION,
                f"{substance}: positive (point-of-care), possibly a cross-reaction with the "
                f"recorded medication {join_words(crossing)}; a laboratory confirmation would "
                "tell",
                crossing,
            )
    return make(
        Reading.UNEXPECTED,
        f"{substance}: positive ({how}), not explained by a recorded medication",
    )


def read_collection(
    collection: Collection,
    rows: Iterable[ResultRow],
    *,
    medications: Sequence[MedicationEntry],
    zone: tzinfo,
    table: ExpectedPositiveTable = DEFAULT_TABLE,
) -> CollectionReading:
    """Interpret one collection from its whole result history and the medication list."""
    mine = [row for row in rows if row.collection == collection.key]
    heads = current_rows(mine)
    day = collection.day(zone)
    when = format_day(day)
    specimen = SPECIMEN_WORDS[collection.specimen]
    follow_ups: list[FollowUp] = []

    if collection.outcome == Outcome.REFUSED:
        if mine:
            raise ResultError(f"Collection {collection.key} was declined but has results.")
        follow_ups.append(
            FollowUp(
                key=f"{collection.key}:{FollowUpKind.REFUSAL.value}",
                kind=FollowUpKind.REFUSAL,
                collection=collection.key,
                substance="",
                title="Test declined: talk it over",
                text=f"The participant declined the {specimen} test asked for on {when}. "
                "Talk it over with them at the next contact; the reason they gave is on the "
                "collection record.",
            )
        )
        return CollectionReading(
            collection, (), tuple(follow_ups), f"{specimen.capitalize()} test declined", ()
        )
    if collection.outcome == Outcome.NOT_COLLECTED:
        if mine:
            raise ResultError(f"Collection {collection.key} was not collected but has results.")
        return CollectionReading(
            collection, (), (), f"{specimen.capitalize()} specimen not collected", ()
        )

    readings = []
    for _, head in sorted(heads.items()):
        history = chain(head, mine)
        readings.append(
            _read_substance(head, history, day=day, medications=medications, table=table, zone=zone)
        )

    for reading in readings:
        follow = _follow_up_for(reading, collection, specimen, when)
        if follow is not None:
            follow_ups.append(follow)

    # A daily MOUD the specimen should show, reported negative: a neutral review of how the
    # medication is going (TIP 63). Only where every current result for it is negative.
    not_found: list[str] = []
    for reading in readings:
        if reading.reading != Reading.NEGATIVE:
            continue
        for rule in table.expected:
            if not rule.note_if_not_detected or reading.substance not in rule.substances:
                continue
            for entry in medications:
                if entry.taken_on(day) and _mentions_any(entry.name, rule.medications):
                    not_found.append(entry.name)
                    follow_ups.append(
                        FollowUp(
                            key=f"{collection.key}:{FollowUpKind.MEDICATION_NOT_FOUND.value}:"
                            f"{reading.substance}",
                            kind=FollowUpKind.MEDICATION_NOT_FOUND,
                            collection=collection.key,
                            substance=reading.substance,
                            title="Medication not found in test: review together",
                            text=f"The {specimen} test collected on {when} did not find "
                            f"{reading.substance}, although {entry.name} is a current "
                            "medication. Review with the participant how the medication is "
                            "going (doses, timing, supply) and with the prescriber if needed.",
                        )
                    )
                    break
    return CollectionReading(
        collection=collection,
        substances=tuple(readings),
        follow_ups=tuple(_unique(follow_ups)),
        summary=_summary(readings, specimen),
        not_found=tuple(dict.fromkeys(not_found)),
    )


def _mentions_any(name: str, terms: Sequence[str]) -> bool:
    return any(mentions(name, term) for term in terms)


def _unique(items: Iterable[FollowUp]) -> list[FollowUp]:
    return list({item.key: item for item in items}.values())


def _follow_up_for(
    reading: SubstanceReading, collection: Collection, specimen: str, when: str
) -> FollowUp | None:
    substance = reading.substance
    key = f"{collection.key}:{{kind}}:{substance}"
    if reading.reading == Reading.UNEXPECTED:
        kind = FollowUpKind.UNEXPECTED_POSITIVE
        if reading.confirmed:
            text = (
                f"The laboratory confirmed the {specimen} test collected on {when} as positive "
                f"for {substance}, not explained by a recorded medication. Talk it over with "
                "the participant, and review the treatment plan together if it helps."
            )
        else:
            text = (
                f"The point-of-care {specimen} test collected on {when} is positive for "
                f"{substance}, not explained by a recorded medication. Talk it over with the "
                "participant at the next contact, including any medication not on the list; "
                "if the result is disputed or will inform a decision, ask for a laboratory "
                "confirmation."
            )
        title = "Unexpected positive result: talk it over"
    elif reading.reading == Reading.POSSIBLE_CROSS_REACTION:
        kind = FollowUpKind.POSSIBLE_CROSS_REACTION
        text = (
            f"The point-of-care {specimen} test collected on {when} is positive for "
            f"{substance}, which the recorded medication {join_words(reading.explained_by)} "
            "can cause. A laboratory confirmation would tell; talk it over with the participant "
            "before drawing conclusions."
        )
        title = "Positive result that a medication may cause: consider confirmation"
    else:
        return None
    return FollowUp(
        key=key.format(kind=kind.value),
        kind=kind,
        collection=collection.key,
        substance=substance,
        title=title,
        text=text,
    )


def _summary(readings: Sequence[SubstanceReading], specimen: str) -> str:
    if not readings:
        return f"{specimen.capitalize()} specimen collected, no results yet"
    counts: dict[Reading, list[str]] = defaultdict(list)
    for reading in readings:
        counts[reading.reading].append(reading.substance)
    parts = []
    if counts[Reading.UNEXPECTED]:
        parts.append(f"positive: {join_words(counts[Reading.UNEXPECTED])}")
    if counts[Reading.POSSIBLE_CROSS_REACTION]:
        parts.append(
            f"positive, possibly a medication cross-reaction: "
            f"{join_words(counts[Reading.POSSIBLE_CROSS_REACTION])}"
        )
    if counts[Reading.EXPECTED]:
        parts.append(f"expected positive: {join_words(counts[Reading.EXPECTED])}")
    if counts[Reading.INVALID]:
        parts.append(f"invalid: {join_words(counts[Reading.INVALID])}")
    if counts[Reading.DILUTE]:
        parts.append(f"dilute: {join_words(counts[Reading.DILUTE])}")
    negatives = counts[Reading.NEGATIVE]
    if negatives:
        parts.append(f"{plural(len(negatives), 'substance')} negative")
    if all(r.confirmed for r in readings):
        parts.append("all confirmed by the laboratory")
    elif any(r.confirmed for r in readings):
        confirmed = sum(1 for r in readings if r.confirmed)
        parts.append(f"{confirmed} of {len(readings)} confirmed by the laboratory")
    return "; ".join(parts)


def timeline_entry(reading: CollectionReading, zone: tzinfo) -> str:
    """One line for the chart's results timeline: `5 Jan 2026 09:30 urine (random, observed):
    expected positive: buprenorphine; 11 substances negative`."""
    collection = reading.collection
    bits = [collection.reason.value]
    if collection.observed is not None:
        bits.append("observed" if collection.observed else "not observed")
    return (
        f"{format_moment(collection.at, zone)} {SPECIMEN_WORDS[collection.specimen]} "
        f"({', '.join(bits)}): {reading.summary}"
    )
