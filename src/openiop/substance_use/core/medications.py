"""The medication list: value types, MOUD/MAUD recognition and reconciliation in words.

OpenIOP records medications; it never prescribes. One list per episode serves the whole product
(the review packet and the discharge summary read it too). Each entry says who prescribes it: a
clinician of the program, an outside prescriber, or an opioid treatment program (OTP), and where
the information came from (the participant's own report, a pharmacy, the prescriber).

Medications for opioid use disorder (MOUD: buprenorphine, methadone, extended-release
naltrexone) and for alcohol use disorder (MAUD: naltrexone, acamprosate, disulfiram) are
recognised by generic or brand name, so the chart can mark them and ask for the Part 2 consent
that allows coordinating with the outside prescriber or OTP. Sources: SAMHSA TIP 63,
"Medications for Opioid Use Disorder" (public domain), and SAMHSA/NIAAA "Medication for the
Treatment of Alcohol Use Disorder: A Brief Guide" (2015, public domain).

Reconciliation is a step, done at admission, at each plan review and at discharge: given the
list as last reconciled and the list as reviewed, `reconcile` says what changed in words
("started naltrexone 50 mg by mouth once daily", "stopped lorazepam 1 mg",
"sertraline: dose changed 50 mg → 100 mg"), for a record the reviewer signs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from openiop.substance_use.core.wording import format_day, join_words


class Route(StrEnum):
    ORAL = "oral"
    SUBLINGUAL = "sublingual"
    BUCCAL = "buccal"
    TRANSDERMAL = "transdermal"
    INTRAMUSCULAR = "intramuscular"
    SUBCUTANEOUS = "subcutaneous"
    INTRAVENOUS = "intravenous"
    INHALED = "inhaled"
    NASAL = "nasal"
    TOPICAL = "topical"
    RECTAL = "rectal"
    OTHER = "other"


# How a route reads inside a sentence ("naltrexone 50 mg by mouth once daily").
ROUTE_WORDS: dict[Route, str] = {
    Route.ORAL: "by mouth",
    Route.SUBLINGUAL: "under the tongue",
    Route.BUCCAL: "inside the cheek",
    Route.TRANSDERMAL: "skin patch",
    Route.INTRAMUSCULAR: "injection into a muscle",
    Route.SUBCUTANEOUS: "injection under the skin",
    Route.INTRAVENOUS: "intravenous",
    Route.INHALED: "inhaled",
    Route.NASAL: "in the nose",
    Route.TOPICAL: "on the skin",
    Route.RECTAL: "rectal",
    Route.OTHER: "",
}


class PrescriberKind(StrEnum):
    PROGRAM = "program"  # a clinician of the program
    OUTSIDE = "outside"  # an outside prescriber (primary care, psychiatry, office-based MOUD)
    OTP = "otp"  # an opioid treatment program
    NOT_KNOWN = "not_known"  # the participant does not know or did not say


class Source(StrEnum):
    """Where the entry's information came from."""

    PARTICIPANT = "participant"  # the participant's own report
    PHARMACY = "pharmacy"  # a pharmacy record or fill history
    PRESCRIBER = "prescriber"  # the prescriber (or OTP) confirmed it


class Occasion(StrEnum):
    """When a reconciliation is done."""

    ADMISSION = "admission"
    PLAN_REVIEW = "plan_review"
    DISCHARGE = "discharge"


OCCASION_WORDS: dict[Occasion, str] = {
    Occasion.ADMISSION: "at admission",
    Occasion.PLAN_REVIEW: "at the plan review",
    Occasion.DISCHARGE: "at discharge",
}


class UseDisorder(StrEnum):
    OPIOID = "opioid"
    ALCOHOL = "alcohol"


class MedicationError(ValueError):
    """An entry or a reconciliation that cannot be recorded; the message says why."""


_MAX_TEXT = 200


@dataclass(frozen=True)
class Prescriber:
    kind: PrescriberKind
    # The person or the OTP, as the chart shows it ("Dr. R. Osei", "Harbor Treatment Center").
    name: str = ""
    # For a program clinician: the user's public id; for outside ones: the care-coordination
    # contact's id once the room stores them (a Part 2 consent names that party).
    party_key: str = ""
    phone: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", " ".join(self.name.split()))
        if self.kind == PrescriberKind.PROGRAM and not self.party_key:
            raise MedicationError("A program prescriber is one of the program's clinicians.")
        if self.kind in (PrescriberKind.OUTSIDE, PrescriberKind.OTP) and not self.name:
            raise MedicationError(
                "Name the outside prescriber or opioid treatment program "
                "(or record the prescriber as not known)."
            )

    def describe(self) -> str:
        if self.kind == PrescriberKind.PROGRAM:
            return f"program clinician {self.name}".rstrip()
        if self.kind == PrescriberKind.OUTSIDE:
            return f"outside prescriber {self.name}"
        if self.kind == PrescriberKind.OTP:
            return f"opioid treatment program {self.name}"
        return "prescriber not known"


