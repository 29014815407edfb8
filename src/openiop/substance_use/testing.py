"""Drug and alcohol testing: collections, results, expected positives, the lab file import and
the follow-ups they open. Writes and the reads that interpret them, around the pure core
(`core.results`, `core.expected`, `core.labcsv`).

The interpretation is always the core's `read_collection` over the whole result history and the
episode's medication list, so a result explained by a recorded medication reads as expected and
a presumptive positive confirmed negative reads as negative, with its history. After every write
the test's follow-ups are brought in line with that reading: new items open for the episode's
primary clinician; an open item that no longer applies (a screen the laboratory confirmed
negative) is closed with the reason.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.services import event_record
from openiop.participants.models import Episode, Participant
from openiop.programs.models import Program
from openiop.substance_use.core.draws import SpecimenType
from openiop.substance_use.core.expected import DEFAULT_PANEL
from openiop.substance_use.core.labcsv import (
    KnownCollection,
    LabFileRefused,
    parse_lab_file,
    plan_import,
)
from openiop.substance_use.core.results import (
    Collection,
    CollectionReading,
    Method,
    Outcome,
    Reason,
    ResultError,
    ResultRow,
    ResultValue,
    read_collection,
    timeline_entry,
)
from openiop.substance_use.models import (
    DrugTest,
    DrugTestResult,
    FollowUpStatus,
    TestFollowUp,
)
from openiop.substance_use.selectors import medications_for_episode
from openiop.substance_use.services import RECORDING_ROLES

EVENT_TEST = "drug_test"
PANEL_NAMES = [s.name for s in DEFAULT_PANEL.substances]


# --- reads ---------------------------------------------------------------------------------------


def as_collection(test: DrugTest) -> Collection:
    return Collection(
        key=test.custody_id,
        participant=str(test.participant.public_id),
        specimen=SpecimenType(test.specimen),
        at=test.collected_at,
        outcome=Outcome(test.outcome),
        collected_by=str(test.collected_by.public_id),
        reason=Reason(test.reason),
        observed=test.observed,
        note=test.note,
    )


def as_row(result: DrugTestResult, custody_id: str) -> ResultRow:
    return ResultRow(
        key=str(result.public_id),
        collection=custody_id,
        substance=result.substance,
        value=ResultValue(result.value),
        method=Method(result.method),
        reported_at=result.reported_at,
        recorded_by=(
            f"lab-import:{result.import_digest}"
            if result.import_digest
            else str(result.recorded_by.public_id)
        ),
        supersedes=str(result.supersedes.public_id) if result.supersedes else None,
        cutoff=result.cutoff,
        lab=result.lab,
        reported_as=result.reported_as,
        note=result.note,
    )


def _rows(test: DrugTest) -> list[ResultRow]:
    return [
        as_row(r, test.custody_id)
        for r in test.results.select_related("supersedes", "recorded_by").order_by("id")
    ]


@dataclass(frozen=True)
class TestReading:
    __test__ = False

    test: DrugTest
    reading: CollectionReading
    line: str  # the timeline's line


def read_test(test: DrugTest) -> TestReading:
    zone = zoneinfo.ZoneInfo(test.program.time_zone)
    reading = read_collection(
        as_collection(test),
        _rows(test),
        medications=medications_for_episode(test.episode),
        zone=zone,
    )
    return TestReading(test, reading, timeline_entry(reading, zone))


def readings_for_episode(episode: Episode, *, limit: int | None = None) -> list[TestReading]:
    """The episode's tests, newest first, each read against its medications. The caller has
    checked that the viewer reads the program's records at the SUD level."""
    tests = (
        DrugTest.objects.filter(episode=episode)
        .select_related("participant", "collected_by", "program", "episode")
        .order_by("-collected_at", "-id")
    )
    return [read_test(t) for t in (tests[:limit] if limit else tests)]


def open_follow_ups_for(user: User, program_ids: Sequence[int]) -> list[TestFollowUp]:
    return list(
        TestFollowUp.objects.filter(
            assigned_to=user, status=FollowUpStatus.OPEN, program_id__in=list(program_ids)
        )
        .select_related("test__participant", "episode")
        .order_by("opened_at", "id")
    )


# --- writes --------------------------------------------------------------------------------------


def _check_actor(actor: User, program: Program) -> None:
    if actor.role not in RECORDING_ROLES:
        raise ValidationError("Only clinicians and directors record tests and results.")
    if not actor.assignments.filter(program_id=program.pk).exists():
        raise ValidationError("You do not work in this program.")


def _sync_follow_ups(test: DrugTest, reading: CollectionReading, actor: User) -> None:
    wanted = {item.key: item for item in reading.follow_ups}
    now = timezone.now()
    existing = {f.key: f for f in test.follow_ups.all()}
    for key, item in wanted.items():
        if key in existing:
            continue
        TestFollowUp.objects.create(
            organization_id=test.organization_id,
            test=test,
            episode=test.episode,
            program=test.program,
            key=key,
            kind=item.kind.value,
            title=item.title,
            text=item.text,
            assigned_to=test.episode.primary_clinician,
            opened_at=now,
        )
    for key, follow_up in existing.items():
        if key not in wanted and follow_up.status == FollowUpStatus.OPEN:
            follow_up.status = FollowUpStatus.NO_LONGER_APPLIES
            follow_up.closed_at = now
            follow_up.closed_by = actor
            follow_up.closing_note = f"Closed by a later result: {reading.summary}."[:500]
            follow_up.save(update_fields=["status", "closed_at", "closed_by", "closing_note"])


def _refresh(test: DrugTest, actor: User) -> TestReading:
    try:
        read = read_test(test)
    except ResultError as error:
        raise ValidationError(str(error)) from None
    _sync_follow_ups(test, read.reading, actor)
    return read


