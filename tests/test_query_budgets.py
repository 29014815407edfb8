"""List and chart pages run a bounded number of SQL queries whatever the census."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from openiop.participants.models import CareTeamRole
from tests import factories as f


def _census(world, n: int) -> None:
    for i in range(n):
        episode = f.EpisodeFactory(
            participant=f.ParticipantFactory(organization=world.org),
            program=world.program,
            track=world.morning if i % 2 else world.evening,
            primary_clinician=world.clinician,
        )
        f.CareTeamMemberFactory(episode=episode, user=world.clinician, role=CareTeamRole.PRIMARY)
        f.FamilyContactFactory(participant=episode.participant)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _counts_at(world, login, urls: list[str], sizes: tuple[int, int]) -> list[tuple[int, int]]:
    client = login(world.clinician)
    _census(world, sizes[0])
    small = [_count(client, url) for url in urls]
    _census(world, sizes[1] - sizes[0])
    large = [_count(client, url) for url in urls]
    return list(zip(small, large, strict=True))


def test_the_participant_list_query_count_does_not_grow_with_census(world, login) -> None:
    urls = [
        "/participants/",
        "/participants/?q=Alex",
        f"/participants/?track={world.morning.public_id}",
    ]
    for small, large in _counts_at(world, login, urls, (10, 200)):
        assert small == large
        assert large <= 15


def test_the_staff_home_query_count_does_not_grow_with_caseload(world, login) -> None:
    [(small, large)] = _counts_at(world, login, ["/"], (10, 200))
    assert small == large
    # 12 for the home itself plus 1 for the "Alerts for you" section (safety), 4 for treatment
    # plans (reviews due, first plans due, co-signatures, their audit row), 3 for notes
    # (unsigned, co-sign queue, sessions without a note) and 3 for discharge (summaries to
    # sign, the programs' planned lengths, planned ends), 2 for billing (the caseload's
    # episodes, their coverage: none, so nothing more is read) and 1 for the drug-test
    # follow-ups.
    assert large <= 26


def test_the_chart_query_count_does_not_grow_with_census(
    world, login, django_assert_max_num_queries
) -> None:
    client = login(world.clinician)
    url = f"/participants/{world.participant.public_id}/"
    _census(world, 10)
    small = _count(client, url)
    _census(world, 190)
    for _ in range(5):
        f.FamilyContactFactory(participant=world.participant)
    assert _count(client, url) == small
    # 20 for the chart itself plus 3 fixed queries for the Measures section (responses, open
    # critical findings, outstanding check-ins), however long the score history.
    # ... plus 2 for the Diary and alerts panel (recent card days, open alerts), 1 for consents,
    # 6 for treatment and relapse plans (current and draft of each, reviews, suggestions
    # waiting), 1 for notes, 3 for transitions, discharge summaries and alumni check-ins, 1 for
    # the disclosures of the viewer's programs, and 6 for the portal accounts (the account,
    # invitations, whether in care, the participant's day, releases and earlier permissions
    # covering the family contacts), 1 for billing (coverage: none, so nothing more), 4 for
    # the medication list (consents in force, the list, reconciliations, its access-log row),
    # and 1 for homework.
    with django_assert_max_num_queries(49):
        client.get(url)
