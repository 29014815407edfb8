"""Forms for the plan pages. They only shape input; the rules live in care.services."""

from __future__ import annotations

from typing import Any

from django import forms

from openiop.accounts.models import User
from openiop.care.models import (
    RELAPSE_SECTIONS,
    Direction,
    GoalStatus,
    MeasureKind,
    Modality,
    ObjectiveProgress,
    PlanObjective,
    ReviewReason,
)
from openiop.care.review_selectors import diary_measures
from openiop.care.services import SIGNING_ROLES
from openiop.lib.forms import Form, text_area
from openiop.measures.services import instrument_codes
from openiop.participants.forms import ParticipantSignForm
from openiop.participants.models import Episode

DATE = forms.DateInput(attrs={"type": "date"})


class PlanDetailsForm(Form):
    diagnosis = forms.CharField(
        label="Diagnosis",
        required=False,
        max_length=300,
        help_text="As on the referral or assessment.",
    )
    participant_goals = text_area(
        "What the participant wants from the program",
        rows=3,
        max_length=4000,
        required=False,
        help_text="In their own words.",
    )
    strengths = text_area("Strengths", rows=2, max_length=4000, required=False)
    services_summary = text_area(
        "Services: type, amount, frequency and duration",
        rows=3,
        max_length=4000,
        required=False,
        help_text="e.g. IOP groups 3 days a week, 3 hours a day, for about 10 weeks; "
        "individual therapy weekly.",
    )


class ProblemForm(Form):
    description = text_area("Problem", rows=2, max_length=4000, required=True)


class GoalForm(Form):
    description = text_area(
        "Goal",
        rows=2,
        max_length=4000,
        required=True,
        help_text="What the participant is working toward, in words they would use.",
    )
    status = forms.ChoiceField(label="Status", choices=GoalStatus.choices)


class ObjectiveForm(Form):
    description = text_area(
        "Objective",
        rows=2,
        max_length=4000,
        required=True,
        help_text="A measurable step toward the goal.",
    )
    target_on = forms.DateField(label="Target date", widget=DATE)
    measure_kind = forms.ChoiceField(label="Measured by", choices=MeasureKind.choices)
    instrument_code = forms.ChoiceField(
        label="Questionnaire (for a score)", required=False, choices=()
    )
    diary_key = forms.ChoiceField(
        label="Diary-card row (for a diary target)", required=False, choices=()
    )
    direction = forms.ChoiceField(
        label="Target is",
        required=False,
        choices=[("", "—"), *Direction.choices],
    )
    threshold = forms.CharField(
        label="Target figure",
        required=False,
        max_length=10,
        help_text=(
            "A score; a percentage of scheduled sessions; days a week or a rating on the "
            "diary card."
        ),
    )
    target_text = forms.CharField(
        label="Described behaviour (for a behaviour objective)",
        required=False,
        max_length=300,
    )
    status = forms.ChoiceField(label="Status", choices=GoalStatus.choices)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_of("instrument_code", forms.ChoiceField).choices = [("", "—")] + [
            (c, c) for c in instrument_codes()
        ]
        self.field_of("diary_key", forms.ChoiceField).choices = [("", "—")] + [
            (m.key, f"{m.label} ({m.unit})") for m in diary_measures(episode)
        ]

    @staticmethod
    def initial_for(objective: PlanObjective) -> dict[str, Any]:
        return {
            "description": objective.description,
            "target_on": objective.target_on,
            "measure_kind": objective.measure_kind,
            "instrument_code": objective.instrument_code,
            "diary_key": objective.diary_key,
            "direction": objective.direction,
            "threshold": objective.threshold_text,
            "target_text": objective.target_text,
            "status": objective.status,
        }


def clinicians_for(episode: Episode) -> Any:
    return (
        User.objects.filter(
            assignments__program_id=episode.program_id, role__in=SIGNING_ROLES, is_active=True
        )
        .order_by("full_name")
        .distinct()
    )


class InterventionForm(Form):
    modality = forms.ChoiceField(label="Modality", choices=Modality.choices)
    description = forms.CharField(label="Intervention", max_length=300)
    frequency = forms.CharField(label="How often", max_length=100, help_text="e.g. 3 groups a week")
    responsible = forms.ModelChoiceField(
        label="Responsible clinician", queryset=User.objects.none(), to_field_name="public_id"
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_of("responsible", forms.ModelChoiceField).queryset = clinicians_for(episode)


class SignForm(ParticipantSignForm):
    signing_says = "Signing says you have read this plan and worked it out with your care team."


class ReviewForm(Form):
    reviewed_on = forms.DateField(label="Review date", widget=DATE)
    reason = forms.ChoiceField(label="Why now", choices=ReviewReason.choices)
    changes = text_area(
        "What changes in the plan, and why",
        rows=4,
        max_length=4000,
        required=True,
        help_text="The next version opens as a draft with these changes still to be made.",
    )

    def __init__(self, *args: Any, objectives: list[PlanObjective], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objectives = objectives
        for objective in objectives:
            self.fields[f"progress_{objective.public_id}"] = forms.ChoiceField(
                label="Progress",
                choices=[("", "—"), *ObjectiveProgress.choices],
            )
            self.fields[f"comment_{objective.public_id}"] = text_area(
                "Comment", rows=2, max_length=4000, required=False
            )

    def objective_fields(self) -> list[tuple[PlanObjective, Any, Any]]:
        return [
            (o, self[f"progress_{o.public_id}"], self[f"comment_{o.public_id}"])
            for o in self.objectives
        ]


class RelapsePlanForm(Form):
    review_on = forms.DateField(label="Review date", required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, heading, prompt in RELAPSE_SECTIONS:
            self.fields[key] = text_area(
                heading,
                rows=3,
                max_length=4000,
                required=False,
                help_text=f"{prompt} In the participant's own words.",
            )
        # The review date last, after the sections.
        self.order_fields([key for key, _, _ in RELAPSE_SECTIONS] + ["review_on"])


class ProposalForm(Form):
    section = forms.ChoiceField(
        label="Which part", choices=[(key, heading) for key, heading, _ in RELAPSE_SECTIONS]
    )
    text = text_area(
        "What you would like it to say",
        rows=5,
        max_length=4000,
        required=True,
        help_text="Write the whole part as you want it. Your care team reads it with you.",
    )


class DecisionForm(Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    note = forms.CharField(label="Note for the participant", required=False, max_length=300)