@dataclass(frozen=True)
class MedicationEntry:
    """One medication on the episode's list. `start` may be unknown (taken for years);
    `stop` is the last day taken, and may be a planned date (a taper's end)."""

    key: str
    name: str
    dose: str
    route: Route
    frequency: str
    prescriber: Prescriber
    source: Source
    indication: str = ""
    start: date | None = None
    stop: date | None = None
    stop_reason: str = ""

    def __post_init__(self) -> None:
        for attr in ("name", "dose", "frequency", "indication", "stop_reason"):
            object.__setattr__(self, attr, " ".join(getattr(self, attr).split()))
        if not self.key:
            raise MedicationError("A medication entry needs its id.")
        if not self.name:
            raise MedicationError("A medication needs its name.")
        for attr in ("name", "dose", "frequency", "indication", "stop_reason"):
            if len(getattr(self, attr)) > _MAX_TEXT:
                shown = attr.replace("_", " ")
                raise MedicationError(f"The {shown} is over {_MAX_TEXT} characters.")
        if self.start and self.stop and self.stop < self.start:
            raise MedicationError(
                f"{self.name}: the stop date ({format_day(self.stop)}) is before the start "
                f"({format_day(self.start)})."
            )
        if self.stop_reason and self.stop is None:
            raise MedicationError(f"{self.name}: a stop reason needs a stop date.")

    def taken_on(self, day: date) -> bool:
        """Taken on that day, as recorded."""
        return (self.start is None or self.start <= day) and (self.stop is None or day <= self.stop)

    def current_on(self, day: date) -> bool:
        """On the list as a current medication on that day: not stopped before it (a planned
        start or stop does not take it off the list)."""
        return self.stop is None or self.stop >= day

    @property
    def use_disorder(self) -> UseDisorderMedication | None:
        return recognise(self.name, self.indication)

    def describe(self) -> str:
        """`naltrexone 50 mg by mouth once daily`."""
        parts = [self.name, self.dose, ROUTE_WORDS[self.route], self.frequency]
        return " ".join(p for p in parts if p)


# --- MOUD / MAUD recognition -----------------------------------------------------------------


@dataclass(frozen=True)
class UseDisorderMedication:
    generic: str
    treats: frozenset[UseDisorder]
    note: str = ""

    @property
    def label(self) -> str:
        labels = []
        if UseDisorder.OPIOID in self.treats:
            labels.append("MOUD")
        if UseDisorder.ALCOHOL in self.treats:
            labels.append("MAUD")
        return " or ".join(labels)


@dataclass(frozen=True)
class _Known:
    generic: str
    terms: tuple[str, ...]  # generic and brand names, as words
    treats: frozenset[UseDisorder]
    not_for_use_disorder: tuple[str, ...] = ()  # brands sold only for pain


_OPIOID = frozenset({UseDisorder.OPIOID})
_ALCOHOL = frozenset({UseDisorder.ALCOHOL})
_BOTH = frozenset({UseDisorder.OPIOID, UseDisorder.ALCOHOL})

# Generic and brand names (US). TIP 63 for MOUD; the SAMHSA/NIAAA brief guide for MAUD.
_USE_DISORDER_MEDICATIONS = (
    _Known(
        "buprenorphine",
        (
            "buprenorphine",
            "suboxone",
            "subutex",
            "zubsolv",
            "bunavail",
            "sublocade",
            "brixadi",
            "butrans",
            "belbuca",
            "buprenex",
        ),
        _OPIOID,
        # Transdermal and buccal products sold for pain, and the injection for pain.
        not_for_use_disorder=("butrans", "belbuca", "buprenex"),
    ),
    _Known("methadone", ("methadone", "methadose", "dolophine", "diskets"), _OPIOID),
    _Known("naltrexone", ("naltrexone", "vivitrol", "revia", "depade"), _BOTH),
    _Known("acamprosate", ("acamprosate", "campral"), _ALCOHOL),
    _Known("disulfiram", ("disulfiram", "antabuse"), _ALCOHOL),
)

_OPIOID_WORDS = re.compile(r"\b(opioid|opiate|oud|heroin|fentanyl)\b")
_ALCOHOL_WORDS = re.compile(r"\b(alcohol|aud|drinking)\b")
_PAIN_WORDS = re.compile(r"\bpain\b")


def words_of(text: str) -> tuple[str, ...]:
    """A name as lower-case words: `Buprenorphine/Naloxone 8mg` -> (buprenorphine, naloxone, mg)."""
    return tuple(re.findall(r"[a-z]+", text.lower()))


