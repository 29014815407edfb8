from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from openiop.audit.models import Event, EventKind
from openiop.lib.timezones import today_in
from openiop.participants import services
from openiop.participants.access import participants_for
from openiop.participants.models import Episode, EpisodeStatus, Participant
from tests import factories as f


def _create(world, actor=None, **overrides):
    data = {
        "actor": actor or world.intake,
        "program": world.program,
        "legal_first_name": "Robin",
        "legal_last_name": "Newperson",
        "date_of_birth": dt.date(1988, 3, 2),
        "inquiry_on": today_in(world.program.time_zone),
    }
    data.update(overrides)
    return services.participant_create(**data)


def test_it_creates_the_record_with_an_inquiry_episode(world):
    participant = _create(world, preferred_name="  Rob ", referral_source="Primary care")
    assert participant.organization == world.org
    assert participant.preferred_name == "Rob"
    episode = participant.episodes.get()
    assert episode.status == EpisodeStatus.INQUIRY
    assert episode.program == world.program
    assert episode.referral_source == "Primary care"
    # The creator can find the new record through the scoping getter.
    assert participants_for(world.intake).filter(pk=participant.pk).exists()


def test_it_records_one_creation_event_without_contact_details(world):
    participant = _create(world, phone="555-0199", address="1 Example Road")
    event = Event.objects.get(participant=participant)
    assert event.kind == EventKind.PARTICIPANT_CREATED
    assert event.actor == world.intake
    assert participant.record_number in event.summary
    assert "555-0199" not in event.summary
    assert "Example Road" not in event.summary


def test_it_numbers_records_after_the_highest_in_the_organization(world):
    f.ParticipantFactory(organization=world.org, record_number="P-09041")
    f.ParticipantFactory(organization=world.other_org, record_number="P-00900")
    first = _create(world)
    second = _create(world, legal_first_name="Jo")
    assert first.record_number == "P-09042"
    assert second.record_number == "P-09043"


def test_it_keeps_counting_past_the_padding(world):
    f.ParticipantFactory(organization=world.org, record_number="P-99999")
    f.ParticipantFactory(organization=world.org, record_number="P-100000")
    assert _create(world).record_number == "P-100001"


def test_it_starts_a_new_organization_at_one(world):
    other = f.UserFactory(
        organization=world.other_org, role="intake", programs=[world.other_org_program]
    )
    participant = _create(world, actor=other, program=world.other_org_program)
    assert participant.record_number == "P-00001"


def test_the_database_refuses_a_duplicate_record_number(world):
    f.ParticipantFactory(organization=world.org, record_number="P-00007")
    f.ParticipantFactory(organization=world.other_org, record_number="P-00007")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ParticipantFactory(organization=world.org, record_number="P-00007")


def test_it_refuses_a_program_the_user_is_not_assigned_to(world):
    before = Participant.objects.count()
    with pytest.raises(ValidationError, match="programs you are assigned to"):
        _create(world, program=world.other_program)
    assert Participant.objects.count() == before


def test_it_refuses_a_birth_date_in_the_future(world):
    before = (Participant.objects.count(), Episode.objects.count(), Event.objects.count())
    tomorrow = today_in(world.program.time_zone) + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        _create(world, date_of_birth=tomorrow)
    assert "cannot be in the future" in error.value.message_dict["date_of_birth"][0]
    assert (Participant.objects.count(), Episode.objects.count(), Event.objects.count()) == before


def test_it_updates_only_changed_fields_and_names_them(world):
    participant = world.participant
    changed = services.participant_update(
        actor=world.clinician,
        participant=participant,
        changes={"phone": "555-0142", "pronouns": participant.pronouns},
    )
    assert changed == ["phone"]
    participant.refresh_from_db()
    assert participant.phone == "555-0142"
    event = Event.objects.get(participant=participant, kind=EventKind.PARTICIPANT_UPDATED)
    assert event.summary == "Details updated: phone"


def test_an_update_without_changes_writes_nothing(world):
    changed = services.participant_update(
        actor=world.clinician,
        participant=world.participant,
        changes={"phone": world.participant.phone},
    )
    assert changed == []
    assert not Event.objects.filter(kind=EventKind.PARTICIPANT_UPDATED).exists()


def test_an_update_refuses_fields_outside_the_record(world):
    with pytest.raises(ValidationError, match="record_number"):
        services.participant_update(
            actor=world.clinician, participant=world.participant, changes={"record_number": "X"}
        )


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite has one writer at a time; row locks are tested on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_get_distinct_numbers(world):
    workers = 6
    barrier = threading.Barrier(workers)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def create(n: int) -> None:
        try:
            barrier.wait()
            numbers.append(_create(world, legal_first_name=f"Thread{n}").record_number)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(set(numbers)) == workers
