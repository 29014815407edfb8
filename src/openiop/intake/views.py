from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openiop.accounts.models import User
from openiop.accounts.policy import public, staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record, access_record_objects, client_address
from openiop.care.services import first_plan_due_on
from openiop.intake import forms as intake_forms
from openiop.intake import selectors, services
from openiop.intake.access import OBJECT_TYPE, inquiry_for, may_change_inquiries
from openiop.intake.models import (
    ASAM_DIMENSIONS,
    INQUIRY_TRANSITIONS,
    CareLevel,
    Inquiry,
    InquiryStatus,
    IntakeAssessment,
    RuleSet,
)
from openiop.lib.forms import form_errors, message_errors, write_page
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.measures.models import Administration, AdministrationStatus, Phase
from openiop.participants import hooks as participant_hooks
from openiop.participants import invitations
from openiop.participants.access import (
    Access,
    may_access,
    participant_for,
    program_check,
    program_ids_for,
    record_created,
)
from openiop.participants.consents import treatment_consent_for
from openiop.participants.models import Consent, Episode, EpisodeStatus, Participant
from openiop.programs.models import Program
from openiop.scheduling.models import Session, SessionStatus
from openiop.scheduling.rosters import placement_report

FORM_PAGE = "intake/form.html"

# --- public inquiry form --------------------------------------------------------------------


def _public_programs() -> QuerySet[Program]:
    return Program.objects.filter(is_active=True).order_by("organization__name", "name")


@public
@require_http_methods(["GET", "POST"])
def inquiry_public(request: AuthedRequest) -> HttpResponse:
    """The 'contact us' form. No login; asks only what is needed to call back."""
    form = intake_forms.InquiryForm(request.POST or None, programs=_public_programs())
    if request.method == "POST":
        if services.inquiry_throttle_hit(address=client_address(request) or ""):
            return render(request, "intake/public_throttled.html", status=429)
        if form.is_valid():
            if form.spam:
                if form.cleaned_data.get(intake_forms.HONEYPOT):
                    # A bot filled the hidden field: answer as if it worked, save nothing.
                    return redirect("contact:thanks")
                form.add_error(
                    None,
                    "That was sent very quickly. Please check your answers and send it again.",
                )
            else:
                data = form.cleaned_data
                with form_errors(form):
                    services.inquiry_submit(
                        program=data["program"],
                        name=data["name"],
                        phone=data["phone"],
                        email=data["email"],
                        contact_time=data["contact_time"],
                        inquiry_for=data["inquiry_for"],
                        message=data["message"],
                        consent_to_contact=data["consent_to_contact"],
                    )
                    return redirect("contact:thanks")
        # Any re-shown form gets a fresh time stamp, so correcting it is not "too fast" or stale.
        fresh = request.POST.copy()
        fresh["token"] = intake_forms.form_token()
        form.data = fresh
    return render(request, "intake/public_form.html", {"form": form})


@public
def inquiry_thanks(request: AuthedRequest) -> HttpResponse:
    return render(request, "intake/public_thanks.html")


# --- board and inquiries --------------------------------------------------------------------


def _my_programs(request: AuthedRequest) -> QuerySet[Program]:
    return Program.objects.filter(
        pk__in=program_ids_for(request.user),
        organization_id=request.user.organization_id or 0,
        is_active=True,
    )


def _assignees(request: AuthedRequest) -> QuerySet[User]:
    return intake_forms._staff_choices(program_ids_for(request.user), request.user.organization_id)


@staff(Perm.PARTICIPANT_CLINICAL)
def board(request: AuthedRequest) -> HttpResponse:
    columns = selectors.board_columns(request.user)
    cards = [card for column in columns for card in column.cards]
    access_record_objects(
        request=request,
        action=AccessAction.LIST,
        object_type="inquiry.board",
        object_ids=[str(card.public_id) for card in cards],
    )
    today = {p.pk: today_in(p.time_zone) for p in {c.program for c in cards}}
    for card in cards:
        # A template-only attribute on the model instance (mypy knows only its fields).
        card.overdue = selectors.overdue(card, today[card.program_id])  # type: ignore[attr-defined]
    context = {
        "columns": columns,
        "can_change": may_change_inquiries(request.user),
        "total": sum(c.count for c in columns),
    }
    return render(request, "intake/board.html", context)


