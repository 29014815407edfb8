"""/audit/export.csv: the filtered view as a CSV file, itself recorded as an export."""

from __future__ import annotations

import csv
import io

import pytest

from openiop.audit.models import AccessAction, AccessLog
from tests import factories as f

URL = "/audit/export.csv"


def rows_of(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_it_sends_anonymous_visitors_to_sign_in(world, client):
    response = client.get(URL)
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["clinician", "billing", "intake"])
def test_it_refuses_roles_without_audit_review(world, login, persona):
    assert login(getattr(world, persona)).get(URL).status_code == 403


def test_it_exports_the_filtered_entries(world, login, entry):
    wanted = entry(actor=world.billing, participant=world.participant, action=AccessAction.DENIED)
    entry(actor=world.clinician, participant=world.participant, action=AccessAction.VIEW)

    response = login(world.admin).get(URL, {"action": "denied"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    rows = rows_of(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["entry_id"] == str(wanted.public_id)
    assert row["actor"] == "Bo Billing"
    assert row["actor_id"] == str(world.billing.public_id)
    assert row["action"] == "denied"
    assert row["participant_id"] == str(world.participant.public_id)
    assert row["participant_record"] == world.participant.record_number
    assert row["address"] == "198.51.100.7"
    assert row["at_utc"].endswith("+00:00")


def test_it_exports_one_participants_trail_by_uuid(world, login, entry):
    entry(actor=world.clinician, participant=world.participant)
    entry(actor=world.outsider_clinician, participant=world.other_participant)

    response = login(world.admin).get(URL, {"participant": str(world.participant.public_id)})

    assert {r["participant_id"] for r in rows_of(response)} == {str(world.participant.public_id)}


def test_director_export_is_limited_to_their_reach(world, login, entry):
    entry(actor=world.clinician, participant=world.participant)
    entry(actor=world.outsider_clinician, participant=world.other_participant)

    rows = rows_of(login(world.director).get(URL))

    assert {r["participant_id"] for r in rows} == {str(world.participant.public_id)}


def test_it_never_includes_another_organization(world, login, entry):
    stranger = f.ParticipantFactory(organization=world.other_org)
    entry(actor=world.other_org_clinician, participant=stranger)
    entry(actor=world.clinician, participant=world.participant)

    rows = rows_of(login(world.admin).get(URL))

    assert str(stranger.public_id) not in {r["participant_id"] for r in rows}
    assert len(rows) == 1


def test_the_export_is_recorded_per_participant_exported(world, login, entry):
    entry(actor=world.clinician, participant=world.participant)
    entry(actor=world.outsider_clinician, participant=world.other_participant)

    response = login(world.admin).get(URL, REMOTE_ADDR="192.0.2.70")
    rows = rows_of(response)

    exports = AccessLog.objects.filter(action=AccessAction.EXPORT)
    assert {(e.participant, e.actor, e.object_type) for e in exports} == {
        (world.participant, world.admin, "audit.review"),
        (world.other_participant, world.admin, "audit.review"),
    }
    assert {e.address for e in exports} == {"192.0.2.70"}
    # The file holds what was there when it was asked for, not its own export rows.
    assert len(rows) == 2


def test_an_export_of_nothing_is_still_recorded(world, login):
    rows = rows_of(login(world.admin).get(URL, {"date_to": "2001-01-01"}))
    assert rows == []
    export = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert export.participant is None
    assert export.actor == world.admin


def test_invalid_filters_are_refused_and_nothing_is_exported(world, login, entry):
    entry(actor=world.clinician, participant=world.participant)
    before = AccessLog.objects.count()

    response = login(world.admin).get(URL, {"date_from": "2025-03-10", "date_to": "2025-03-01"})

    assert response.status_code == 400
    assert "must be on or after the “from” date" in response.content.decode()
    assert AccessLog.objects.count() == before


def test_cells_that_a_spreadsheet_would_run_are_defused(world, login, entry):
    sneaky = f.UserFactory(
        organization=world.org,
        role="clinician",
        full_name="=HYPERLINK(1)",
        programs=[world.program],
    )
    entry(actor=sneaky, participant=world.participant)

    rows = rows_of(login(world.admin).get(URL))

    assert rows[0]["actor"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("count", [10, 100])
def test_it_runs_a_bounded_number_of_queries(
    world, login, entry, django_assert_max_num_queries, count
):
    for _ in range(count):
        entry(actor=world.clinician, participant=world.participant)
    client = login(world.admin)
    client.get("/")  # warm the session and OTP device lookups

    with django_assert_max_num_queries(16):
        response = client.get(URL)
        rows = rows_of(response)

    assert len(rows) == count