@transaction.atomic
def drug_test_record(
    *,
    actor: User,
    episode: Episode,
    custody_id: str,
    specimen: str,
    reason: str,
    outcome: str,
    collected_at: datetime,
    observed: bool | None = None,
    note: str = "",
    tested: Iterable[str] = (),
    positive: Iterable[str] = (),
) -> DrugTest:
    """A collection (or a declined test, or one not collected), with its point-of-care
    results: every substance in `tested` is negative unless named in `positive`."""
    _check_actor(actor, episode.program)
    tested, positive = list(dict.fromkeys(tested)), set(positive)
    if positive - set(tested):
        raise ValidationError("A positive result must be for a substance that was tested.")
    unknown = [s for s in tested if s not in PANEL_NAMES]
    if unknown:
        raise ValidationError(f"Not on the program's panel: {', '.join(unknown)}.")
    if outcome != Outcome.COLLECTED.value:
        observed = None
        if tested:
            raise ValidationError("A test declined or not collected has no results.")
    if collected_at > timezone.now():
        raise ValidationError("A collection cannot be recorded ahead of time.")
    test = DrugTest(
        organization_id=episode.organization_id,
        participant_id=episode.participant_id,
        episode=episode,
        program_id=episode.program_id,
        custody_id=" ".join(custody_id.split()),
        specimen=specimen,
        reason=reason,
        outcome=outcome,
        observed=observed,
        note=note,
        collected_at=collected_at,
        collected_by=actor,
        recorded_at=timezone.now(),
    )
    try:
        as_collection(test)
        SpecimenType(specimen)
    except (ResultError, ValueError) as error:
        raise ValidationError(str(error)) from None
    try:
        with transaction.atomic():
            test.save()
    except IntegrityError:
        raise ValidationError(
            "That chain-of-custody id is already recorded; check the requisition."
        ) from None
    now = timezone.now()
    for substance in tested:
        DrugTestResult.objects.create(
            organization_id=test.organization_id,
            test=test,
            substance=substance,
            value=ResultValue.POSITIVE if substance in positive else ResultValue.NEGATIVE,
            method=Method.PRESUMPTIVE,
            reported_at=now,
            recorded_by=actor,
        )
    _refresh(test, actor)
    event_record(
        participant=episode.participant,
        kind=EVENT_TEST,
        summary="Drug or alcohol test recorded",
        actor=actor,
        program=episode.program,
    )
    return test


@dataclass(frozen=True)
class Imported:
    added: int
    unchanged: int
    tests: int
    participants: list[Participant]  # whose results were written, for the access log


@transaction.atomic
def lab_file_import(*, actor: User, program: Program, data: bytes) -> Imported:
    """A laboratory's result file for the program's collections, all or nothing: any bad row
    refuses the whole file (ValidationError naming every row), and nothing is written."""
    _check_actor(actor, program)
    tests = {
        t.custody_id: t
        for t in DrugTest.objects.filter(program=program)
        .select_related("participant", "episode__primary_clinician", "program", "collected_by")
        .select_for_update(of=("self",))
    }
    zone = zoneinfo.ZoneInfo(program.time_zone)
    known = {
        key: KnownCollection(
            key=key,
            participant_ids=frozenset({str(t.participant.public_id), t.participant.record_number}),
            collected_on=t.collected_at.astimezone(zone).date(),
        )
        for key, t in tests.items()
        if t.outcome == Outcome.COLLECTED
    }
    try:
        lab_file = parse_lab_file(data, known=known, now=timezone.now(), assume_zone=zone)
        touched = {row.collection for row in lab_file.rows}
        history = [row for key in touched for row in _rows(tests[key])]
        plan = plan_import(lab_file, history, imported_by=f"lab-import:{lab_file.digest}")
    except LabFileRefused as refused:
        raise ValidationError(list(refused.problems)) from None
    by_key = {
        str(r.public_id): r for r in DrugTestResult.objects.filter(test__custody_id__in=touched)
    }
    for row in plan.new_rows:
        test = tests[row.collection]
        made = DrugTestResult(
            organization_id=test.organization_id,
            test=test,
            substance=row.substance,
            value=row.value.value,
            method=row.method.value,
            reported_at=row.reported_at,
            recorded_by=actor,
            import_digest=plan.file_digest,
            supersedes=by_key[row.supersedes] if row.supersedes else None,
            cutoff=row.cutoff,
            lab=row.lab,
            reported_as=row.reported_as,
        )
        made.public_id = row.key  # the plan's keys chain its own new rows
        made.save()
        by_key[row.key] = made
    changed = {tests[row.collection] for row in plan.new_rows}
    for test in changed:
        _refresh(test, actor)
        event_record(
            participant=test.participant,
            kind=EVENT_TEST,
            summary="Laboratory results imported",
            actor=actor,
            program=program,
        )
    people = {t.participant.pk: t.participant for t in changed}
    return Imported(
        added=len(plan.new_rows),
        unchanged=len(plan.unchanged),
        tests=len(changed),
        participants=[people[pk] for pk in sorted(people)],
    )


@transaction.atomic
def follow_up_close(*, actor: User, follow_up: TestFollowUp, note: str) -> TestFollowUp:
    """The clinician talked it over with the participant."""
    _check_actor(actor, follow_up.program)
    locked = TestFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if locked.status != FollowUpStatus.OPEN:
        raise ValidationError("This follow-up is already closed.")
    note = " ".join(note.split())
    if not note:
        raise ValidationError("Say in a few words what was talked over.")
    locked.status = FollowUpStatus.DONE
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.closing_note = note[:500]
    locked.save(update_fields=["status", "closed_at", "closed_by", "closing_note"])
    return locked