@staff(Perm.PARTICIPANT_CREATE)
@require_http_methods(["GET", "POST"])
def referral_new(request: AuthedRequest) -> HttpResponse:
    form = intake_forms.ReferralForm(
        request.POST or None, programs=_my_programs(request), assignees=_assignees(request)
    )

    def refer(data: dict[str, Any]) -> Inquiry:
        inquiry = services.inquiry_refer(actor=request.user, **data)
        access_record(
            request=request,
            action=AccessAction.CREATE,
            object_type=OBJECT_TYPE,
            object_id=str(inquiry.public_id),
        )
        return inquiry

    return write_page(
        request,
        FORM_PAGE,
        form,
        write=refer,
        success="Referral entered.",
        done_url=lambda inquiry: reverse("intake:inquiry", args=[inquiry.public_id]),
        title="New referral",
        submit="Enter referral",
        cancel=reverse("intake:board"),
    )


# Each move is its own write function; the URL names which.
MOVES: dict[str, tuple[str, str]] = {
    "contact": (InquiryStatus.CONTACTED, "Mark contacted"),
    "screening": (InquiryStatus.SCREENING, "Schedule screening"),
    "assess": (InquiryStatus.ASSESSED, "Mark assessed"),
    "admit": (InquiryStatus.ADMITTED, "Mark admitted"),
    "refer_out": (InquiryStatus.REFERRED_OUT, "Referred elsewhere"),
    "close": (InquiryStatus.CLOSED, "Close"),
}


def _moves_for(inquiry: Inquiry) -> list[tuple[str, str, str]]:
    allowed = INQUIRY_TRANSITIONS[inquiry.status]
    return [(key, label, status) for key, (status, label) in MOVES.items() if status in allowed]


def _do_move(request: AuthedRequest, inquiry: Inquiry, move: str, form: Any) -> None:
    actor = request.user
    note = form.cleaned_data["note"]
    day = form.cleaned_data["follow_up_on"]
    if move == "contact":
        services.inquiry_contact(actor=actor, inquiry=inquiry, note=note, follow_up_on=day)
    elif move == "screening":
        if day is None:
            raise ValidationError({"follow_up_on": "Give the screening date."})
        services.inquiry_screening_schedule(
            actor=actor, inquiry=inquiry, screening_on=day, note=note
        )
    elif move == "assess":
        services.inquiry_assess(actor=actor, inquiry=inquiry, note=note)
    elif move == "admit":
        services.inquiry_admit(actor=actor, inquiry=inquiry, note=note)
    elif move == "refer_out":
        services.inquiry_refer_out(actor=actor, inquiry=inquiry, note=note)
    else:
        services.inquiry_close(actor=actor, inquiry=inquiry, note=note)


def _detail(request: AuthedRequest, inquiry: Inquiry, **extra: Any) -> HttpResponse:
    can_change = may_change_inquiries(request.user)
    context = {
        "inquiry": inquiry,
        "events": inquiry.events.select_related("actor").order_by("-at", "-id"),
        "can_change": can_change,
        "moves": _moves_for(inquiry) if can_change else [],
        "move_form": extra.pop("move_form", None) or intake_forms.MoveForm(),
        "follow_form": extra.pop("follow_form", None)
        or intake_forms.FollowUpForm(
            assignees=_assignees(request),
            initial={"follow_up_on": inquiry.follow_up_on, "assigned_to": inquiry.assigned_to},
        ),
        "can_convert": can_change
        and inquiry.participant_id is None
        and inquiry.status in services.CONVERTIBLE,
        "overdue": selectors.overdue(inquiry, today_in(inquiry.program.time_zone)),
        **extra,
    }
    return render(request, "intake/inquiry.html", context)


