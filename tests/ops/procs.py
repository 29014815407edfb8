"""The other side of tests/ops/test_processes.py: run as `python -m tests.ops.procs COMMAND`
against the test's own PostgreSQL server (DATABASE_URL in the environment), it seeds data and
enqueues tasks the way the web application would, and holds the test tasks the real worker
processes run."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import django
from django_tasks import task


@task()
def effect_once(key: str, marker_dir: str, hold: float) -> bool:
    """Marks that an attempt started (in a file named after the process running it), waits on
    the first attempt (the test kills that process meanwhile), then does its one effect: an
    e-mail through the sent-log."""
    from openiop.ops.delivery import deliver, email_sender
    from openiop.ops.models import DeliveryPolicy

    attempt = len(list(Path(marker_dir).glob(f"{key}.attempt*"))) + 1
    Path(marker_dir, f"{key}.attempt{attempt}.pid{os.getpid()}").touch()
    if attempt == 1:
        time.sleep(hold)
    return deliver(
        key=f"test-effect:{key}",
        kind="test-effect",
        policy=DeliveryPolicy.AT_MOST_ONCE,
        send=email_sender(f"Effect {key}", "Done once.", ["ops@example.test"]),
    )


@task()
def kill_my_worker() -> None:
    """A task that always takes its worker down with it."""
    os.kill(os.getpid(), signal.SIGKILL)


def seed(sessions: int) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from openiop.accounts.roles import Role
    from openiop.participants.models import EpisodeStatus
    from openiop.programs.models import SessionCategory
    from openiop.safety.models import Alert, RuleKind
    from openiop.safety.services import alert_raise, rules_for
    from openiop.scheduling.models import (
        ReminderPreference,
        RosterEntry,
        RosterSource,
        Session,
    )
    from tests import factories as f

    now = timezone.now()
    org = f.OrganizationFactory(name="Outage Clinic")
    program = f.ProgramFactory(site=f.SiteFactory(organization=org), phone="555-0100")
    director = f.UserFactory(
        organization=org, role=Role.DIRECTOR, programs=[program], email="director@example.test"
    )
    clinician = f.UserFactory(
        organization=org, role=Role.CLINICIAN, programs=[program], email="primary@example.test"
    )
    skills = f.SessionTypeFactory(program=program, category=SessionCategory.SKILLS_GROUP)
    participant = f.ParticipantFactory(organization=org, email="pat@example.test")
    episode = f.EpisodeFactory(
        participant=participant,
        program=program,
        primary_clinician=clinician,
        status=EpisodeStatus.ACTIVE,
    )
    ReminderPreference.objects.create(
        organization=org, participant=participant, lead_minutes=60, email_enabled=True
    )
    for n in range(sessions):
        session = Session.objects.create(
            organization=org,
            program=program,
            session_type=skills,
            starts_at=now + timedelta(minutes=20 + n),
            ends_at=now + timedelta(minutes=80 + n),
            created_by=director,
        )
        RosterEntry.objects.create(
            organization=org,
            session=session,
            participant=participant,
            episode=episode,
            source=RosterSource.TRACK,
        )
    with transaction.atomic():
        alert = alert_raise(
            rule=rules_for(program)[RuleKind.URGE_RISK],
            participant=participant,
            episode=episode,
            day=now.date(),
            evidence="test",
            now=now,
        )
    assert alert is not None
    # Not due until the test says so.
    Alert.objects.filter(pk=alert.pk).update(escalate_at=now + timedelta(days=1))
    return {"alert": alert.pk, "director": director.email, "sessions": sessions}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiop.settings")
    django.setup()
    command, *rest = argv
    if command == "seed":
        print(json.dumps(seed(int(rest[0]))))
    elif command == "escalate-at":
        from openiop.safety.models import Alert

        Alert.objects.filter(pk=int(rest[0])).update(escalate_at=datetime.fromisoformat(rest[1]))
    elif command == "enqueue":
        from django.utils.module_loading import import_string

        result = import_string(rest[0]).enqueue(*json.loads(rest[1]))
        print(result.id)
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
