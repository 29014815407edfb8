"""Write functions for program configuration: one per action, keyword-only, atomic, validated.

Configuration holds no participant data, so nothing here touches the access log or the
timeline; nor does anything here log field values.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from openiop.accounts.models import StaffAssignment
from openiop.programs import hooks
from openiop.programs.models import (
    Organization,
    Program,
    Room,
    SessionCategory,
    SessionType,
    Site,
    Track,
    Weekday,
)

if TYPE_CHECKING:
    from openiop.accounts.models import User


def _require_unique_name(
    queryset: models.QuerySet[Any], *, name: str, instance: models.Model | None, message: str
) -> None:
    # Case-insensitive, so "Morning" and "morning" cannot both appear in one list.
    clash = queryset.filter(name__iexact=name.strip())
    if instance is not None and instance.pk is not None:
        clash = clash.exclude(pk=instance.pk)
    if name.strip() and clash.exists():
        raise ValidationError({"name": message})


def _save(instance: models.Model, *, duplicate_message: str) -> None:
    """Validate and save; a unique-name race lost to a concurrent save becomes the same
    friendly error as the pre-check instead of an IntegrityError page."""
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ValidationError({"name": duplicate_message}) from None


def _save_named(instance: Any, *, siblings: models.QuerySet[Any], duplicate_message: str) -> None:
    """Validate and save `instance` (a site, program, track, room or session type) under its
    name, refused with `duplicate_message` when one of `siblings` already has that name."""
    _require_unique_name(siblings, name=instance.name, instance=instance, message=duplicate_message)
    _save(instance, duplicate_message=duplicate_message)


def _days_string(days: Iterable[int | str]) -> str:
    try:
        numbers = sorted({int(d) for d in days})
    except (TypeError, ValueError):
        raise ValidationError({"days": "Days must be weekdays."}) from None
    if any(d not in Weekday.values for d in numbers):
        raise ValidationError({"days": "Days must be weekdays (Monday = 0 to Sunday = 6)."})
    return ",".join(str(d) for d in numbers)


def _open_episodes(*, program: Program | None = None, track: Track | None = None) -> int:
    return sum(hooks.open_episodes_count.fire(program, track))


# Sites -------------------------------------------------------------------------------------


def _site_duplicate(name: str) -> str:
    return f"This organization already has a site named “{name.strip()}”."


@transaction.atomic
def site_create(
    *, organization: Organization, name: str, address: str = "", phone: str = ""
) -> Site:
    site = Site(organization=organization, name=name.strip(), address=address, phone=phone)
    _save_named(
        site,
        siblings=Site.objects.filter(organization=organization),
        duplicate_message=_site_duplicate(name),
    )
    return site


@transaction.atomic
def site_update(*, site: Site, name: str, address: str, phone: str) -> Site:
    site = Site.objects.select_for_update().get(pk=site.pk)
    site.name, site.address, site.phone = name.strip(), address, phone
    _save_named(
        site,
        siblings=Site.objects.filter(organization_id=site.organization_id),
        duplicate_message=_site_duplicate(name),
    )
    return site


# Programs ----------------------------------------------------------------------------------


def _program_duplicate(name: str) -> str:
    return f"This organization already has a program named “{name.strip()}”."


def _check_program_fields(*, program: Program, site: Site) -> None:
    if site.organization_id != program.organization_id:
        raise ValidationError({"site": "Choose a site of this organization."})


@transaction.atomic
def program_create(
    *,
    site: Site,
    created_by: User,
    name: str,
    time_zone: str,
    weekly_hours_min: Decimal,
    weekly_hours_max: Decimal,
    planned_weeks: int,
    phone: str = "",
    treats_sud: bool = False,
) -> Program:
    """Create a program at `site` and assign its creator to it, so the director who set it
    up can go on configuring it."""
    if created_by.organization_id != site.organization_id:
        raise ValidationError({"site": "Choose a site of your organization."})
    program = Program(
        organization_id=site.organization_id,
        site=site,
        name=name.strip(),
        time_zone=time_zone.strip(),
        weekly_hours_min=weekly_hours_min,
        weekly_hours_max=weekly_hours_max,
        planned_weeks=planned_weeks,
        phone=phone,
        treats_sud=treats_sud,
    )
    _save_named(
        program,
        siblings=Program.objects.filter(organization_id=site.organization_id),
        duplicate_message=_program_duplicate(name),
    )
    StaffAssignment.objects.create(
        user=created_by, program=program, organization_id=program.organization_id
    )
    return program


@transaction.atomic
def program_update(
    *,
    program: Program,
    site: Site,
    name: str,
    time_zone: str,
    weekly_hours_min: Decimal,
    weekly_hours_max: Decimal,
    planned_weeks: int,
    phone: str,
    treats_sud: bool,
    is_active: bool,
) -> Program:
    program = Program.objects.select_for_update().get(pk=program.pk)
    _check_program_fields(program=program, site=site)
    _require_unique_name(
        Program.objects.filter(organization_id=program.organization_id),
        name=name,
        instance=program,
        message=_program_duplicate(name),
    )
    errors: dict[str, str] = {}
    if program.treats_sud and not treats_sud and program.episodes.exists():
        # Records already made under 42 CFR Part 2 stay protected; un-flagging the program
        # would quietly expose them to roles without SUD access.
        errors["treats_sud"] = (
            "This program already has participants whose records fall under 42 CFR Part 2; "
            "it cannot stop being a substance use program."
        )
    if program.is_active and not is_active:
        still_open = _open_episodes(program=program)
        if still_open:
            errors["is_active"] = (
                f"{still_open} participant episode{'s are' if still_open != 1 else ' is'} "
                "still open in this program. Discharge or transfer them before deactivating it."
            )
    if errors:
        raise ValidationError(errors)
    program.site = site
    program.name = name.strip()
    program.time_zone = time_zone.strip()
    program.weekly_hours_min = weekly_hours_min
    program.weekly_hours_max = weekly_hours_max
    program.planned_weeks = planned_weeks
    program.phone = phone
    program.treats_sud = treats_sud
    program.is_active = is_active
    _save(program, duplicate_message=_program_duplicate(name))
    return program


# Tracks ------------------------------------------------------------------------------------


def _track_duplicate(name: str) -> str:
    return f"This program already has a track named “{name.strip()}”."


@transaction.atomic
def track_create(
    *, program: Program, name: str, days: Iterable[int | str], start_time: time, end_time: time
) -> Track:
    track = Track(
        organization_id=program.organization_id,
        program=program,
        name=name.strip(),
        days=_days_string(days),
        start_time=start_time,
        end_time=end_time,
    )
    _save_named(
        track,
        siblings=Track.objects.filter(program=program),
        duplicate_message=_track_duplicate(name),
    )
    return track


@transaction.atomic
def track_update(
    *,
    track: Track,
    name: str,
    days: Iterable[int | str],
    start_time: time,
    end_time: time,
    is_active: bool,
) -> Track:
    track = Track.objects.select_for_update().get(pk=track.pk)
    _require_unique_name(
        Track.objects.filter(program_id=track.program_id),
        name=name,
        instance=track,
        message=_track_duplicate(name),
    )
    if track.is_active and not is_active:
        still_open = _open_episodes(track=track)
        if still_open:
            raise ValidationError(
                {
                    "is_active": f"{still_open} open participant episode"
                    f"{'s are' if still_open != 1 else ' is'} on this track. "
                    "Move them to another track before deactivating it."
                }
            )
    track.name = name.strip()
    track.days = _days_string(days)
    track.start_time, track.end_time = start_time, end_time
    track.is_active = is_active
    _save(track, duplicate_message=_track_duplicate(name))
    return track


# Rooms -------------------------------------------------------------------------------------


def _room_duplicate(name: str) -> str:
    return f"This site already has a room named “{name.strip()}”."


def _check_capacity(capacity: int) -> None:
    if capacity is None or capacity < 1:
        raise ValidationError({"capacity": "A room must hold at least one person."})


@transaction.atomic
def room_create(
    *,
    site: Site,
    name: str,
    capacity: int,
    pet_friendly: bool = False,
    wheelchair_accessible: bool = False,
    telehealth: bool = False,
) -> Room:
    _check_capacity(capacity)
    room = Room(
        organization_id=site.organization_id,
        site=site,
        name=name.strip(),
        capacity=capacity,
        pet_friendly=pet_friendly,
        wheelchair_accessible=wheelchair_accessible,
        telehealth=telehealth,
    )
    _save_named(
        room, siblings=Room.objects.filter(site=site), duplicate_message=_room_duplicate(name)
    )
    return room


@transaction.atomic
def room_update(
    *,
    room: Room,
    name: str,
    capacity: int,
    pet_friendly: bool,
    wheelchair_accessible: bool,
    telehealth: bool,
    is_active: bool,
) -> Room:
    _check_capacity(capacity)
    room = Room.objects.select_for_update().get(pk=room.pk)
    room.name = name.strip()
    room.capacity = capacity
    room.pet_friendly = pet_friendly
    room.wheelchair_accessible = wheelchair_accessible
    room.telehealth = telehealth
    room.is_active = is_active
    _save_named(
        room,
        siblings=Room.objects.filter(site_id=room.site_id),
        duplicate_message=_room_duplicate(name),
    )
    return room


# Session types -----------------------------------------------------------------------------


def _session_type_duplicate(name: str) -> str:
    return f"This program already has a session type named “{name.strip()}”."


def _check_session_type_fields(*, category: str, default_minutes: int) -> None:
    errors: dict[str, str] = {}
    if category not in SessionCategory.values:
        errors["category"] = "Choose one of the listed categories."
    if default_minutes is None or not 5 <= default_minutes <= 480:
        errors["default_minutes"] = "A session lasts between 5 and 480 minutes."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def session_type_create(
    *,
    program: Program,
    name: str,
    category: str,
    default_minutes: int,
    counts_toward_hours: bool = True,
    billing_code: str = "",
    is_group: bool = True,
    needs_pet_friendly_room: bool = False,
) -> SessionType:
    _check_session_type_fields(category=category, default_minutes=default_minutes)
    session_type = SessionType(
        organization_id=program.organization_id,
        program=program,
        name=name.strip(),
        category=category,
        default_minutes=default_minutes,
        counts_toward_hours=counts_toward_hours,
        billing_code=billing_code.strip().upper(),
        is_group=is_group,
        needs_pet_friendly_room=needs_pet_friendly_room,
    )
    _save_named(
        session_type,
        siblings=SessionType.objects.filter(program=program),
        duplicate_message=_session_type_duplicate(name),
    )
    return session_type


@transaction.atomic
def session_type_update(
    *,
    session_type: SessionType,
    name: str,
    category: str,
    default_minutes: int,
    counts_toward_hours: bool,
    billing_code: str,
    is_group: bool,
    needs_pet_friendly_room: bool,
    is_active: bool,
) -> SessionType:
    _check_session_type_fields(category=category, default_minutes=default_minutes)
    session_type = SessionType.objects.select_for_update().get(pk=session_type.pk)
    session_type.name = name.strip()
    session_type.category = category
    session_type.default_minutes = default_minutes
    session_type.counts_toward_hours = counts_toward_hours
    session_type.billing_code = billing_code.strip().upper()
    session_type.is_group = is_group
    session_type.needs_pet_friendly_room = needs_pet_friendly_room
    session_type.is_active = is_active
    _save_named(
        session_type,
        siblings=SessionType.objects.filter(program_id=session_type.program_id),
        duplicate_message=_session_type_duplicate(name),
    )
    return session_type


@transaction.atomic
def program_documentation_set(
    *,
    program: Program,
    plan_review_days: int,
    plan_valid_days: int,
    plan_cosign_required: bool,
    note_sign_hours: int,
) -> Program:
    """Set how often treatment plans are reviewed, when they expire, whether they need a
    co-signature, and when unsigned notes are listed as late."""
    if plan_review_days > plan_valid_days:
        raise ValidationError(
            {"plan_review_days": "Reviews must fall due before the plan expires."}
        )
    locked = Program.objects.select_for_update().get(pk=program.pk)
    locked.plan_review_days = plan_review_days
    locked.plan_valid_days = plan_valid_days
    locked.plan_cosign_required = plan_cosign_required
    locked.note_sign_hours = note_sign_hours
    locked.full_clean(validate_unique=False, validate_constraints=False)
    locked.save(
        update_fields=[
            "plan_review_days",
            "plan_valid_days",
            "plan_cosign_required",
            "note_sign_hours",
        ]
    )
    return locked