@staff(Perm.PARTICIPANT_CLINICAL)
def inquiry_detail(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    return _detail(request, inquiry_for(request, public_id))


@staff(Perm.PARTICIPANT_CREATE)
@require_POST
def inquiry_move(request: AuthedRequest, public_id: UUID, move: str) -> HttpResponse:
    if move not in MOVES:
        raise Http404("No such step.")
    inquiry = inquiry_for(request, public_id, write=True)
    form = intake_forms.MoveForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            _do_move(request, inquiry, move, form)
            messages.success(request, f"Now {inquiry.get_status_display().lower()}.")
            return redirect("intake:inquiry", inquiry.public_id)
    return _detail(request, inquiry, move_form=form, failed_move=move)


@staff(Perm.PARTICIPANT_CREATE)
@require_POST
def inquiry_follow_up(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    inquiry = inquiry_for(request, public_id, write=True)
    form = intake_forms.FollowUpForm(request.POST, assignees=_assignees(request))
    if form.is_valid():
        with form_errors(form):
            services.inquiry_follow_up_set(actor=request.user, inquiry=inquiry, **form.cleaned_data)
            messages.success(request, "Follow-up saved.")
            return redirect("intake:inquiry", inquiry.public_id)
    return _detail(request, inquiry, follow_form=form)


@staff(Perm.PARTICIPANT_CREATE)
@require_http_methods(["GET", "POST"])
def inquiry_convert(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    inquiry = inquiry_for(request, public_id, write=True)
    form = intake_forms.ConvertForm(request.POST or None)

    return write_page(
        request,
        FORM_PAGE,
        form,
        write=lambda data: record_created(
            request, services.inquiry_convert(actor=request.user, inquiry=inquiry, **data)
        ),
        success=lambda participant: f"Record {participant.record_number} created.",
        done_url=lambda participant: reverse("participants:chart", args=[participant.public_id]),
        title="Convert to participant",
        submit="Create participant record",
        cancel=reverse("intake:inquiry", args=[inquiry.public_id]),
        intro="Creates the participant record with an episode in "
        f"{inquiry.program.name}, linked to this inquiry.",
    )


# --- intake assessment ----------------------------------------------------------------------


def _episode(request: AuthedRequest, participant: Participant, episode_id: UUID) -> Episode:
    """An episode in one of the user's programs (404 otherwise); the assessment of a program
    that treats substance use is a 42 CFR Part 2 record (403 without SUD access)."""
    try:
        episode = participant.episodes.select_related("program", "participant").get(
            public_id=episode_id, program_id__in=program_ids_for(request.user)
        )
    except Episode.DoesNotExist:
        raise Http404("No such episode.") from None
    program_check(
        request,
        participant,
        episode.program,
        access=Access.CLINICAL,
        object_type="intake.assessment",
    )
    return episode


def _assessment_of(episode: Episode) -> IntakeAssessment | None:
    return (
        IntakeAssessment.objects.select_related("episode__program", "participant")
        .filter(episode=episode)
        .first()
    )


def _sud_access(request: AuthedRequest, participant: Participant) -> bool:
    """Whether the substance-use section is shown; showing it is logged as its own access."""
    if not may_access(request.user, Access.SUD):
        return False
    access_record(
        request=request,
        action=AccessAction.VIEW,
        object_type="intake.assessment.sud",
        participant=participant,
    )
    return True


SECTIONS = (
    (
        "Why now",
        ("presenting_concerns", "triggers", "goals", "underlying_issues"),
    ),
    ("History", ("mental_health_history", "prior_care")),
    ("Health", ("medical_notes", "medication_notes")),
    ("Support and commitments", ("support_system", "constraints")),
)
SUD_SECTION = ("substance_use_history", "substance_use_prior_care")
LOC_SECTION = (
    *(name for name, _ in ASAM_DIMENSIONS),
    "cssrs_tier",
    "withdrawal_needs_medical",
    "hours_needed",
    "daily_medical_oversight",
    "able_to_take_part",
    "iop_signals",
)
LOCUS_SECTION = ("locus_level", "locus_on", "locus_by")


def _assessment_initial(assessment: IntakeAssessment | None) -> dict[str, Any]:
    if assessment is None:
        return {"able_to_take_part": True}
    return {name: getattr(assessment, name) for name in services.EDITABLE_FIELDS}


def _blocks_initial(assessment: IntakeAssessment | None) -> list[dict[str, Any]]:
    if assessment is None:
        return []
    return [
        {
            "weekday": b.weekday,
            "start_time": b.start_time,
            "end_time": b.end_time,
            "reason": b.reason,
            "note": b.note,
        }
        for b in assessment.unavailable.all()
    ]


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET", "POST"])
def assessment(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type="intake.assessment"
    )
    episode = _episode(request, participant, episode_id)
    current = _assessment_of(episode)
    sud = _sud_access(request, participant)
    data = request.POST if request.method == "POST" else None
    form = intake_forms.AssessmentForm(data, sud_access=sud, initial=_assessment_initial(current))
    blocks = intake_forms.BlockFormSet(data, initial=_blocks_initial(current), prefix="block")
    if request.method == "POST" and form.is_valid() and blocks.is_valid():
        kept = [
            services.BlockInput(
                weekday=b.cleaned_data["weekday"],
                start_time=b.cleaned_data["start_time"],
                end_time=b.cleaned_data["end_time"],
                reason=b.cleaned_data["reason"],
                note=b.cleaned_data.get("note", ""),
            )
            for b in blocks.forms
            if b.cleaned_data and not b.cleaned_data.get("DELETE")
        ]
        with form_errors(form):
            current = current or services.assessment_start(actor=request.user, episode=episode)
            services.assessment_save(
                actor=request.user,
                assessment=current,
                changes=form.cleaned_data,
                sud_access=sud,
            )
            services.assessment_availability_set(
                actor=request.user, assessment=current, blocks=kept
            )
            messages.success(request, "Draft saved.")
            if "recommend" in request.POST:
                return redirect("intake:level_of_care", participant.public_id, episode.public_id)
            return redirect("intake:assessment", participant.public_id, episode.public_id)
    battery = selectors.intake_battery(current) if current else None
    if battery is not None and episode.program.treats_sud and not sud:
        battery = None
    context = {
        "participant": participant,
        "episode": episode,
        "assessment": current,
        "form": form,
        "blocks": blocks,
        "sections": [(title, form.section(names)) for title, names in SECTIONS],
        "sud_fields": form.section(SUD_SECTION) if sud else [],
        "loc_fields": form.section(LOC_SECTION),
        "locus_fields": form.section(LOCUS_SECTION),
        "battery": battery,
        "readonly": bool(current and current.is_completed),
        "decision": current.decisions.select_related("decided_track").first() if current else None,
    }
    return render(request, "intake/assessment.html", context)


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET", "POST"])
def level_of_care(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type="intake.level_of_care"
    )
    episode = _episode(request, participant, episode_id)
    current = _assessment_of(episode)
    if current is None:
        messages.info(request, "Save the assessment first; the recommendation reads it.")
        return redirect("intake:assessment", participant.public_id, episode.public_id)
    recommendation, inputs = selectors.recommendation_for(request.user, current)
    form = intake_forms.DecisionForm(request.POST or None, program=episode.program)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            services.level_of_care_decide(
                actor=request.user,
                assessment=current,
                recommendation=recommendation,
                inputs=selectors.inputs_json(inputs),
                accept=data["accept"],
                decided_level=data["decided_level"],
                decided_track=data["decided_track"],
                override_reason=data["override_reason"],
            )
            messages.success(request, "Level-of-care decision recorded.")
            return redirect("intake:level_of_care", participant.public_id, episode.public_id)
    context = {
        "participant": participant,
        "episode": episode,
        "assessment": current,
        "recommendation": recommendation,
        "form": form,
        "decisions": current.decisions.select_related(
            "decided_by", "decided_track", "recommended_track"
        ),
        "levels": dict(CareLevel.choices),
    }
    return render(request, "intake/level_of_care.html", context)


@staff(Perm.PARTICIPANT_CLINICAL)
@require_POST
def assessment_complete(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type="intake.assessment"
    )
    episode = _episode(request, participant, episode_id)
    current = _assessment_of(episode)
    if current is None:
        raise Http404("No assessment yet.")
    with message_errors(request):
        services.assessment_complete(actor=request.user, assessment=current)
        messages.success(request, "Assessment completed; the episode is now assessed.")
    return redirect("intake:assessment", participant.public_id, episode.public_id)


# --- admission ------------------------------------------------------------------------------

ADMITTABLE = frozenset({EpisodeStatus.ASSESSED})
ADMITTED_VIEW = frozenset({EpisodeStatus.ADMITTED, EpisodeStatus.ACTIVE})


def _admission_context(request: AuthedRequest, episode: Episode) -> dict[str, Any]:
    """What admission produced: the participant's next group sessions, the intake check-ins
    due and when the first treatment plan is due."""
    report = placement_report(episode)
    track_sessions = (
        Session.objects.filter(
            track_id=episode.track_id,
            status=SessionStatus.SCHEDULED,
            session_type__is_group=True,
            starts_at__gte=timezone.now(),
        ).exists()
        if episode.track_id
        else False
    )
    return {
        "placement": report,
        "upcoming": report.placed[:8],
        "upcoming_count": len(report.placed),
        "track_has_sessions": track_sessions,
        "battery_due": list(
            Administration.objects.filter(
                episode=episode, phase=Phase.INTAKE, status=AdministrationStatus.DUE
            ).order_by("instrument_code")
        ),
        "first_plan_due_on": first_plan_due_on(episode),
    }


def _portal_blocker(participant: Participant) -> str:
    """Why admission cannot offer a portal invitation ('' when it can)."""
    access, _ = invitations.portal_access(participant)
    if access.state in ("active", "alumni", "pending"):
        return "The participant has a portal account or a pending invitation already."
    return access.blocker


def _invite_after_admission(request: AuthedRequest, participant: Participant) -> None:
    try:
        invitation = invitations.portal_invitation_send(
            actor=request.user, participant=participant, site_url=request.build_absolute_uri("/")
        )
    except (ValidationError, PermissionDenied) as error:
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.warning(request, f"The portal invitation was not sent: {reason}")
        return
    messages.success(request, f"Portal invitation e-mailed to {invitation.email}.")


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def admit(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type="intake.admission"
    )
    episode = _episode(request, participant, episode_id)
    if episode.status not in ADMITTABLE | ADMITTED_VIEW:
        messages.info(request, "Admission follows a completed intake assessment.")
        return redirect("participants:chart", participant.public_id)
    program = episode.program
    today = today_in(program.time_zone)
    assessment = _assessment_of(episode)
    decision = (
        assessment.decisions.select_related("decided_track", "recommended_track", "decided_by")
        .order_by("-decided_at", "-id")
        .first()
        if assessment
        else None
    )
    episode_consents = list(
        Consent.objects.filter(episode=episode).select_related("recipient_contact", "episode")
    )
    form = None
    if episode.status in ADMITTABLE:
        initial_track = (decision.decided_track if decision else None) or episode.track
        portal_blocker = _portal_blocker(participant)
        form = intake_forms.AdmitForm(
            request.POST or None,
            program=program,
            portal_blocker=portal_blocker,
            initial={
                "invite_to_portal": not portal_blocker,
                "track": initial_track.public_id if initial_track else None,
                "primary_clinician": (
                    episode.primary_clinician.public_id if episode.primary_clinician else None
                ),
                "start_on": today,
                "planned_weeks": program.planned_weeks,
            },
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            with form_errors(form):
                admission = services.participant_admit(
                    actor=request.user,
                    episode=episode,
                    track=data["track"],
                    primary_clinician=data["primary_clinician"],
                    start_on=data["start_on"],
                    planned_weeks=data["planned_weeks"],
                )
                messages.success(
                    request,
                    f"Admitted. First treatment plan due by "
                    f"{admission.first_plan_due_on:%b} {admission.first_plan_due_on.day}.",
                )
                if data.get("invite_to_portal"):
                    _invite_after_admission(request, participant)
                report = placement_report(admission.episode)
                if report.waiting or report.skipped:
                    messages.warning(
                        request,
                        "Not every group had a place: see the schedule below for the waiting "
                        "lists, what was skipped and the expected weekly hours.",
                    )
                elif report.below:
                    messages.warning(
                        request,
                        "The sessions placed add up to less than the program's weekly minimum: "
                        "see the expected weekly hours below.",
                    )
                return redirect("intake:admit", participant.public_id, episode.public_id)
    elif request.method == "POST":
        messages.info(request, "This episode is already admitted.")
        return redirect("intake:admit", participant.public_id, episode.public_id)
    context: dict[str, Any] = {
        "participant": participant,
        "episode": episode,
        "decision": decision,
        "form": form,
        "consents": [(c, c.status_label(today)) for c in episode_consents],
        "treatment_signed": treatment_consent_for(episode, today) is not None,
        "offers_part2": program.treats_sud,
        "here": request.path,
        # What rooms above add to admission (billing: prior authorization missing).
        **participant_hooks.admission_page.context(episode),
    }
    if episode.status in ADMITTED_VIEW:
        context.update(_admission_context(request, episode))
        context["portal_access"] = invitations.portal_access(participant)[0]
    elif form is not None:
        context["portal_blocker"] = _portal_blocker(participant)
    return render(request, "intake/admit.html", context)


# --- rules ----------------------------------------------------------------------------------


@staff(Perm.PROGRAM_CONFIGURE)
@require_http_methods(["GET", "POST"])
def rules(request: AuthedRequest, program_id: UUID) -> HttpResponse:
    try:
        program = _my_programs(request).get(public_id=program_id)
    except Program.DoesNotExist:
        raise Http404("No such program.") from None
    ruleset = RuleSet.objects.filter(program=program).first() or RuleSet(
        organization_id=program.organization_id, program=program, refer_up_cssrs_tiers=["high"]
    )
    form = intake_forms.RuleSetForm(request.POST or None, instance=ruleset)
    return write_page(
        request,
        FORM_PAGE,
        form,
        write=lambda data: services.ruleset_save(
            actor=request.user,
            program=program,
            values={name: data[name] for name in services.RULESET_FIELDS},
        ),
        success="Level-of-care rules saved.",
        done_url=reverse("intake:rules", args=[program.public_id]),
        title=f"Level-of-care rules: {program.name}",
        submit="Save rules",
        cancel=reverse("intake:board"),
        intro="Thresholds the recommendation uses. Defaults follow the clinical reference; "
        "your clinical lead signs off any change.",
    )
