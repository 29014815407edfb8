"""Forms for program configuration. They parse input; the rules live in services.py."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from openiop.lib.forms import Form
from openiop.programs.models import (
    Program,
    Room,
    SessionCategory,
    SessionType,
    Site,
    Track,
    Weekday,
)


@cache
def time_zone_names() -> tuple[str, ...]:
    # Scanning the zone database is slow; it does not change while the process runs.
    return tuple(sorted(zoneinfo.available_timezones()))


class SiteForm(Form):
    name = forms.CharField(max_length=200)
    address = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    phone = forms.CharField(max_length=40, required=False)

    @classmethod
    def initial_for(cls, site: Site) -> dict[str, Any]:
        return {"name": site.name, "address": site.address, "phone": site.phone}


class ProgramForm(Form):
    name = forms.CharField(max_length=200)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), to_field_name="public_id")
    time_zone = forms.CharField(
        max_length=64,
        initial="America/Chicago",
        # The page template renders <datalist id="time-zones"> with every IANA zone: suggestions
        # without script.
        widget=forms.TextInput(
            attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text="IANA name, e.g. America/Chicago. Defines the program's “today” and its weeks.",
    )
    weekly_hours_min = forms.DecimalField(
        label="Weekly hours: minimum",
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("60"),
        initial=Decimal("9.0"),
    )
    weekly_hours_max = forms.DecimalField(
        label="Weekly hours: maximum",
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("60"),
        initial=Decimal("19.0"),
    )
    planned_weeks = forms.IntegerField(
        label="Planned length (weeks)", min_value=1, max_value=52, initial=10
    )
    phone = forms.CharField(
        max_length=40, required=False, help_text="Shown to participants as the program's contact."
    )
    treats_sud = forms.BooleanField(
        label="Substance use treatment (records fall under 42 CFR Part 2)", required=False
    )

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_of("site", forms.ModelChoiceField).queryset = sites

    def clean_time_zone(self) -> str:
        value = str(self.cleaned_data["time_zone"]).strip()
        if value not in time_zone_names():
            raise ValidationError(
                f"“{value}” is not a time zone name we know. Use an IANA name such as "
                "America/Chicago or Europe/Berlin."
            )
        return value

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        low, high = data.get("weekly_hours_min"), data.get("weekly_hours_max")
        if low is not None and high is not None and low > high:
            self.add_error("weekly_hours_max", "The weekly maximum must not be below the minimum.")
        return data

    @classmethod
    def initial_for(cls, program: Program) -> dict[str, Any]:
        return {
            "name": program.name,
            "site": program.site.public_id,
            "time_zone": program.time_zone,
            "weekly_hours_min": program.weekly_hours_min,
            "weekly_hours_max": program.weekly_hours_max,
            "planned_weeks": program.planned_weeks,
            "phone": program.phone,
            "treats_sud": program.treats_sud,
            "is_active": program.is_active,
        }


class ProgramEditForm(ProgramForm):
    is_active = forms.BooleanField(
        label="Active (inactive programs take no new participants)", required=False
    )


class TrackForm(Form):
    name = forms.CharField(max_length=100)
    days = forms.TypedMultipleChoiceField(
        label="Days the track meets",
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one day the track meets."},
    )
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start is not None and end is not None and end <= start:
            self.add_error("end_time", "The track must end after it starts.")
        return data

    @classmethod
    def initial_for(cls, track: Track) -> dict[str, Any]:
        return {
            "name": track.name,
            "days": track.weekdays,
            "start_time": track.start_time,
            "end_time": track.end_time,
            "is_active": track.is_active,
        }


class TrackEditForm(TrackForm):
    is_active = forms.BooleanField(label="Active", required=False)


FEATURE_CHOICES = [
    ("pet_friendly", "Pet-friendly"),
    ("wheelchair_accessible", "Wheelchair-accessible"),
    ("telehealth", "Telehealth (a virtual room: sessions here take place by video)"),
]


class RoomForm(Form):
    name = forms.CharField(max_length=100)
    capacity = forms.IntegerField(
        min_value=1,
        max_value=500,
        help_text="How many people the room holds, facilitators included.",
        error_messages={"min_value": "A room must hold at least one person."},
    )
    features = forms.MultipleChoiceField(
        choices=FEATURE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    def feature_flags(self) -> dict[str, bool]:
        chosen = set(self.cleaned_data.get("features") or [])
        return {value: value in chosen for value, _ in FEATURE_CHOICES}

    @classmethod
    def initial_for(cls, room: Room) -> dict[str, Any]:
        return {
            "name": room.name,
            "capacity": room.capacity,
            "features": [value for value, _ in FEATURE_CHOICES if getattr(room, value)],
            "is_active": room.is_active,
        }


class RoomEditForm(RoomForm):
    is_active = forms.BooleanField(label="Active", required=False)


class SessionTypeForm(Form):
    name = forms.CharField(max_length=100)
    category = forms.ChoiceField(choices=SessionCategory.choices)
    default_minutes = forms.IntegerField(
        label="Default length (minutes)",
        min_value=5,
        max_value=480,
        error_messages={
            "min_value": "A session lasts between 5 and 480 minutes.",
            "max_value": "A session lasts between 5 and 480 minutes.",
        },
    )
    counts_toward_hours = forms.BooleanField(
        label="Counts toward program hours", required=False, initial=True
    )
    billing_code = forms.CharField(
        max_length=20, required=False, help_text="CPT/HCPCS code, e.g. 90853 or G0410."
    )
    is_group = forms.BooleanField(label="Group session", required=False, initial=True)
    needs_pet_friendly_room = forms.BooleanField(label="Needs a pet-friendly room", required=False)

    @classmethod
    def initial_for(cls, session_type: SessionType) -> dict[str, Any]:
        return {
            "name": session_type.name,
            "category": session_type.category,
            "default_minutes": session_type.default_minutes,
            "counts_toward_hours": session_type.counts_toward_hours,
            "billing_code": session_type.billing_code,
            "is_group": session_type.is_group,
            "needs_pet_friendly_room": session_type.needs_pet_friendly_room,
            "is_active": session_type.is_active,
        }


class SessionTypeEditForm(SessionTypeForm):
    is_active = forms.BooleanField(label="Active", required=False)


class DocumentationSettingsForm(Form):
    """Treatment-plan cadence and note deadlines (issue #6): a program setting each."""

    plan_review_days = forms.IntegerField(
        label="Review treatment plans every (days)",
        min_value=7,
        max_value=180,
        help_text="A plan's review falls due this many days after it takes effect.",
    )
    plan_valid_days = forms.IntegerField(
        label="Plans expire after (days)",
        min_value=7,
        max_value=365,
        help_text="Recertification: after this many days a plan must be renewed "
        "(Medicare: at least every 60 days). Notes cannot be signed against an expired plan.",
    )
    plan_cosign_required = forms.BooleanField(
        label="Plans need a supervisor's co-signature", required=False
    )
    note_sign_hours = forms.IntegerField(
        label="List unsigned notes after (hours)",
        min_value=1,
        max_value=168,
        help_text="Unsigned notes older than this appear on the author's and director's lists.",
    )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        review, valid = data.get("plan_review_days"), data.get("plan_valid_days")
        if review is not None and valid is not None and review > valid:
            self.add_error("plan_review_days", "Reviews must fall due before the plan expires.")
        return data

    @classmethod
    def initial_for(cls, program: Program) -> dict[str, Any]:
        return {name: getattr(program, name) for name in cls.base_fields}
