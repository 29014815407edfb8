"""Who may reach each URL of the project, as a table the access matrix walks.

Every URL pattern of the URLconf has exactly one entry, keyed by its name. An entry says
which objects fill the URL (for each *variant*: a slot, a person, a program, a user) and the
rule that decides, for each persona and variant, whether the page may be served. The rule is
written from the scoping rule in docs/architecture.md, not from what the code happens to do:
the matrix compares the two.

Variants:
- ``slot``: one (person, program) enrolment: xdbt, xsud, ydbt, zfar (see world.py);
- ``person``: the person of slots xdbt (Dana, in two programs), ydbt and zfar;
- ``program``: the program objects of dbt, sud and far;
- ``user``: a staff account of this organization and one of the other;
- ``none``: a URL without objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openiop.accounts.roles import Perm, Role, role_has
from tests.matrix.world import Slot, World

IDENTITY, CLINICAL = "identity", "clinical"


@dataclass(frozen=True)
class Rule:
    """Who may be served a URL for one variant."""

    kind: str  # open, signed_in, staff, person, record, program, user, audit, portal, family
    perm: Perm | None = None
    level: str = IDENTITY
    write: bool = False
    # Only these roles (clinical actions that intake and billing never take) ...
    roles: tuple[str, ...] = ()
    # ... or only these personas (the author of a note).
    personas: tuple[str, ...] = ()


def open_() -> Rule:
    return Rule("open")


def signed_in() -> Rule:
    return Rule("signed_in")


def staff(perm: Perm) -> Rule:
    return Rule("staff", perm=perm)


def person(level: str = IDENTITY, *, write: bool = False) -> Rule:
    return Rule("person", level=level, write=write)


def record(
    level: str = IDENTITY,
    *,
    write: bool = False,
    perm: Perm | None = None,
    roles: tuple[str, ...] = (),
    personas: tuple[str, ...] = (),
) -> Rule:
    return Rule("record", level=level, write=write, perm=perm, roles=roles, personas=personas)


CLINICIANS = (Role.DIRECTOR, Role.CLINICIAN)


def program(perm: Perm = Perm.PROGRAM_CONFIGURE, level: str = IDENTITY) -> Rule:
    return Rule("program", perm=perm, level=level)


def portal() -> Rule:
    return Rule("portal")


def family() -> Rule:
    return Rule("family")


Args = Callable[[Any, World], dict[str, Any]]


@dataclass(frozen=True)
class Entry:
    rule: Rule
    variant: str = "none"  # none, slot, person, program, user, portal
    args: Args | None = None
    # Pages whose whole purpose is to show the organization's log or a bearer-token feed are
    # not scanned for markers (see test_access_matrix).
    scan: bool = True
    # A different rule for POST (who may change what everyone allowed may read).
    post: Rule | None = None
    # The action needs a state the world's object is not in (resuming an active episode):
    # a permitted persona may be refused with 404; refused personas are still checked.
    state: bool = False
    # Statuses that are the page's own answer, not a failure (a health check's 503).
    answers: frozenset[int] = frozenset()


def _p(s: Slot, w: World) -> dict[str, Any]:
    return {"public_id": s.person.public_id}


def _pe(s: Slot, w: World) -> dict[str, Any]:
    return {"public_id": s.person.public_id, "episode_id": s.episode.public_id}


def _past(s: Slot, w: World) -> dict[str, Any]:
    return {"public_id": s.person.public_id, "episode_id": s.past.public_id}


def _with(name: str, **fixed: Any) -> Args:
    """participant + one of the slot's records, as `name`."""

    def build(s: Slot, w: World) -> dict[str, Any]:
        values = {"public_id": s.person.public_id, **fixed}
        for key, attr in _RECORD_ARGS[name].items():
            values[key] = _dig(s, attr).public_id
        return values

    return build


def _only(key: str, attr: str) -> Args:
    def build(s: Any, w: World) -> dict[str, Any]:
        return {key: _dig(s, attr).public_id}

    return build


