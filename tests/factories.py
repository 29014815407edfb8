"""Synthetic test data. Names come from factory_boy sequences, never from real people."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from openiop.accounts.models import StaffAssignment, User
from openiop.accounts.roles import Role
from openiop.participants.consents import consent_hash, consent_statement
from openiop.participants.models import (
    CareTeamMember,
    CareTeamRole,
    Consent,
    ConsentExpiry,
    ConsentInfo,
    ConsentKind,
    Episode,
    EpisodeStatus,
    FamilyContact,
    Participant,
)
from openiop.programs.models import (
    Organization,
    Program,
    Room,
    SessionCategory,
    SessionType,
    Site,
    Track,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Test Health {n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Site {n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    site = factory.SubFactory(SiteFactory)
    organization = factory.SelfAttribute("site.organization")
    name = factory.Sequence(lambda n: f"Program {n}")
    time_zone = "America/Chicago"
    phone = "555-0100"


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    name = factory.Sequence(lambda n: f"Track {n}")
    days = "0,2,4"
    start_time = dt.time(9, 0)
    end_time = dt.time(12, 0)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    site = factory.SubFactory(SiteFactory)
    organization = factory.SelfAttribute("site.organization")
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 12


class SessionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionType

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    name = factory.Sequence(lambda n: f"Session type {n}")
    category = SessionCategory.SKILLS_GROUP
    default_minutes = 90


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Test User {n}")
    role = Role.CLINICIAN
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def programs(self, create: bool, extracted: list[Program] | None, **kwargs: object) -> None:
        if create and extracted:
            for program in extracted:
                StaffAssignment.objects.create(
                    user=self, program=program, organization=program.organization
                )
        if create:
            self.save()


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    organization = factory.SubFactory(OrganizationFactory)
    record_number = factory.Sequence(lambda n: f"P-{n:05d}")
    legal_first_name = factory.Sequence(lambda n: f"Alex{n}")
    legal_last_name = factory.Sequence(lambda n: f"Testperson{n}")
    date_of_birth = dt.date(1990, 5, 17)
    phone = "555-0111"


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    participant = factory.SubFactory(ParticipantFactory)
    organization = factory.SelfAttribute("participant.organization")
    program = factory.SubFactory(
        ProgramFactory, site__organization=factory.SelfAttribute("...organization")
    )
    status = EpisodeStatus.ACTIVE
    inquiry_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    admitted_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=20))
    started_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=16))


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    episode = factory.SubFactory(EpisodeFactory)
    organization = factory.SelfAttribute("episode.organization")
    user = factory.SubFactory(UserFactory)
    role = CareTeamRole.GROUP
    since = factory.LazyFunction(timezone.localdate)


def _contact_program(contact: object) -> Program:
    """The program of the participant's most recent episode (contacts belong to a program),
    or a new program of their organization."""
    participant = contact.participant
    episode = participant.episodes.order_by("-inquiry_on", "-id").first()
    if episode is not None:
        return episode.program
    return ProgramFactory(site__organization=participant.organization)


class FamilyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyContact

    participant = factory.SubFactory(ParticipantFactory)
    organization = factory.SelfAttribute("participant.organization")
    program = factory.LazyAttribute(_contact_program)
    name = factory.Sequence(lambda n: f"Family Member {n}")
    relationship = "Sibling"
    phone = "555-0122"


def _release_episode(release: Any) -> Episode | None:
    return (
        Episode.objects.filter(participant=release.participant, program=release.program)
        .order_by("-inquiry_on", "-id")
        .first()
    )


class FamilyReleaseFactory(factory.django.DjangoModelFactory):
    """A release to a family contact signed five days ago (a Part 2 consent in a program that
    treats substance use), naming program contact; built directly so it can be backdated,
    with the statement and hash consent_sign makes."""

    class Meta:
        model = Consent

    recipient_contact = factory.SubFactory(FamilyContactFactory)
    participant = factory.SelfAttribute("recipient_contact.participant")
    organization = factory.SelfAttribute("recipient_contact.organization")
    program = factory.SelfAttribute("recipient_contact.program")
    episode = factory.LazyAttribute(_release_episode)
    kind = factory.LazyAttribute(
        lambda o: ConsentKind.PART2 if o.program.treats_sud else ConsentKind.RELEASE
    )
    information = factory.LazyFunction(lambda: [ConsentInfo.PROGRAM_CONTACT])
    purpose = "So my family can support my treatment"
    expiry = ConsentExpiry.DISCHARGE
    typed_name = factory.LazyAttribute(lambda o: o.participant.legal_name)
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=5))
    signed_at = factory.LazyAttribute(
        lambda o: dt.datetime.combine(
            o.signed_on, dt.time(10, 30), tzinfo=ZoneInfo(o.program.time_zone)
        )
    )
    recorded_by = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class: type[Consent], *args: Any, **kwargs: Any) -> Consent:
        release = model_class(*args, **kwargs)
        release.statement = consent_statement(release)
        release.content_hash = consent_hash(release)
        release.save()
        return release
