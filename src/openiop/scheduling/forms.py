"""Forms for the schedule pages. They check shape and choices only (choices limited to the
program's own rows, referred to by public id); the rules live in scheduling/services.py."""

from __future__ import annotations

import zoneinfo
from datetime import time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from openiop.accounts.models import User
from openiop.lib.forms import Form
from openiop.participants.forms import DateInput, clinicians_of
from openiop.participants.models import FamilyContact, Participant
from openiop.programs.models import Program, Room, SessionCategory, SessionType, Track, Weekday
from openiop.scheduling.models import UnavailabilityReason
from openiop.scheduling.services import local_to_utc


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class UsersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class _ProgramForm(Form):
    """Room, link, facilitators and the override fields every scheduling form has."""

    room = forms.ModelChoiceField(
        queryset=Room.objects.none(), to_field_name="public_id", required=False
    )
    telehealth_url = forms.URLField(label="Telehealth link", required=False, assume_scheme="https")
    facilitators = UsersField(
        queryset=User.objects.none(),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    topic = forms.CharField(max_length=200, required=False)
    schedule_anyway = forms.BooleanField(required=False, label="Schedule anyway (directors only)")
    override_reason = forms.CharField(
        max_length=300, required=False, label="Reason for scheduling despite the conflicts"
    )

    def __init__(self, *args: Any, program: Program, can_override: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.field_of("room", forms.ModelChoiceField).queryset = Room.objects.filter(
            site_id=program.site_id, is_active=True
        )
        self.field_of("facilitators", forms.ModelChoiceField).queryset = clinicians_of(program)
        if not can_override:
            del self.fields["schedule_anyway"]
            del self.fields["override_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("schedule_anyway") and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", "Give the reason for scheduling anyway.")
        return data

    def chosen_override_reason(self) -> str:
        if self.cleaned_data.get("schedule_anyway"):
            return str(self.cleaned_data.get("override_reason") or "")
        return ""


def _types(program: Program, *, group: bool | None = None, category: str = "") -> Any:
    types = SessionType.objects.filter(program=program, is_active=True)
    if group is not None:
        types = types.filter(is_group=group)
    if category:
        types = types.filter(category=category)
    return types


class SeriesForm(_ProgramForm):
    track = forms.ModelChoiceField(
        queryset=Track.objects.none(), to_field_name="public_id", required=False
    )
    session_type = forms.ModelChoiceField(
        queryset=SessionType.objects.none(), to_field_name="public_id"
    )
    weekdays = forms.TypedMultipleChoiceField(
        choices=Weekday.choices, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    start_time = forms.TimeField(widget=TimeInput())
    end_time = forms.TimeField(widget=TimeInput())
    starts_on = forms.DateField(label="First day", widget=DateInput())
    ends_on = forms.DateField(label="Last day", widget=DateInput())
    capacity = forms.IntegerField(min_value=1, max_value=100, initial=12)
    follows_curriculum = forms.BooleanField(
        required=False, label="Skills group: each session takes the curriculum's lesson"
    )
    field_order = [
        "track",
        "session_type",
        "weekdays",
        "start_time",
        "end_time",
        "starts_on",
        "ends_on",
        "room",
        "telehealth_url",
        "capacity",
        "facilitators",
        "topic",
        "follows_curriculum",
    ]

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, program=program, **kwargs)
        self.field_of("track", forms.ModelChoiceField).queryset = Track.objects.filter(
            program=program, is_active=True
        )
        self.field_of("session_type", forms.ModelChoiceField).queryset = _types(program, group=True)


class SeriesRestForm(_ProgramForm):
    from_on = forms.DateField(label="Change from", widget=DateInput())
    weekdays = forms.TypedMultipleChoiceField(
        choices=Weekday.choices, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    start_time = forms.TimeField(widget=TimeInput())
    end_time = forms.TimeField(widget=TimeInput())
    ends_on = forms.DateField(label="Last day", widget=DateInput())
    capacity = forms.IntegerField(min_value=1, max_value=100)
    field_order = ["from_on", "weekdays", "start_time", "end_time", "ends_on", "room"]


class _WhenForm(_ProgramForm):
    """A date and local start/end times; `starts_at`/`ends_at` in cleaned_data are UTC."""

    day = forms.DateField(label="Date", widget=DateInput())
    start_time = forms.TimeField(widget=TimeInput())
    end_time = forms.TimeField(widget=TimeInput())
    field_order = ["day", "start_time", "end_time"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day and isinstance(start, time) and isinstance(end, time):
            if start >= end:
                self.add_error("end_time", "The session must end after it starts.")
            else:
                data["starts_at"] = local_to_utc(day, start, self.program)
                data["ends_at"] = local_to_utc(day, end, self.program)
        return data


class SessionForm(_WhenForm):
    """A one-off group session, or editing any session."""

    capacity = forms.IntegerField(min_value=1, max_value=100)


class SessionNewForm(SessionForm):
    track = forms.ModelChoiceField(
        queryset=Track.objects.none(), to_field_name="public_id", required=False
    )
    session_type = forms.ModelChoiceField(
        queryset=SessionType.objects.none(), to_field_name="public_id"
    )
    field_order = ["track", "session_type", "day", "start_time", "end_time"]

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, program=program, **kwargs)
        self.field_of("track", forms.ModelChoiceField).queryset = Track.objects.filter(
            program=program, is_active=True
        )
        self.field_of("session_type", forms.ModelChoiceField).queryset = _types(program, group=True)


class BookingForm(_WhenForm):
    session_type = forms.ModelChoiceField(
        queryset=SessionType.objects.none(), to_field_name="public_id", empty_label=None
    )
    field_order = ["session_type", "day", "start_time", "end_time"]

    def __init__(self, *args: Any, program: Program, category: str, **kwargs: Any) -> None:
        super().__init__(*args, program=program, **kwargs)
        self.field_of("session_type", forms.ModelChoiceField).queryset = _types(
            program, category=category
        )


class FamilyBookingForm(BookingForm):
    contacts = forms.ModelMultipleChoiceField(
        queryset=FamilyContact.objects.none(),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        label="Family members attending",
    )

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, category=SessionCategory.FAMILY, **kwargs)
        # The booking program's own contacts: another program's are not its to know of.
        self.field_of(
            "contacts", forms.ModelChoiceField
        ).queryset = participant.family_contacts.filter(program=kwargs["program"])


class CancelForm(Form):
    reason = forms.CharField(max_length=200, label="Reason for cancelling")


class UnavailabilityForm(Form):
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label="Day")
    start_time = forms.TimeField(widget=TimeInput(), label="From")
    end_time = forms.TimeField(widget=TimeInput(), label="Until")
    reason = forms.ChoiceField(choices=UnavailabilityReason.choices)
    note = forms.CharField(max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and start >= end:
            raise ValidationError("The unavailable time must end after it starts.")
        return data


def session_initial(session: Any) -> dict[str, Any]:
    """An existing session's values in the form's terms (local date and times)."""
    tz = zoneinfo.ZoneInfo(session.program.time_zone)
    start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    return {
        "day": start.date(),
        "start_time": start.time(),
        "end_time": end.time(),
        "room": session.room.public_id if session.room else None,
        "telehealth_url": session.telehealth_url,
        "topic": session.topic,
        "capacity": session.capacity,
        "facilitators": [u.public_id for u in session.facilitators.all()],
    }


class UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class ClinicianHoursForm(Form):
    """A clinician's working hours on one weekday, for the week planner."""

    user = UserField(queryset=User.objects.none(), to_field_name="public_id", label="Clinician")
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label="Day")
    start_time = forms.TimeField(widget=TimeInput(), label="From")
    end_time = forms.TimeField(widget=TimeInput(), label="Until")

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_of("user", forms.ModelChoiceField).queryset = clinicians_of(program)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and start >= end:
            raise ValidationError("Working hours must end after they start.")
        return data
