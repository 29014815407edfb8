"""The two-program world the access matrix walks (issue 14).

Two organizations. In the first, a DBT IOP and an IOP that treats substance use (its records
are 42 CFR Part 2 records); in the second, one IOP. One person, Dana Dualperson, is enrolled in
both programs of the first organization (co-occurring disorders); Yuri Secondperson is in the
DBT program only; Zed Farperson is in the other organization. Each (person, program) pair is a
*slot* with a full set of records: episodes (one active, one discharged with a signed summary),
consents, a family contact, safety, treatment and relapse prevention plans, diary card, scores,
an alert, a coaching request, sessions, attendance, a note, an intake assessment, a follow-up.

Every record carries a marker naming its slot and its access level, so a page can be scanned
for what its viewer must not see:

- ``qqc<slot>``: clinical content (notes, plans, cards, alerts): staff of the slot's program
  with clinical access (and SUD access for a substance-use program), and the person;
- ``qqi<slot>``: identity content of the enrolment (family contacts, the individual session,
  follow-ups, outside recipients): staff of the slot's program, the person, and a family
  member holding a release from that program;
- the person's surname: staff of any of the person's programs, the person and their family.

Family members: Fran Dbtkin holds a release from the DBT program only, Sid Sudkin a Part 2
consent from the substance-use program only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.billing.models import ClaimBatch
from openiop.care.models import (
    MeasureKind,
    TreatmentPlan,
)
from openiop.care.services import (
    ObjectiveFields,
    ReviewItemInput,
    plan_draft_start,
    plan_goal_add,
    plan_intervention_add,
    plan_objective_add,
    plan_problem_add,
    plan_review_complete,
    plan_sign_clinician,
    plan_sign_participant,
    relapse_plan_agree,
    relapse_plan_draft_save,
    relapse_proposal_create,
)
from openiop.diary.models import DiaryCard
from openiop.discharge.services import summary_draft, summary_save, summary_sign
from openiop.intake.models import Inquiry, InquirySource, InquiryStatus, IntakeAssessment
from openiop.lib.timezones import today_in
from openiop.measures.models import Administration, Phase, ResponseMode
from openiop.measures.services import response_record
from openiop.notes import services as note_services
from openiop.notes.models import NoteFormat
from openiop.participants import consents
from openiop.participants.models import (
    CareTeamRole,
    Consent,
    ConsentExpiry,
    ConsentInfo,
    ConsentKind,
    DischargeKind,
    Episode,
    EpisodeStatus,
    FamilyContact,
    Participant,
)
from openiop.participants.services import family_contact_add
from openiop.programs.models import (
    CurriculumBlock,
    Lesson,
    Program,
    Room,
    SessionCategory,
    SessionType,
    SkillsModule,
)
from openiop.safety.coaching import coaching_request_create
from openiop.safety.models import RuleKind
from openiop.safety.plans import (
    safety_plan_draft_save,
    safety_plan_sign_clinician,
    safety_plan_sign_participant,
)
from openiop.safety.services import alert_raise, rules_for
from openiop.scheduling.attendance import follow_up_raise
from openiop.scheduling.ical import feed_token_create
from openiop.scheduling.models import (
    Attendance,
    AttendanceStatus,
    FamilyAttendee,
    FollowUpItem,
    PlanRun,
    PlanState,
    RosterEntry,
    RosterSource,
    Session,
    SessionSeries,
    Unavailability,
)
from openiop.substance_use.services import (
    MedicationInput,
    medication_record,
    reconciliation_sign,
)
from openiop.substance_use.testing import drug_test_record
from tests import factories as f
from tests.billing.room import authorize, cover, diagnose, make_payer

PASSWORD = "correct horse battery staple"


@dataclass
class Slot:
    """One person's enrolment in one program, with a record of every kind."""

    key: str
    person: Participant
    program: Program
    clinician: User
    episode: Any = None
    past: Any = None
    records: dict[str, Any] = field(default_factory=dict)

    @property
    def clinical(self) -> str:
        return f"qqc{self.key}"

    @property
    def identity(self) -> str:
        return f"qqi{self.key}"

    @property
    def sud(self) -> bool:
        return self.program.treats_sud

    def __getattr__(self, name: str) -> Any:
        records = self.__dict__.get("records", {})
        if name in records:
            return records[name]
        raise AttributeError(name)