def mentions(name: str, term: str) -> bool:
    """Whether `term` (one or more words) occurs as whole words in `name`."""
    haystack = f" {' '.join(words_of(name))} "
    needle = " ".join(words_of(term))
    return bool(needle) and f" {needle} " in haystack


def recognise(name: str, indication: str = "") -> UseDisorderMedication | None:
    """Whether a medication is MOUD or MAUD, from its name (generic or brand) and indication.

    Buprenorphine products sold for pain, or any buprenorphine whose indication says pain, are
    not MOUD; naltrexone treats both disorders, and its indication says which when recorded.
    """
    said = indication.lower()
    for known in _USE_DISORDER_MEDICATIONS:
        if not any(mentions(name, term) for term in known.terms):
            continue
        for_pain = _PAIN_WORDS.search(said) or any(
            mentions(name, brand) for brand in known.not_for_use_disorder
        )
        opioid_said = bool(_OPIOID_WORDS.search(said))
        if for_pain and not opioid_said:
            return None
        if known.treats == _BOTH:
            alcohol_said = bool(_ALCOHOL_WORDS.search(said))
            if opioid_said != alcohol_said:
                return UseDisorderMedication(known.generic, _OPIOID if opioid_said else _ALCOHOL)
            return UseDisorderMedication(
                known.generic,
                _BOTH,
                note="naltrexone treats opioid and alcohol use disorder; record the indication",
            )
        return UseDisorderMedication(known.generic, known.treats)
    return None


def coordination_gaps(
    entries: Iterable[MedicationEntry], *, on: date, consented_parties: Collection[str]
) -> list[str]:
    """MOUD/MAUD prescribed outside the program whose prescriber no active Part 2 consent names:
    the program may record them but not coordinate with the prescriber until one does.
    `consented_parties` holds the `party_key`s that an active consent names."""
    gaps = []
    for entry in entries:
        found = entry.use_disorder
        if found is None or not entry.current_on(on):
            continue
        prescriber = entry.prescriber
        if prescriber.kind == PrescriberKind.NOT_KNOWN:
            gaps.append(
                f"{entry.name} ({found.label}): record who prescribes it to coordinate care."
            )
        elif prescriber.kind in (PrescriberKind.OUTSIDE, PrescriberKind.OTP) and (
            not prescriber.party_key or prescriber.party_key not in consented_parties
        ):
            gaps.append(
                f"{entry.name} ({found.label}): no Part 2 consent names "
                f"{prescriber.name}; coordinating with them needs one."
            )
    return gaps


# --- reconciliation --------------------------------------------------------------------------


class ChangeKind(StrEnum):
    STARTED = "started"
    STOPPED = "stopped"
    CHANGED = "changed"


@dataclass(frozen=True)
class MedicationChange:
    kind: ChangeKind
    entry_key: str
    text: str


@dataclass(frozen=True)
class Reconciliation:
    """A reconciliation ready to be signed: what was reviewed, with whom, and what changed."""

    occasion: Occasion
    on: date
    reviewed_with_participant: bool
    changes: tuple[MedicationChange, ...]
    current: tuple[MedicationEntry, ...]  # the list after the review, current on `on`
    note: str = ""
    use_disorder_medications: tuple[str, ...] = field(default=())

    @property
    def summary(self) -> str:
        """`Reviewed with the participant at admission on 5 Jan 2026. Changes: started ...`"""
        who = (
            "Reviewed with the participant"
            if self.reviewed_with_participant
            else "Reviewed without the participant"
        )
        head = f"{who} {OCCASION_WORDS[self.occasion]} on {format_day(self.on)}."
        if not self.current and not self.changes:
            body = "No medications recorded."
        elif self.changes:
            body = "Changes: " + "; ".join(c.text for c in self.changes) + "."
        else:
            body = "No changes."
        return " ".join(p for p in (head, body, self.note) if p)


def _normal(text: str) -> str:
    # "8mg" and "8 MG" are the same dose; "once daily" and "Once  daily" the same frequency.
    spaced = re.sub(r"(\d)\s*([a-zA-Zµμ])", r"\1 \2", text)
    return " ".join(spaced.lower().split())


def _same_medication(a: MedicationEntry, b: MedicationEntry) -> bool:
    return words_of(a.name) == words_of(b.name)


