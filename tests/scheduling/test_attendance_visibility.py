"""The attendance block lists only roster members the viewer may see."""

from __future__ import annotations

from tests.scheduling.attendance_support import ongoing_session


def test_a_roster_member_the_viewer_cannot_see_is_not_listed(world, login) -> None:
    # A roster row pointing at another program's episode: inconsistent data, but the page
    # must still not reveal that person to this program's staff.
    session = ongoing_session(world, roster=[world.episode, world.other_episode])
    text = login(world.clinician).get(f"/schedule/sessions/{session.public_id}/attendance/").content
    assert world.participant.legal_last_name.encode() in text
    assert world.other_participant.legal_last_name.encode() not in text
