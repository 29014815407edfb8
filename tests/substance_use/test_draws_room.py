"""The program's testing policy and the week's random draw as stored: the director sets the
policy, a clinician draws once, the record verifies, a second draw is refused, an edited
record no longer verifies, and the selected names are read only at the SUD level."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AccessAction, AccessLog
from openiop.participants.models import EpisodeStatus
from openiop.substance_use import draws
from openiop.substance_use.draws import draw_from_record, week_draw
from openiop.substance_use.models import TestingDraw
from tests import factories as f

Login = Callable[[User], Client]


def _policy(w: SimpleNamespace, rate: int = 100) -> None:
    draws.testing_policy_set(
        actor=w.director,
        program=w.program,
        specimen_types=["urine", "breath"],
        testing_days=list(range(7)),
        weekly_rate_percent=rate,
    )


def test_only_the_director_sets_the_policy_and_it_must_make_sense(sud: SimpleNamespace) -> None:
    with pytest.raises(ValidationError):
        draws.testing_policy_set(
            actor=sud.clinician,
            program=sud.program,
            specimen_types=["urine"],
            testing_days=[0],
            weekly_rate_percent=20,
        )
    with pytest.raises(ValidationError, match="testing day"):
        draws.testing_policy_set(
            actor=sud.director,
            program=sud.program,
            specimen_types=["urine"],
            testing_days=[],
            weekly_rate_percent=20,
        )
    with pytest.raises(ValidationError):
        draws.testing_draw(actor=sud.clinician, program=sud.program)  # no policy yet


def test_the_draw_names_eligible_participants_once_a_week_and_verifies(
    sud: SimpleNamespace,
) -> None:
    _policy(sud)
    held = f.EpisodeFactory(program=sud.program, status=EpisodeStatus.ON_HOLD)
    made = draws.testing_draw(actor=sud.clinician, program=sud.program)
    record = draw_from_record(made)
    assert record.verify()
    assert record.pool == (str(sud.participant.public_id),)
    assert [e.participant for e in record.excluded] == [str(held.participant.public_id)]
    assert made.drawn_by == sud.clinician
    week = week_draw(sud.program)
    assert week is not None
    assert week.verified
    assert [p for _, p in week.selections] == [sud.participant]
    # Not again this week: a re-draw is a separate, reasoned record.
    with pytest.raises(ValidationError, match="already drawn"):
        draws.testing_draw(actor=sud.director, program=sud.program)
    assert TestingDraw.objects.count() == 1
    with pytest.raises(ValueError, match="never changed"):
        made.save()


def test_two_draws_of_the_same_pool_are_not_the_same_record(sud: SimpleNamespace) -> None:
    """Nothing about a draw can be computed in advance: the same week and pool drawn in two
    programs give different nonces and digests (the selection itself is the core's tested
    cryptographic sample)."""
    _policy(sud, rate=50)
    first = draws.testing_draw(actor=sud.clinician, program=sud.program)
    TestingDraw.objects.all().delete()
    second = draws.testing_draw(actor=sud.clinician, program=sud.program)
    assert first.record["nonce"] != second.record["nonce"]
    assert first.digest != second.digest


def test_an_edited_record_no_longer_verifies(sud: SimpleNamespace) -> None:
    _policy(sud)
    made = draws.testing_draw(actor=sud.clinician, program=sud.program)
    edited = dict(made.record, selected=[])
    TestingDraw.objects.filter(pk=made.pk).update(record=edited)
    week = week_draw(sud.program)
    assert week is not None
    assert not week.verified


def test_the_draw_page_reads_at_the_sud_level_and_is_audited(
    sud: SimpleNamespace, login: Login
) -> None:
    url = reverse("substance_use:program_testing", args=[sud.program.public_id])
    director = login(sud.director)
    response = director.post(
        url,
        {
            "action": "policy",
            "specimen_types": ["urine"],
            "testing_days": ["0", "1", "2", "3", "4", "5", "6"],
            "weekly_rate_percent": "100",
        },
    )
    assert response.status_code == 302
    page = login(sud.clinician).post(url, {"action": "draw"}, follow=True).content.decode()
    assert "This week&#x27;s random draw is made and recorded." in page
    assert sud.participant.display_name in page
    assert AccessLog.objects.filter(
        actor=sud.clinician, action=AccessAction.LIST, object_type="substance_use.draw"
    ).exists()
    assert login(sud.intake).get(url).status_code == 403
    assert login(sud.billing).get(url).status_code == 403
    assert login(sud.outsider_clinician).get(url).status_code == 404