def _differences(before: MedicationEntry, after: MedicationEntry) -> list[str]:
    found = []
    if _normal(before.dose) != _normal(after.dose):
        found.append(
            f"dose changed {before.dose or 'not recorded'} → {after.dose or 'not recorded'}"
        )
    if before.route != after.route:
        found.append(f"route changed {before.route.value} → {after.route.value}")
    if _normal(before.frequency) != _normal(after.frequency):
        found.append(
            f"frequency changed {before.frequency or 'not recorded'} → "
            f"{after.frequency or 'not recorded'}"
        )
    if (before.prescriber.kind, before.prescriber.name, before.prescriber.party_key) != (
        after.prescriber.kind,
        after.prescriber.name,
        after.prescriber.party_key,
    ):
        found.append(
            f"prescriber changed {before.prescriber.describe()} → {after.prescriber.describe()}"
        )
    if _normal(before.indication) != _normal(after.indication):
        found.append(
            f"indication changed {before.indication or 'not recorded'} → "
            f"{after.indication or 'not recorded'}"
        )
    return found


def _started(entry: MedicationEntry, on: date) -> str:
    text = f"started {entry.describe()}"
    if entry.start and entry.start > on:
        text += f" from {format_day(entry.start)}"
    if entry.prescriber.kind != PrescriberKind.NOT_KNOWN:
        text += f" ({entry.prescriber.describe()})"
    if entry.stop:
        text += f", until {format_day(entry.stop)}"
    return text


def _stopped(entry: MedicationEntry, stopped: MedicationEntry | None) -> str:
    text = f"stopped {entry.describe()}"
    if stopped is not None and stopped.stop is not None:
        text += f" on {format_day(stopped.stop)}"
        if stopped.stop_reason:
            text += f" ({stopped.stop_reason})"
    return text


def reconcile(
    previous: Sequence[MedicationEntry],
    reviewed: Sequence[MedicationEntry],
    *,
    occasion: Occasion,
    on: date,
    reviewed_with_participant: bool,
    note: str = "",
) -> Reconciliation:
    """Compare the list as last reconciled (`previous`; empty at admission) with the list as
    reviewed today, and say what changed.

    Entries are matched by id, then by name (an entry typed in again is the same medication).
    A current entry missing from the reviewed list, or whose stop date has passed, is stopped;
    a reviewed entry with no current match is started; for a medication on both lists, each
    changed dose, route, frequency, prescriber and indication is named.
    """
    keys = [e.key for e in reviewed]
    if len(set(keys)) != len(keys):
        raise MedicationError("The reviewed list names the same entry twice.")
    if occasion == Occasion.DISCHARGE and not reviewed_with_participant and not note.strip():
        raise MedicationError(
            "Say why the discharge reconciliation was done without the participant."
        )
    before = [e for e in previous if e.current_on(on)]
    after = [e for e in reviewed if e.current_on(on)]
    stopped_now = {e.key: e for e in reviewed if not e.current_on(on)}

    pairs: list[tuple[MedicationEntry, MedicationEntry]] = []
    unmatched_before = list(before)
    unmatched_after = list(after)
    for entry in list(unmatched_after):  # by id first
        match = next((b for b in unmatched_before if b.key == entry.key), None)
        if match is not None:
            pairs.append((match, entry))
            unmatched_before.remove(match)
            unmatched_after.remove(entry)
    for entry in list(unmatched_after):  # then by name
        match = next((b for b in unmatched_before if _same_medication(b, entry)), None)
        if match is not None:
            pairs.append((match, entry))
            unmatched_before.remove(match)
            unmatched_after.remove(entry)

    changes: list[MedicationChange] = []
    for entry in sorted(unmatched_after, key=lambda e: e.name.lower()):
        changes.append(MedicationChange(ChangeKind.STARTED, entry.key, _started(entry, on)))
    for entry in sorted(unmatched_before, key=lambda e: e.name.lower()):
        stopped = stopped_now.get(entry.key) or next(
            (s for s in stopped_now.values() if _same_medication(s, entry)), None
        )
        changes.append(MedicationChange(ChangeKind.STOPPED, entry.key, _stopped(entry, stopped)))
    for old, new in sorted(pairs, key=lambda pair: pair[1].name.lower()):
        found = _differences(old, new)
        if found:
            changes.append(
                MedicationChange(ChangeKind.CHANGED, new.key, f"{new.name}: {'; '.join(found)}")
            )

    recognised = []
    for entry in after:
        found_moud = entry.use_disorder
        if found_moud is not None:
            recognised.append(f"{entry.name} ({found_moud.label})")
    return Reconciliation(
        occasion=occasion,
        on=on,
        reviewed_with_participant=reviewed_with_participant,
        changes=tuple(changes),
        current=tuple(sorted(after, key=lambda e: e.name.lower())),
        note=" ".join(note.split()),
        use_disorder_medications=tuple(recognised),
    )


def describe_list(entries: Iterable[MedicationEntry], *, on: date) -> str:
    """The current list in one line, for a review packet or a discharge summary."""
    current = sorted((e for e in entries if e.current_on(on)), key=lambda e: e.name.lower())
    if not current:
        return "No medications recorded."
    return join_words([e.describe() for e in current]) + "."