@dataclass
class World:
    org: Any
    other_org: Any
    dbt: Program
    sud: Program
    far: Program
    users: dict[str, Any]
    slots: dict[str, Slot]
    people: dict[str, Participant]
    programs: dict[str, SimpleNamespace]
    extra: dict[str, Any] = field(default_factory=dict)

    def persona_programs(self, name: str) -> set[int]:
        user = self.users.get(name)
        if user is None:
            return set()
        return set(user.assignments.values_list("program_id", flat=True))


def _staff(org: Any, role: str, programs: list[Any], full_name: str) -> Any:
    return f.UserFactory(organization=org, role=role, programs=programs, full_name=full_name)


def _program_objects(program: Program, director: User) -> SimpleNamespace:
    """What a director configures: track, room, session type, curriculum, a series."""
    track = f.TrackFactory(program=program, name=f"Morning {program.name}")
    room = Room.objects.create(
        organization=program.organization, site=program.site, name=f"Room {program.pk}", capacity=12
    )
    group_type = SessionType.objects.create(
        organization=program.organization,
        program=program,
        name="Skills group",
        category=SessionCategory.SKILLS_GROUP,
        default_minutes=90,
        is_group=True,
    )
    individual_type = SessionType.objects.create(
        organization=program.organization,
        program=program,
        name="Individual therapy",
        category=SessionCategory.INDIVIDUAL,
        default_minutes=50,
        is_group=False,
    )
    family_type = SessionType.objects.create(
        organization=program.organization,
        program=program,
        name="Family session",
        category=SessionCategory.FAMILY,
        default_minutes=50,
        is_group=False,
    )
    block = CurriculumBlock.objects.create(
        organization=program.organization,
        program=program,
        module=SkillsModule.MINDFULNESS,
        position=1,
        weeks=2,
    )
    lesson = Lesson.objects.create(
        organization=program.organization, block=block, week=1, title="Wise mind"
    )
    today = today_in(program.time_zone)
    series = SessionSeries.objects.create(
        organization=program.organization,
        program=program,
        session_type=group_type,
        track=track,
        room=room,
        weekdays="0",
        start_time=time(9, 0),
        end_time=time(10, 30),
        starts_on=today + timedelta(days=60),
        ends_on=today + timedelta(days=90),
        created_by=director,
    )
    plan_run = PlanRun.objects.create(
        organization=program.organization,
        program=program,
        week_start=today - timedelta(days=today.weekday() - 7),
        requested_by=director,
        state=PlanState.READY,
        proposal={"status": "optimal", "sessions": [], "unplaced": [], "requests": 0},
    )
    return SimpleNamespace(
        program=program,
        site=program.site,
        plan_run=plan_run,
        track=track,
        room=room,
        group_type=group_type,
        individual_type=individual_type,
        family_type=family_type,
        block=block,
        lesson=lesson,
        series=series,
    )


def _session(
    program: SimpleNamespace,
    kind: SessionType,
    *,
    starts_in: timedelta,
    minutes: int,
    topic: str,
    facilitator: User,
    episodes: list[Episode],
    created_by: User,
) -> Session:
    starts = timezone.now() + starts_in
    session = Session.objects.create(
        organization=program.program.organization,
        program=program.program,
        session_type=kind,
        room=program.room,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=minutes),
        topic=topic,
        created_by=created_by,
    )
    session.facilitators.set([facilitator])
    RosterEntry.objects.bulk_create(
        [
            RosterEntry(
                organization=program.program.organization,
                session=session,
                participant_id=e.participant_id,
                episode=e,
                source=RosterSource.TRACK,
            )
            for e in episodes
        ]
    )
    return session