def _billing_config(name: str) -> Args:
    """The organization's payer (or its rule), from the world: configuration, not a record."""

    def build(_: Any, w: World) -> dict[str, Any]:
        return {f"{name}_id": w.extra[name].public_id}

    return build


def _dig(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
        if callable(obj) and part in {"first"}:
            obj = obj()
    return obj


_RECORD_ARGS: dict[str, dict[str, str]] = {
    "authorization": {"episode_id": "episode", "auth_id": "authorization"},
    "diagnosis": {"episode_id": "episode", "diagnosis_id": "diagnosis"},
    "plan": {"plan_id": "plan"},
    "draft": {"plan_id": "draft_plan"},
    "review": {"review_id": "review"},
    "relapse": {"version_id": "relapse"},
    "proposal": {"proposal_id": "proposal"},
    "summary": {"summary_id": "summary"},
    "response": {"response_id": "response"},
    "note": {"note_id": "note"},
    "safety_plan": {"version_id": "safety_plan"},
    "consent": {"consent_id": "family_consent"},
    "contact": {"contact_id": "contact"},
    "medication": {"medication_id": "medication"},
}


def _draft_item(s: Slot, w: World) -> dict[str, Any]:
    problem = s.draft_plan.problems.order_by("id").first()
    return {
        "public_id": s.person.public_id,
        "plan_id": s.draft_plan.public_id,
        "kind": "problem",
        "item_id": problem.public_id,
    }


def _attendance(s: Slot, w: World) -> dict[str, Any]:
    return {"public_id": s.individual.public_id, "participant_id": s.person.public_id}


def _unavailable(s: Slot, w: World) -> dict[str, Any]:
    return {
        "public_id": s.person.public_id,
        "item_id": s.person.unavailability.get().public_id,
    }


def _user(u: Any, w: World) -> dict[str, Any]:
    return {"public_id": u.public_id}


def _feed(_: Any, w: World) -> dict[str, Any]:
    return {"token": w.extra["feed_secret"]}


# Who wrote the world's notes (tests/matrix/world.py): only the author edits a draft.
AUTHORS = ("clinician_both", "clinician_far")

CL, EX, WR, CR, CFG = (
    Perm.PARTICIPANT_CLINICAL,
    Perm.PARTICIPANT_EXISTS,
    Perm.PARTICIPANT_WRITE,
    Perm.PARTICIPANT_CREATE,
    Perm.PROGRAM_CONFIGURE,
)

ROUTES: dict[str, Entry] = {
    # --- sign-in and accounts -------------------------------------------------------------
    "home": Entry(signed_in()),
    "accounts:login": Entry(open_()),
    "accounts:logout": Entry(signed_in()),
    "accounts:mfa_setup": Entry(signed_in()),
    "accounts:mfa_verify": Entry(signed_in()),
    "accounts:password_reset": Entry(open_()),
    "accounts:password_reset_done": Entry(open_()),
    "accounts:password_reset_confirm": Entry(
        open_(), args=lambda _, w: {"uidb64": "MQ", "token": "set-password"}
    ),
    "accounts:password_reset_complete": Entry(open_()),
    # The invitation link's token travels in the query string; without one the page says so.
    "welcome": Entry(open_(), state=True),
    "staff:users": Entry(staff(Perm.USER_MANAGE)),
    "staff:user_create": Entry(staff(Perm.USER_MANAGE)),
    **{
        f"staff:{name}": Entry(Rule("user", perm=Perm.USER_MANAGE), "user", _user)
        for name in (
            "user_detail",
            "user_edit",
            "user_deactivate",
            "user_reactivate",
            "user_mfa_reset",
            "user_invite",
        )
    },
    # --- audit review: the organization's log, names included, for the privacy officer -----
    "audit:log": Entry(staff(Perm.AUDIT_REVIEW), scan=False),
    "audit:export": Entry(staff(Perm.AUDIT_REVIEW), scan=False),
    "audit:participant": Entry(Rule("audit"), "person", _p, scan=False),
    "audit:user": Entry(Rule("user", perm=Perm.AUDIT_REVIEW), "user", _user, scan=False),
    # --- treatment plans and relapse prevention (care) ------------------------------------
    # --- billing: identity-level business records; payers are the organization's ---------
    "billing:worklist": Entry(staff(Perm.BILLING_VIEW)),
    "billing:payers": Entry(staff(Perm.BILLING_MANAGE)),
    "billing:payer_new": Entry(staff(Perm.BILLING_MANAGE)),
    "billing:payer_edit": Entry(staff(Perm.BILLING_MANAGE), args=_billing_config("payer")),
    "billing:rule_new": Entry(staff(Perm.BILLING_MANAGE), args=_billing_config("payer")),
    "billing:rule_edit": Entry(staff(Perm.BILLING_MANAGE), args=_billing_config("rule")),
    "billing:claims": Entry(staff(Perm.BILLING_MANAGE)),
    "billing:batch_create": Entry(staff(Perm.BILLING_MANAGE)),
    "billing:export_csv": Entry(staff(Perm.BILLING_MANAGE)),
    "billing:remittance_new": Entry(staff(Perm.BILLING_MANAGE)),
    "billing:batch": Entry(program(Perm.BILLING_MANAGE), "program", _only("batch_id", "batch")),
    "billing:batch_837i": Entry(
        program(Perm.BILLING_MANAGE), "program", _only("batch_id", "batch"), scan=False
    ),
    "billing:episode": Entry(record(perm=Perm.BILLING_VIEW), "slot", _pe),
    "billing:coverage_new": Entry(record(perm=Perm.BILLING_MANAGE), "slot", _pe),
    "billing:authorization_new": Entry(record(perm=Perm.BILLING_MANAGE), "slot", _pe),
    "billing:review_new": Entry(record(perm=Perm.BILLING_MANAGE), "slot", _with("authorization")),
    "billing:diagnosis_new": Entry(record(CLINICAL, write=True), "slot", _pe),
    "billing:diagnosis_remove": Entry(record(CLINICAL, write=True), "slot", _with("diagnosis")),
    "care:plan": Entry(person(CLINICAL), "person", _p),
    "care:plan_start": Entry(person(CLINICAL, write=True), "person", _p),
    "care:plan_version": Entry(record(CLINICAL), "slot", _with("plan")),
    "care:plan_edit": Entry(record(CLINICAL, write=True), "slot", _with("draft")),
    "care:plan_item_add": Entry(
        record(CLINICAL, write=True), "slot", _with("draft", kind="problem")
    ),
    "care:plan_item": Entry(record(CLINICAL, write=True), "slot", _draft_item),
    "care:plan_item_remove": Entry(record(CLINICAL, write=True), "slot", _draft_item),
    "care:plan_sign": Entry(record(CLINICAL, write=True), "slot", _with("draft")),
    "care:plan_cosign": Entry(record(CLINICAL, write=True), "slot", _with("draft")),
    "care:plan_print": Entry(record(CLINICAL), "slot", _with("plan")),
    "care:plan_review": Entry(record(CLINICAL, write=True), "slot", _with("plan")),
    "care:review": Entry(record(CLINICAL), "slot", _with("review")),
    "care:relapse": Entry(person(CLINICAL), "person", _p),
    "care:relapse_edit": Entry(person(CLINICAL, write=True), "person", _p),
    "care:relapse_version": Entry(record(CLINICAL), "slot", _with("relapse")),
    "care:relapse_agree": Entry(record(CLINICAL, write=True), "slot", _with("relapse")),
    "care:relapse_discharge_review": Entry(record(CLINICAL, write=True), "slot", _with("relapse")),
    "care:relapse_proposal_decide": Entry(record(CLINICAL, write=True), "slot", _with("proposal")),
    "care:my_plan": Entry(portal()),
    "care:my_relapse_plan": Entry(portal()),
    "care:my_relapse_propose": Entry(portal()),
    # --- substance-use care -------------------------------------------------------------
    # The medication list is clinical content of the episode's program (Part 2 where it treats
    # substance use); only clinicians and directors change it.
    "substance_use:medications": Entry(
        person(CLINICAL),
        "person",
        _p,
        post=Rule("person", level=CLINICAL, write=True, roles=CLINICIANS),
    ),
    "substance_use:reconcile": Entry(
        Rule("person", level=CLINICAL, write=True, roles=CLINICIANS), "person", _p
    ),
    "substance_use:medication_edit": Entry(
        record(CLINICAL),
        "slot",
        _with("medication"),
        post=record(CLINICAL, write=True, roles=CLINICIANS),
    ),
    "substance_use:medication_error": Entry(
        record(CLINICAL, write=True, roles=CLINICIANS), "slot", _with("medication")
    ),
    # Testing exists only in programs that treat substance use (a DBT episode's page is a 404
    # for everyone: state); results are Part 2 records, read at the SUD level.
    "substance_use:tests": Entry(
        record(CLINICAL),
        "slot",
        _pe,
        post=record(CLINICAL, write=True, roles=CLINICIANS),
        state=True,
    ),
    "substance_use:program_testing": Entry(
        program(CL, CLINICAL),
        "program",
        _only("program_id", "program"),
        post=Rule("program", perm=CL, level=CLINICAL, roles=CLINICIANS),
        state=True,
    ),
    "substance_use:lab_import": Entry(
        program(CL, CLINICAL),
        "program",
        _only("program_id", "program"),
        post=Rule("program", perm=CL, level=CLINICAL, roles=CLINICIANS),
        state=True,
    ),
    # --- public contact form --------------------------------------------------------------
    # The public form lists the programs one may ask about: names of services, not of people.
    "contact:form": Entry(open_(), scan=False),
    "contact:thanks": Entry(open_()),
    # --- diary ----------------------------------------------------------------------------
    "diary:review": Entry(person(CLINICAL), "person", _p),
    "diary:targets": Entry(person(CLINICAL, write=True), "person", _p),
    "diary:program_settings": Entry(program(), "program", _only("program_id", "program")),
    # --- discharge ------------------------------------------------------------------------
    "discharge:transitions": Entry(record(CLINICAL), "slot", _pe),
    **{
        f"discharge:{name}": Entry(record(CLINICAL, write=True), "slot", _pe)
        for name in ("hold", "extend", "step_up", "step_down", "discharge")
    },
    # Resuming needs an episode on hold; the world's are active.
    "discharge:resume": Entry(record(CLINICAL, write=True), "slot", _pe, state=True),
    "discharge:alumni_consent": Entry(record(CLINICAL, write=True), "slot", _past),
    "discharge:summary_new": Entry(record(CLINICAL, write=True), "slot", _past),
    "discharge:summary": Entry(record(CLINICAL), "slot", _with("summary")),
    "discharge:summary_print": Entry(record(CLINICAL), "slot", _with("summary")),
    "discharge:summary_disclose": Entry(record(CLINICAL, write=True), "slot", _with("summary")),
    "discharge:summary_pdf": Entry(record(CLINICAL), "slot", _with("summary")),
    **{
        f"discharge:{name}": Entry(record(CLINICAL, write=True), "slot", _with("summary"))
        for name in ("summary_edit", "summary_sign", "summary_refresh", "summary_addendum")
    },
    "discharge:outcomes": Entry(staff(CL)),
    "discharge:portal_decline": Entry(portal()),
    "discharge:portal_agree": Entry(
        Rule("portal_record"), "slot", lambda s, w: {"episode_id": s.past.public_id}
    ),
    # --- intake ---------------------------------------------------------------------------
    "intake:board": Entry(staff(CL)),
    "intake:referral_new": Entry(staff(CR)),
    # An inquiry to a substance-use program is a Part 2 record: SUD access needed.
    "intake:inquiry": Entry(program(CL, CLINICAL), "program", _only("public_id", "inquiry")),
    "intake:follow_up": Entry(program(CR, CLINICAL), "program", _only("public_id", "inquiry")),
    "intake:convert": Entry(program(CR, CLINICAL), "program", _only("public_id", "inquiry")),
    "intake:move": Entry(
        program(CR, CLINICAL),
        "program",
        lambda p, w: {"public_id": p.inquiry.public_id, "move": "contact"},
    ),
    "intake:assessment": Entry(record(CLINICAL), "slot", _past),
    "intake:level_of_care": Entry(record(CLINICAL), "slot", _past),
    "intake:assessment_complete": Entry(record(CLINICAL), "slot", _past),
    "intake:admit": Entry(record(CLINICAL, write=True), "slot", _pe),
    "intake:rules": Entry(program(), "program", _only("program_id", "program")),
    # --- measures -------------------------------------------------------------------------
    "measures:response_new": Entry(
        person(CLINICAL), "person", lambda s, w: {"public_id": s.person.public_id, "code": "PHQ-9"}
    ),
    "measures:response": Entry(record(CLINICAL), "slot", _with("response")),
    "measures:response_error": Entry(record(CLINICAL), "slot", _with("response")),
    "measures:response_correct": Entry(record(CLINICAL), "slot", _with("response")),
    "measures:response_fhir": Entry(record(CLINICAL, write=True), "slot", _with("response")),
    "measures:batteries": Entry(program(), "program", _only("program_id", "program")),
    # --- notes ----------------------------------------------------------------------------
    "notes:open": Entry(
        record(CLINICAL, write=True, roles=CLINICIANS),
        "slot",
        lambda s, w: {"session_id": s.individual.public_id},
    ),
    "notes:overdue": Entry(staff(CFG)),
    # POST from an alert or an agenda item; the world's empty POST names neither (404).
    "notes:start": Entry(person(CLINICAL, write=True), "person", _p, state=True),
    "notes:note": Entry(
        record(CLINICAL),
        "slot",
        _only("note_id", "note"),
        post=record(CLINICAL, write=True, personas=AUTHORS),
    ),
    "notes:addendum_new": Entry(record(CLINICAL, write=True), "slot", _only("note_id", "note")),
    "notes:cosign": Entry(record(CLINICAL, write=True), "slot", _only("note_id", "note")),
    "notes:chart_copy": Entry(record(CLINICAL), "slot", _with("note")),
    # --- operations -----------------------------------------------------------------------
    # 503 is its answer while a periodic job is late, as in the world (no scheduler runs).
    "ops:health": Entry(open_(), answers=frozenset({503})),
    # A task's status page is its starter's; the world holds no task, so everyone gets 404.
    "ops:task_status": Entry(
        signed_in(),
        args=lambda _, w: {"public_id": "00000000-0000-4000-8000-000000000000"},
        state=True,
    ),
    # --- participants ---------------------------------------------------------------------
    "participants:list": Entry(staff(EX)),
    "participants:new": Entry(staff(CR)),
    "participants:chart": Entry(person(), "person", _p),
    # The chart's panels, loaded on demand (home/panels.py SECTIONS): the chart's own rule,
    # clinical content for the clinical ones.
    "participants:chart_overview": Entry(person(), "person", _p),
    "participants:chart_schedule": Entry(person(), "person", _p),
    "participants:chart_measures": Entry(person(CLINICAL), "person", _p),
    "participants:chart_diary": Entry(person(CLINICAL), "person", _p),
    "participants:chart_plans": Entry(person(), "person", _p),
    "participants:chart_safety": Entry(person(CLINICAL), "person", _p),
    "participants:chart_consents": Entry(person(), "person", _p),
    # Medications and testing, and billing: the rooms decide what each role reads inside.
    "participants:chart_medications": Entry(person(), "person", _p),
    "participants:chart_billing": Entry(person(), "person", _p),
    "participants:chart_audit": Entry(person(), "person", _p),
    "participants:edit": Entry(person(write=True), "person", _p),
    "participants:episode_new": Entry(person(write=True), "person", _p),
    "participants:episode_status": Entry(record(write=True), "slot", _pe),
    "participants:episode_edit": Entry(record(write=True), "slot", _pe),
    "participants:care_team": Entry(record(write=True), "slot", _pe),
    "participants:care_team_end": Entry(record(write=True), "slot", _pe),
    "participants:family_new": Entry(person(write=True), "person", _p),
    "participants:family_edit": Entry(record(write=True), "slot", _with("contact")),
    "participants:portal_account": Entry(
        person(write=True),
        "person",
        lambda s, w: {"public_id": s.person.public_id, "action": "invite"},
    ),
    "participants:family_portal_account": Entry(
        record(write=True), "slot", _with("contact", action="invite")
    ),
    "participants:consent_new": Entry(person(write=True), "person", _p),
    "participants:disclosures": Entry(person(), "person", _p),
    "participants:consent": Entry(record(), "slot", _with("consent")),
    "participants:consent_print": Entry(record(), "slot", _with("consent")),
    "participants:consent_revoke": Entry(record(write=True), "slot", _with("consent")),
    # --- homework: the skills library for staff, homework given from the chart or a session --
    "homework:library": Entry(staff(Perm.PARTICIPANT_EXISTS)),
    "homework:skill": Entry(staff(Perm.PARTICIPANT_EXISTS), args=lambda s, w: {"item_id": "tipp"}),
    "homework:assign": Entry(person(CLINICAL, write=True), "person", _p),
    "homework:session_assign": Entry(
        record(CLINICAL, write=True), "slot", lambda s, w: {"session_id": s.individual.public_id}
    ),
    # --- the participant's portal ---------------------------------------------------------
    "portal:home": Entry(portal()),
    "portal:family_home": Entry(family()),
    "portal:diary": Entry(portal()),
    "portal:diary_reminder": Entry(portal()),
    "portal:diary_support": Entry(Rule("portal_record"), "slot", _only("public_id", "card")),
    "portal:safety_plan": Entry(portal()),
    "portal:safety_plan_print": Entry(portal()),
    "portal:permissions": Entry(portal()),
    "portal:permission_stop": Entry(
        Rule("portal_record"), "slot", _only("public_id", "family_consent")
    ),
    "portal:disclosures": Entry(portal()),
    "portal:disclosures_pdf": Entry(portal()),
    "portal:disclosures_csv": Entry(portal()),
    "portal:skills": Entry(portal()),
    "portal:skill": Entry(portal(), args=lambda s, w: {"item_id": "tipp"}),
    "portal:practice": Entry(portal(), args=lambda s, w: {"item_id": "tipp"}),
    "portal:progress": Entry(portal()),
    "portal:language": Entry(portal()),
    # The service worker and the manifest hold no participant data (views_offline.py).
    "portal:service_worker": Entry(open_()),
    "portal:manifest": Entry(open_()),
    "portal:week": Entry(portal()),
    "portal:calendar": Entry(portal()),
    "portal:checkin": Entry(Rule("portal_record"), "slot", _only("public_id", "checkin")),
    "portal:checkin_question": Entry(
        Rule("portal_record"),
        "slot",
        lambda s, w: {"public_id": s.checkin.public_id, "number": 1},
    ),
    "portal:checkin_review": Entry(Rule("portal_record"), "slot", _only("public_id", "checkin")),
    # "Done" needs a sent check-in; the world's are due.
    "portal:checkin_done": Entry(
        Rule("portal_record"), "slot", _only("public_id", "checkin"), state=True
    ),
    "safety_coaching_portal:list": Entry(portal()),
    "safety_coaching_portal:detail": Entry(
        Rule("portal_record"), "slot", _only("public_id", "coaching")
    ),
    # --- program configuration ------------------------------------------------------------
    "programs:list": Entry(staff(CFG)),
    "programs:create": Entry(staff(CFG)),
    "programs:site_create": Entry(staff(CFG)),
    **{
        f"programs:{name}": Entry(program(), "program", _only("public_id", "program"))
        for name in (
            "detail",
            "edit",
            "documentation",
            "track_create",
            "session_type_create",
            "curriculum",
            "curriculum_reset",
            "curriculum_block_create",
        )
    },
    "programs:site_edit": Entry(Rule("site", perm=CFG), "program", _only("public_id", "site")),
    "programs:room_create": Entry(Rule("site", perm=CFG), "program", _only("public_id", "site")),
    "programs:track_edit": Entry(program(), "program", _only("public_id", "track")),
    "programs:room_edit": Entry(Rule("site", perm=CFG), "program", _only("public_id", "room")),
    "programs:session_type_edit": Entry(program(), "program", _only("public_id", "group_type")),
    **{
        f"programs:curriculum_block_{name}": Entry(
            program(), "program", _only("public_id", "block")
        )
        for name in ("edit", "move", "remove")
    },
    "programs:curriculum_lesson_create": Entry(program(), "program", _only("public_id", "block")),
    "programs:curriculum_lesson_edit": Entry(program(), "program", _only("public_id", "lesson")),
    "programs:curriculum_lesson_remove": Entry(program(), "program", _only("public_id", "lesson")),
    # --- safety: alerts, plans, coaching ---------------------------------------------------
    "safety:alerts": Entry(staff(CL)),
    # Alerts are answered by clinicians and directors; intake staff never see the panel.
    "safety:alerts_indicator": Entry(Rule("staff", perm=CL, roles=CLINICIANS)),
    "safety:alerts_panel": Entry(Rule("staff", perm=CL, roles=CLINICIANS)),
    "safety:alert": Entry(record(CLINICAL), "slot", _only("public_id", "alert")),
    "safety:alert_acknowledge": Entry(
        record(CLINICAL, write=True), "slot", _only("public_id", "alert")
    ),
    "safety:alert_resolve": Entry(
        record(CLINICAL, write=True), "slot", _only("public_id", "alert")
    ),
    "safety:rules": Entry(program(), "program", _only("program_id", "program")),
    "safety:on_call": Entry(program(), "program", _only("program_id", "program")),
    "safety:plan": Entry(person(CLINICAL), "person", _p),
    "safety:plan_edit": Entry(person(CLINICAL, write=True), "person", _p),
    "safety:plan_version": Entry(record(CLINICAL), "slot", _with("safety_plan")),
    "safety:plan_sign": Entry(record(CLINICAL, write=True), "slot", _with("safety_plan")),
    "safety:plan_print": Entry(record(CLINICAL), "slot", _with("safety_plan")),
    "safety:coaching_list": Entry(staff(CL)),
    "safety:coaching": Entry(record(CLINICAL), "slot", _only("public_id", "coaching")),
    "safety:coaching_claim": Entry(
        record(CLINICAL, write=True), "slot", _only("public_id", "coaching")
    ),
    "safety:coaching_respond": Entry(
        record(CLINICAL, write=True), "slot", _only("public_id", "coaching")
    ),
    "safety:coaching_settings": Entry(program(), "program", _only("program_id", "program")),
    # --- scheduling -----------------------------------------------------------------------
    "scheduling:feed": Entry(open_(), args=_feed, scan=False),
    "scheduling:feed_settings": Entry(staff(EX)),
    "scheduling:follow_up_resolve": Entry(
        record(write=True), "slot", _only("public_id", "follow_up")
    ),
    "scheduling:book_family": Entry(Rule("person", write=True, roles=CLINICIANS), "person", _p),
    "scheduling:book_individual": Entry(Rule("person", write=True, roles=CLINICIANS), "person", _p),
    "scheduling:unavailability_new": Entry(person(write=True), "person", _p),
    "scheduling:unavailability_remove": Entry(person(write=True), "person", _unavailable),
    "scheduling:series_list": Entry(staff(CFG)),
    "scheduling:plan_week": Entry(staff(CFG)),
    "scheduling:plan_hours": Entry(staff(CFG)),
    "scheduling:plan_run": Entry(program(), "program", _only("public_id", "plan_run")),
    "scheduling:plan_decide": Entry(program(), "program", _only("public_id", "plan_run")),
    "scheduling:track_fit": Entry(person(), "person", _p),
    "scheduling:series_new": Entry(staff(CFG)),
    "scheduling:series_edit": Entry(program(), "program", _only("public_id", "series")),
    "scheduling:session_new": Entry(staff(CFG)),
    "scheduling:session_detail": Entry(record(), "slot", _only("public_id", "individual")),
    "scheduling:session_attendance": Entry(record(), "slot", _only("public_id", "individual")),
    "scheduling:attendance_mark": Entry(record(write=True, roles=CLINICIANS), "slot", _attendance),
    **{
        f"scheduling:{name}": Entry(
            record(write=True, roles=CLINICIANS), "slot", _only("public_id", "individual")
        )
        for name in ("attendance_all_present", "session_cancel", "session_edit")
    },
    "scheduling:week_mine": Entry(staff(EX)),
    "scheduling:week_participant": Entry(person(), "person", _p),
    "scheduling:week_room": Entry(Rule("site", perm=EX), "program", _only("public_id", "room")),
    "scheduling:week_track": Entry(program(EX), "program", _only("public_id", "track")),
}


# --- the rule, evaluated -----------------------------------------------------------------------


def _staff_in(user: Any, perm: Perm | None) -> bool:
    return user is not None and user.is_staff_member and (perm is None or user.can(perm))


def _level_ok(user: Any, level: str, sud: bool) -> bool:
    if level == CLINICAL and not user.can(Perm.PARTICIPANT_CLINICAL):
        return False
    return not (sud and level == CLINICAL and not user.can(Perm.PARTICIPANT_SUD))


def allowed(entry: Entry, persona: str, variant: Any, w: World, method: str = "GET") -> bool:
    """Whether the scoping rule lets `persona` be served this URL for `variant`."""
    if method == "POST" and entry.post is not None:
        return rule_allows(entry.post, persona, variant, w)
    return rule_allows(entry.rule, persona, variant, w)


def rule_allows(rule: Rule, persona: str, variant: Any, w: World) -> bool:
    user = w.users.get(persona)
    mine = w.persona_programs(persona)
    if rule.personas and persona not in rule.personas:
        return False
    if rule.roles and (user is None or user.role not in rule.roles):
        return False
    if rule.kind == "open":
        return True
    if user is None:
        return False
    if rule.kind == "signed_in":
        return True
    if rule.kind == "staff":
        return _staff_in(user, rule.perm)
    if rule.kind == "portal":
        return user.role == Role.PARTICIPANT
    if rule.kind == "portal_record":
        return user.role == Role.PARTICIPANT and variant.person.user_id == user.pk
    if rule.kind == "family":
        return user.role == Role.FAMILY
    if rule.kind == "user":
        return _staff_in(user, rule.perm) and variant.organization_id == user.organization_id
    if rule.kind in {"program", "site"}:
        if not _staff_in(user, rule.perm):
            return False
        if rule.kind == "site":
            return variant.program.site.programs.filter(pk__in=mine).exists()
        return variant.program.pk in mine and _level_ok(
            user, rule.level, variant.program.treats_sud
        )
    if rule.kind == "audit":
        if not _staff_in(user, Perm.AUDIT_REVIEW):
            return False
        if user.organization_id != variant.person.organization_id:
            return False
        if user.role == Role.ADMINISTRATOR:
            return True
        return variant.person.episodes.filter(program_id__in=mine).exists()
    perm = Perm.PARTICIPANT_WRITE if rule.write else Perm.PARTICIPANT_EXISTS
    if not (_staff_in(user, perm) and _staff_in(user, rule.perm or Perm.PARTICIPANT_EXISTS)):
        return False
    if rule.kind == "person":
        programs = variant.person.episodes.filter(program_id__in=mine).select_related("program")
        return any(_level_ok(user, rule.level, e.program.treats_sud) for e in programs)
    if rule.kind == "record":
        return variant.program.pk in mine and _level_ok(user, rule.level, variant.sud)
    raise AssertionError(f"unknown rule {rule.kind}")


def role_of(w: World, persona: str) -> str:
    user = w.users.get(persona)
    return user.role if user is not None else "anonymous"


def may_hold(role: str, perm: Perm) -> bool:
    return role_has(role, perm)
