"""The scheduler's solver: plain typed Python on OR-Tools CP-SAT, no database.

    proposal = solve(Problem(...), time_limit=10)

The integration translates the program's week into a `Problem`, shows the `Proposal` (each
session with its reasons, each unplaced request with why and what to relax, the objective's
parts), and books what the director applies. `rank_tracks` ranks tracks for an admission.
See docs/scheduler.md.
"""

from __future__ import annotations

from openiop.scheduling.solver.placement import (
    Candidate,
    Curriculum,
    TrackFit,
    TrackOption,
    WaitlistPlacement,
    place_waitlist,
    rank_tracks,
)
from openiop.scheduling.solver.problem import (
    Booking,
    Clinician,
    FamilyMember,
    FamilyRequest,
    Feature,
    Forbid,
    Group,
    Kind,
    LastSlot,
    MakeUpRequest,
    Participant,
    Pin,
    Problem,
    ProblemError,
    Room,
    Rules,
    SessionRule,
    Unavailable,
    WeeklyTime,
    Weights,
)
from openiop.scheduling.solver.proposal import (
    ClinicianLoad,
    PlacedSession,
    Progress,
    Proposal,
    Status,
    Unplaced,
)
from openiop.scheduling.solver.solve import greedy_schedule, solve
from openiop.scheduling.solver.space import individual_key

__all__ = [
    "Booking",
    "Candidate",
    "Clinician",
    "ClinicianLoad",
    "Curriculum",
    "FamilyMember",
    "FamilyRequest",
    "Feature",
    "Forbid",
    "Group",
    "Kind",
    "LastSlot",
    "MakeUpRequest",
    "Participant",
    "Pin",
    "PlacedSession",
    "Problem",
    "ProblemError",
    "Progress",
    "Proposal",
    "Room",
    "Rules",
    "SessionRule",
    "Status",
    "TrackFit",
    "TrackOption",
    "Unavailable",
    "Unplaced",
    "WaitlistPlacement",
    "WeeklyTime",
    "Weights",
    "greedy_schedule",
    "individual_key",
    "place_waitlist",
    "rank_tracks",
    "solve",
]