def _attend(session: Session, episode: Episode, by: User) -> Attendance:
    return Attendance.objects.create(
        organization=session.organization,
        session=session,
        participant_id=episode.participant_id,
        episode=episode,
        status=AttendanceStatus.PRESENT,
        minutes=int((session.ends_at - session.starts_at).total_seconds() // 60),
        recorded_by=by,
        recorded_at=session.starts_at + timedelta(minutes=5),
    )


def _episodes(slot: Slot, programs: dict[str, SimpleNamespace]) -> None:
    today = today_in(slot.program.time_zone)
    slot.past = f.EpisodeFactory(
        participant=slot.person,
        program=slot.program,
        status=EpisodeStatus.DISCHARGED,
        inquiry_on=today - timedelta(days=400),
        admitted_on=today - timedelta(days=390),
        started_on=today - timedelta(days=388),
        discharged_on=today - timedelta(days=300),
        discharge_kind=DischargeKind.COMPLETED,
        primary_clinician=slot.clinician,
    )
    slot.episode = f.EpisodeFactory(
        participant=slot.person,
        program=slot.program,
        track=programs[_program_key(slot.program)].track,
        status=EpisodeStatus.ACTIVE,
        primary_clinician=slot.clinician,
        inquiry_on=today - timedelta(days=40),
        admitted_on=today - timedelta(days=30),
        started_on=today - timedelta(days=28),
    )
    f.CareTeamMemberFactory(episode=slot.episode, user=slot.clinician, role=CareTeamRole.PRIMARY)


def _program_key(program: Program) -> str:
    return (
        {True: "sud", False: "dbt"}[program.treats_sud] if program.name != "Faraway IOP" else "far"
    )


def _sign(actor: User, slot: Slot, kind: str, **kw: Any) -> Consent:
    return consents.consent_sign(
        actor=actor,
        participant=slot.person,
        episode=slot.episode,
        kind=kind,
        typed_name=slot.person.legal_name,
        **kw,
    )


def _consents(slot: Slot) -> None:
    clin = slot.clinician
    slot.records["treatment_consent"] = _sign(clin, slot, ConsentKind.TREATMENT)
    disclose = ConsentKind.PART2 if slot.sud else ConsentKind.RELEASE
    # A release (or Part 2 consent) to an outside provider for the discharge summary and scores.
    slot.records["provider_consent"] = _sign(
        clin,
        slot,
        disclose,
        recipient_name=f"Dr. Outside {slot.identity}",
        recipient_organization="Riverside Counseling",
        information=[ConsentInfo.SUD_RECORDS]
        if slot.sud
        else [ConsentInfo.DISCHARGE_SUMMARY, ConsentInfo.ASSESSMENTS],
        purpose="Continuing care after the program",
        expiry=ConsentExpiry.DATE,
        expires_on=today_in(slot.program.time_zone) + timedelta(days=200),
    )


def _medications(slot: Slot) -> None:
    """A medication on each episode's list, named with the slot's clinical marker, and the
    admission reconciliation that names it again."""
    slot.records["medication"] = medication_record(
        actor=slot.clinician,
        episode=slot.episode,
        data=MedicationInput(
            name=f"Medication {slot.clinical}",
            dose="10 mg",
            prescriber_kind="outside",
            prescriber_name=f"Dr. Prescriber {slot.clinical}",
            coordination_consent=slot.provider_consent if slot.sud else None,
        ),
    )
    slot.records["reconciliation"] = reconciliation_sign(
        actor=slot.clinician,
        episode=slot.episode,
        occasion="admission",
        reviewed_on=today_in(slot.program.time_zone),
        reviewed_with_participant=True,
    )


def _drug_tests(slot: Slot) -> None:
    """In the substance-use program: a positive screen (a follow-up for the primary clinician)
    and a declined test whose reason carries the slot's clinical marker."""
    if not slot.sud:
        return
    slot.records["drug_test"] = drug_test_record(
        actor=slot.clinician,
        episode=slot.episode,
        custody_id=f"C-{slot.key}-1",
        specimen="urine",
        reason="random",
        outcome="collected",
        observed=True,
        collected_at=timezone.now() - timedelta(days=1),
        tested=["cocaine", "opiates"],
        positive=["cocaine"],
    )
    drug_test_record(
        actor=slot.clinician,
        episode=slot.episode,
        custody_id=f"C-{slot.key}-2",
        specimen="oral_fluid",
        reason="scheduled",
        outcome="refused",
        collected_at=timezone.now() - timedelta(hours=3),
        note=f"Declined {slot.clinical}",
    )


def _family(slot: Slot, name: str, relationship: str, user: User | None) -> FamilyContact:
    contact = family_contact_add(
        actor=slot.clinician,
        participant=slot.person,
        name=name,
        relationship=relationship,
        phone="555-0190",
        program=slot.program,
    )
    if user is not None:
        contact.user = user
        contact.save(update_fields=["user"])
    slot.records["contact"] = contact
    disclose = ConsentKind.PART2 if slot.sud else ConsentKind.RELEASE
    slot.records["family_consent"] = _sign(
        slot.clinician,
        slot,
        disclose,
        recipient_contact=contact,
        information=[
            ConsentInfo.FAMILY_SCHEDULE,
            ConsentInfo.ATTENDANCE,
            ConsentInfo.PROGRAM_CONTACT,
        ],
        purpose="Family involvement in treatment",
        expiry=ConsentExpiry.DISCHARGE,
    )
    return contact


def _safety_plan(slot: Slot) -> None:
    plan = safety_plan_draft_save(
        participant=slot.person,
        actor=slot.clinician,
        sections={"warning_signs": f"{slot.clinical} warning signs", "coping_alone": "Walk"},
        program=slot.program,
    )
    safety_plan_sign_clinician(version=plan, actor=slot.clinician)
    signed = safety_plan_sign_participant(
        version=plan, participant=slot.person, typed_name=slot.person.legal_name
    )
    slot.records["safety_plan"] = signed


def _treatment_plan(slot: Slot) -> None:
    clin, today = slot.clinician, today_in(slot.program.time_zone)
    plan = plan_draft_start(actor=clin, episode=slot.episode)
    problem = plan_problem_add(actor=clin, plan=plan, description=f"{slot.clinical} low mood")
    goal = plan_goal_add(actor=clin, problem=problem, description="Feel better day to day")
    objective = plan_objective_add(
        actor=clin,
        goal=goal,
        fields=ObjectiveFields(
            description="Come to most groups",
            measure_kind=MeasureKind.ATTENDANCE,
            target_on=today + timedelta(days=30),
            direction="at_least",
            threshold="80",
        ),
    )
    plan_intervention_add(
        actor=clin,
        objective=objective,
        modality="dbt",
        description="Skills group",
        frequency="3 a week",
        responsible=clin,
    )
    plan.refresh_from_db()
    plan_sign_clinician(actor=clin, plan=plan)
    plan = plan_sign_participant(
        plan=plan, participant=slot.person, typed_name=slot.person.legal_name
    )
    slot.records["plan"] = plan
    slot.records["objective"] = objective
    slot.records["problem"] = problem
    review = plan_review_complete(
        actor=clin,
        plan=plan,
        reviewed_on=today,
        items={str(objective.public_id): ReviewItemInput(progress="progressing")},
        changes="Keep going",
    )
    slot.records["review"] = review
    slot.records["draft_plan"] = TreatmentPlan.objects.get(episode=slot.episode, status="draft")


def _relapse_plan(slot: Slot) -> None:
    draft = relapse_plan_draft_save(
        actor=slot.clinician,
        episode=slot.episode,
        sections={"external_triggers": f"{slot.clinical} triggers", "early_signs": "Isolating"},
        review_on=None,
    )
    current = relapse_plan_agree(actor=slot.clinician, plan=draft)
    slot.records["relapse"] = current
    slot.records["proposal"] = relapse_proposal_create(
        participant=slot.person, plan=current, section="external_triggers", text="Payday evenings"
    )


def _diary_and_alert(slot: Slot) -> None:
    day = today_in(slot.program.time_zone) - timedelta(days=1)
    card = DiaryCard.objects.create(
        organization=slot.person.organization,
        participant=slot.person,
        episode=slot.episode,
        day=day if slot.key != "xsud" else day - timedelta(days=1),
        urge_suicide=4,
        urge_self_harm=1,
        urge_substance=2,
        action_self_harm=False,
        action_substance=False,
        medication="taken",
        emotions={"sadness": 2},
        skills={"mindfulness": 3},
        note=f"{slot.clinical} diary note",
        submitted_at=timezone.now() - timedelta(hours=20),
        submitted_by=slot.person.user or slot.clinician,
    )
    slot.records["card"] = card
    rule = rules_for(slot.program)[RuleKind.URGE_RISK]
    with transaction.atomic():
        slot.records["alert"] = alert_raise(
            rule=rule,
            participant=slot.person,
            episode=slot.episode,
            day=card.day,
            evidence=f"{slot.clinical} urge 4 of 5",
            source_type="diary_card",
            source_id=card.public_id,
        )
    assert slot.records["alert"] is not None


def _measures(slot: Slot) -> None:
    slot.records["response"] = response_record(
        participant=slot.person,
        episode=slot.episode,
        instrument_code="PHQ-9",
        answers=[1, 1, 1, 1, 1, 1, 0, 0, 0],
        entered_by=slot.clinician,
        mode=ResponseMode.IN_SESSION,
    )
    slot.records["checkin"] = Administration.objects.create(
        organization=slot.person.organization,
        participant=slot.person,
        episode=slot.episode,
        instrument_code="GAD-7",
        phase=Phase.WEEKLY,
        period_start=today_in(slot.program.time_zone),
        due_at=timezone.now() - timedelta(hours=1),
    )


def _coaching(slot: Slot) -> None:
    requested = coaching_request_create(
        participant=slot.person,
        episode=slot.episode,
        actor=slot.person.user or slot.clinician,
        situation=f"{slot.clinical} urge rising",
        urge=2,
        skills_tried=[],
        reach_by="message",
    )
    slot.records["coaching"] = requested.request


def _sessions(slot: Slot, programs: dict[str, SimpleNamespace], director: User) -> None:
    prog = programs[_program_key(slot.program)]
    individual = _session(
        prog,
        prog.individual_type,
        starts_in=-timedelta(hours=3),
        minutes=50,
        topic=f"Individual {slot.identity}",
        facilitator=slot.clinician,
        episodes=[slot.episode],
        created_by=director,
    )
    _attend(individual, slot.episode, slot.clinician)
    slot.records["individual"] = individual
    family_session = _session(
        prog,
        prog.family_type,
        starts_in=timedelta(days=2),
        minutes=50,
        topic="Family session",
        facilitator=slot.clinician,
        episodes=[slot.episode],
        created_by=director,
    )
    slot.records["family_session"] = family_session
    contact = slot.records.get("contact")
    if contact is not None:
        FamilyAttendee.objects.create(
            organization=family_session.organization, session=family_session, contact=contact
        )
    note = note_services.note_open_for_session(
        session=individual, actor=slot.clinician, format=NoteFormat.BIRP
    )
    entry = note.entries.get()
    note = note_services.note_save(
        note=note,
        actor=slot.clinician,
        sections={
            "behavior": f"{slot.clinical} arrived tired",
            "intervention": "Chain analysis",
            "response": "Found the link",
            "plan": "Practise opposite action",
        },
        entries={
            entry.pk: note_services.EntryInput(
                participation="active",
                response="practised",
                text="Practised paced breathing in the session.",
                objective_ids=[str(slot.records["objective"].public_id)],
                si_asked=True,
                si_present=False,
                hi_asked=True,
                hi_present=False,
            )
        },
    )
    slot.records["note"] = note
    follow_up_raise(
        episode=slot.episode,
        kind="absences",
        week_start=today_in(slot.program.time_zone) - timedelta(days=7),
        detail=f"Two absences {slot.identity}",
    )
    slot.records["follow_up"] = FollowUpItem.objects.get(episode=slot.episode)


def _summary(slot: Slot) -> None:
    summary = summary_draft(actor=slot.clinician, episode=slot.past)
    sections = {
        name: f"{slot.clinical} {name}"
        for name in (
            "course_of_treatment",
            "referrals",
            "crisis_plan",
            "relapse_prevention",
            "appointments",
            "medication_followup",
        )
    }
    summary = summary_save(actor=slot.clinician, summary=summary, sections=sections)
    slot.records["summary"] = summary_sign(actor=slot.clinician, summary=summary)


def _intake(slot: Slot) -> None:
    slot.records["assessment"] = IntakeAssessment.objects.create(
        organization=slot.person.organization,
        participant=slot.person,
        episode=slot.past,
        presenting_concerns=f"{slot.clinical} concerns",
        substance_use_history=f"{slot.clinical} substance history",
        created_by=slot.clinician,
    )


def _inquiry(program: Program, name: str) -> Inquiry:
    return Inquiry.objects.create(
        organization=program.organization,
        program=program,
        status=InquiryStatus.NEW,
        source=InquirySource.WEB,
        name=name,
        phone="555-0150",
        consent_to_contact=True,
        message=f"{name} would like to talk",
        received_at=timezone.now() - timedelta(days=2),
    )


def _billing(slot: Slot, payer: Any) -> None:
    """Coverage, an authorization and a diagnosis for the billing room's pages."""
    episode = slot.episode
    cover(episode, payer, slot.clinician, since=episode.inquiry_on)
    slot.records["authorization"] = authorize(
        episode, payer, slot.clinician, start=episode.inquiry_on, units=10
    )
    slot.records["diagnosis"] = diagnose(episode, slot.clinician)


def build_world() -> World:
    org = f.OrganizationFactory(name="Lakeside Behavioral Health")
    site = f.SiteFactory(organization=org, name="Main Street")
    dbt = f.ProgramFactory(site=site, name="Adult DBT IOP", phone="555-0101")
    sud = f.ProgramFactory(site=site, name="Harbor Recovery IOP", phone="555-0177", treats_sud=True)
    far = f.ProgramFactory(name="Faraway IOP", phone="555-0155")
    other_org = far.organization

    users: dict[str, Any] = {
        "admin": _staff(org, Role.ADMINISTRATOR, [], "Ada Admin"),
        "director_dbt": _staff(org, Role.DIRECTOR, [dbt], "Dee Dbtdirector"),
        "director_sud": _staff(org, Role.DIRECTOR, [sud], "Sue Suddirector"),
        "clinician_dbt": _staff(org, Role.CLINICIAN, [dbt], "Cal Dbtclinician"),
        "clinician_sud": _staff(org, Role.CLINICIAN, [sud], "Cas Sudclinician"),
        "clinician_both": _staff(org, Role.CLINICIAN, [dbt, sud], "Bo Bothclinician"),
        "intake_dbt": _staff(org, Role.INTAKE, [dbt], "Ivy Dbtintake"),
        "intake_both": _staff(org, Role.INTAKE, [dbt, sud], "Ike Bothintake"),
        "billing_dbt": _staff(org, Role.BILLING, [dbt], "Bill Dbtbilling"),
        "clinician_far": _staff(other_org, Role.CLINICIAN, [far], "Fay Farclinician"),
    }
    users["x_user"] = f.UserFactory(organization=org, role=Role.PARTICIPANT, full_name="Dana D")
    users["y_user"] = f.UserFactory(organization=org, role=Role.PARTICIPANT, full_name="Yuri S")
    users["f1"] = f.UserFactory(organization=org, role=Role.FAMILY, full_name="Fran Dbtkin")
    users["f2"] = f.UserFactory(organization=org, role=Role.FAMILY, full_name="Sid Sudkin")

    people = {
        "x": f.ParticipantFactory(
            organization=org,
            user=users["x_user"],
            legal_first_name="Dana",
            legal_last_name="Dualperson",
        ),
        "y": f.ParticipantFactory(
            organization=org,
            user=users["y_user"],
            legal_first_name="Yuri",
            legal_last_name="Secondperson",
        ),
        "z": f.ParticipantFactory(
            organization=other_org, legal_first_name="Zed", legal_last_name="Farperson"
        ),
    }
    programs = {
        "dbt": _program_objects(dbt, users["director_dbt"]),
        "sud": _program_objects(sud, users["director_sud"]),
        "far": _program_objects(far, users["clinician_far"]),
    }
    clin, clin_far = users["clinician_both"], users["clinician_far"]
    slots = {
        "xdbt": Slot("xdbt", people["x"], dbt, clin),
        "xsud": Slot("xsud", people["x"], sud, clin),
        "ydbt": Slot("ydbt", people["y"], dbt, clin),
        "zfar": Slot("zfar", people["z"], far, clin_far),
    }
    family_of = {
        "xdbt": ("Fran Dbtkin", "Sister", users["f1"]),
        "xsud": ("Sid Sudkin", "Sponsor", users["f2"]),
        "ydbt": ("Yael Ykin", "Parent", None),
        "zfar": ("Zoe Zkin", "Partner", None),
    }
    directors = {"dbt": users["director_dbt"], "sud": users["director_sud"], "far": clin_far}
    for slot in slots.values():
        _episodes(slot, programs)
    for key, slot in slots.items():
        _consents(slot)
        _medications(slot)
        _drug_tests(slot)
        _family(slot, *family_of[key])
        _safety_plan(slot)
        _treatment_plan(slot)
        _relapse_plan(slot)
        _diary_and_alert(slot)
        _measures(slot)
        _coaching(slot)
        _sessions(slot, programs, directors[_program_key(slot.program)])
        _summary(slot)
        _intake(slot)
    # A group session of each program with everyone enrolled there, attended.
    for key, prog in programs.items():
        enrolled = [s.episode for s in slots.values() if _program_key(s.program) == key]
        group = _session(
            prog,
            prog.group_type,
            starts_in=-timedelta(days=1, hours=2),
            minutes=90,
            topic="Skills group",
            facilitator=slots[
                next(k for k in slots if _program_key(slots[k].program) == key)
            ].clinician,
            episodes=enrolled,
            created_by=directors[key],
        )
        for episode in enrolled:
            _attend(group, episode, group.facilitators.get())
        prog.group = group
        prog.inquiry = _inquiry(prog.program, f"Inq {key}")
    for person in people.values():
        Unavailability.objects.create(
            organization=person.organization,
            participant=person,
            weekday=2,
            start_time=time(13, 0),
            end_time=time(17, 0),
            reason="work",
            note="Shift at the bakery",
        )
    payers = {
        org.pk: make_payer(org, name="Lakeside Health Plan"),
        other_org.pk: make_payer(other_org, name="Faraway Health Plan"),
    }
    for slot in slots.values():
        _billing(slot, payers[slot.program.organization_id])
    for prog in programs.values():
        prog.batch = ClaimBatch.objects.create(
            organization=prog.program.organization,
            payer=payers[prog.program.organization_id],
            program=prog.program,
            period_start=prog.program.curriculum_starts_on or timezone.localdate(),
            period_end=timezone.localdate(),
            interchange_number=prog.program.pk,
            x12="ISA*00~",
            created_by=directors[_program_key(prog.program)],
        )
    extra = {
        "feed_secret": feed_token_create(user=users["clinician_dbt"])[1],
        "payer": payers[org.pk],
        "rule": payers[org.pk].rules.get(),
    }
    return World(
        org=org,
        other_org=other_org,
        dbt=dbt,
        sud=sud,
        far=far,
        users=users,
        slots=slots,
        people=people,
        programs=programs,
        extra=extra,
    )
