"""The 837I writer, judged by pyx12's 005010X223A2 map, and read back through pyx12's parser
to check that what it sees is what we meant."""

from __future__ import annotations

import io
import logging
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openiop.billing.dayrules import ParticipantFacts, decide_days
from openiop.billing.x12 import (
    Address,
    Claim,
    ClaimError,
    Clinician,
    Relationship,
    ServiceLine,
    Sex,
    check_batch,
    npi_check_digit,
    npi_is_valid,
    validate,
    write_837i,
)
from tests.billing.builders import (
    ATTENDING,
    CLINIC_NPI,
    H0015,
    S9480,
    THERAPIST,
    auth,
    batch,
    claim,
    day,
    lines,
    person,
    rule,
    session,
    subscriber,
)

ALEX = subscriber("MEM1001", person("Example", "Alex", date(1990, 2, 3)))
JORDAN = subscriber(
    "MEM2002", person("Sample", "Jordan", date(1975, 7, 8), Sex.MALE), group_number="GRP77"
)
CASEY = person("Sample", "Casey", date(2009, 11, 12), Sex.UNKNOWN)  # Jordan's child


def several() -> tuple[Claim, ...]:
    return (
        claim(
            "OI-0001",
            ALEX,
            lines(S9480, 0, 2, 4),
            diagnoses=("F33.1", "F41.1", "Z63.0"),
            prior_authorization="AUTH-12345",
            rendering=THERAPIST,
        ),
        claim("OI-0002", ALEX, lines(S9480, 7, 9), diagnoses=("F33.1",)),
        claim(
            "OI-0003",
            JORDAN,
            lines(H0015, 0, 1, 2, 3, charge="180.50"),
            diagnoses=("F10.20", "F32.A"),
            patient_status="01",
        ),
        claim(
            "OI-0004",
            JORDAN,
            lines(S9480, 1, 3),
            patient=CASEY,
            relationship=Relationship.CHILD,
            diagnoses=("F43.10",),
        ),
    )


def segments(text: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def read_claims(text: str) -> list[Any]:
    """The 2300 claim loops as pyx12's parser sees them."""
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    reader = pyx12.x12context.X12ContextReader(
        pyx12.params.params(), pyx12.error_handler.errh_null(), io.StringIO(text)
    )
    return [node for node in reader.iter_segments("2300") if node.id == "2300"]


# --- NPI ---------------------------------------------------------------------------------------


def test_the_published_example_npi_passes_the_check() -> None:
    assert npi_is_valid("1234567893")
    assert not npi_is_valid("1234567890")
    assert not npi_is_valid("123456789")
    assert not npi_is_valid("12345678a3")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 9), st.integers(1, 9))
def test_any_single_digit_error_breaks_the_check(first_nine: str, where: int, shift: int) -> None:
    good = first_nine + npi_check_digit(first_nine)
    assert npi_is_valid(good)
    wrong = good[:where] + str((int(good[where]) + shift) % 10) + good[where + 1 :]
    assert not npi_is_valid(wrong)


# --- a valid batch ----------------------------------------------------------------------------


def test_a_batch_of_several_participants_claims_and_lines_is_valid_837i() -> None:
    text = write_837i(batch(several()))
    result = validate(text)
    assert result.errors == ()
    assert result.valid


def test_pyx12_reads_back_the_claims_we_wrote() -> None:
    text = write_837i(batch(several()))
    loops = read_claims(text)
    assert [c.get_value("CLM01") for c in loops] == ["OI-0001", "OI-0002", "OI-0003", "OI-0004"]
    assert [c.get_value("CLM02") for c in loops] == ["750", "500", "722", "500"]
    assert [len(list(c.select("2400"))) for c in loops] == [3, 2, 4, 2]
    first = loops[0]
    assert first.get_value("CLM05-1") == "13"
    assert first.get_value("CLM05-3") == "1"
    assert first.get_value("HI01-2") == "F331"
    assert first.get_value("REF[G1]02") == "AUTH-12345"
    assert first.get_value("2310A/NM109") == ATTENDING.npi
    assert first.get_value("2310D/NM109") == THERAPIST.npi
    assert first.get_value("2400/SV201") == "0905"
    assert first.get_value("2400/SV202-2") == "S9480"
    assert first.get_value("2400/DTP03") == "20260105"
    assert first.get_value("2400/REF[6R]02") == "L0"
    assert loops[2].get_value("CL103") == "01"
    assert ["NM1", "QC", "1", "SAMPLE", "CASEY"] in segments(text)


def test_the_envelope_counts_and_totals_add_up() -> None:
    text = write_837i(batch(several()))
    segs = segments(text)
    isa = text.split("~")[0] + "~"
    assert len(isa) == 106  # fixed-width interchange header
    st_at = next(i for i, s in enumerate(segs) if s[0] == "ST")
    se = next(s for s in segs if s[0] == "SE")
    assert int(se[1]) == len(segs) - st_at - 2  # ST..SE inclusive, without GE and IEA
    hl = [s for s in segs if s[0] == "HL"]
    # The provider; Alex; Jordan for Jordan's own claims; Jordan again as Casey's subscriber.
    assert [h[3] for h in hl] == ["20", "22", "22", "22", "23"]
    assert [h[4] for h in hl] == ["1", "0", "0", "1", "0"]
    assert hl[4][2] == hl[3][1]
    assert sum(1 for s in segs if s[0] == "CLM") == 4
    assert sum(1 for s in segs if s[0] == "LX") == 11
    assert ["DTP", "434", "RD8", "20260105-20260109"] in segs


def test_the_subscriber_who_is_the_patient_says_so_and_a_dependant_gets_a_patient_level() -> None:
    segs = segments(write_837i(batch(several())))
    sbr = [s for s in segs if s[0] == "SBR"]
    assert sbr[0][:3] == ["SBR", "P", "18"]
    assert sbr[1][:4] == ["SBR", "P", "18", "GRP77"]  # Jordan as the patient
    assert sbr[2][:4] == ["SBR", "P", "", "GRP77"]  # Jordan as Casey's policy holder
    assert ["PAT", "19"] in segs


def test_a_subscriber_who_is_only_the_policy_holder_has_no_self_relationship() -> None:
    only_child = claim(
        "OI-0009", JORDAN, lines(S9480, 1), patient=CASEY, relationship=Relationship.CHILD
    )
    text = write_837i(batch((only_child,)))
    assert validate(text).valid
    sbr = next(s for s in segments(text) if s[0] == "SBR")
    assert sbr[2] == ""


def test_many_diagnoses_and_condition_codes_spread_over_their_segments() -> None:
    codes = ("F33.1", "F41.1", "F43.10", "F10.20", "F12.20", "F17.210", "F40.10", "F42.2",
             "F50.00", "F51.01", "F60.3", "F90.0", "Z63.0", "Z59.00")  # fmt: skip
    c = claim("OI-0010", ALEX, lines(S9480, 0), diagnoses=codes, condition_codes=("92",))
    text = write_837i(batch((c,)))
    assert validate(text).valid
    hi = [s for s in segments(text) if s[0] == "HI"]
    assert hi[0] == ["HI", "ABK:F331"]
    assert [len(h) - 1 for h in hi[1:3]] == [12, 1]
    assert hi[3] == ["HI", "BG:92"]


def test_names_with_delimiters_and_accents_are_made_safe() -> None:
    odd = subscriber(
        "MEM3003",
        person("O'Brien*Smith~", "José:Ana^", date(1988, 1, 1)),
    )
    text = write_837i(batch((claim("OI-0011", odd, lines(S9480, 0)),)))
    assert validate(text).valid
    assert ["NM1", "IL", "1", "O'BRIEN SMITH", "JOSE ANA", "", "", "", "MI", "MEM3003"] in segments(
        text
    )


def test_a_production_batch_is_marked_so() -> None:
    text = write_837i(batch(several(), production=True))
    assert segments(text)[0][15] == "P"
    assert segments(write_837i(batch(several())))[0][15] == "T"


def test_claims_carry_no_free_text() -> None:
    # A claim holds codes, dates, amounts, identifiers, names and addresses; never a note's
    # text. A new free-text field on these records must be a deliberate, reviewed change.
    assert {f.name for f in fields(Claim)} == {
        "control_number", "subscriber", "bill_type", "patient_status", "diagnoses",
        "attending", "lines", "patient", "relationship", "rendering", "prior_authorization",
        "medical_record_number", "condition_codes", "reason_for_visit",
    }  # fmt: skip
    assert {f.name for f in fields(ServiceLine)} == {
        "code", "service_date", "units", "charge", "line_control_number",
    }  # fmt: skip
    text = write_837i(batch(several()))
    assert not any(s[0] in {"NTE", "K3", "PWK"} for s in segments(text))


# --- pyx12 is a real judge -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda t: t.replace("13:A:1", "13:B:1", 1), "Facility Code Qualifier"),
        (lambda t: t.replace("DTP*472*D8*20260105", "DTP*472*D8*20261305", 1), "invalid date"),
        (lambda t: t.replace("HI*ABK:F331~\n", "", 1), "Principal Diagnosis"),
        (lambda t: t.replace("\nSE*", "\nSE*1", 1), "SE count"),
    ],
)
def test_pyx12_refuses_a_damaged_file(damage: Any, expected: str) -> None:
    result = validate(damage(write_837i(batch(several()))))
    assert not result.valid
    assert any(expected in e for e in result.errors)


# --- refused before writing --------------------------------------------------------------------


def test_every_problem_is_listed_before_anything_is_written() -> None:
    bad_claim = claim(
        "OI-0001",
        ALEX,
        (),
        diagnoses=("F33", "NOTACODE1"),
        attending=Clinician("Rivera", "Morgan", "1234567890"),
        bill_type="13",
    )
    b = batch(
        (bad_claim, claim("OI-0001", ALEX, lines(S9480, 0))),
        billing_provider=batch(()).billing_provider.__class__(
            "Clinic", "1234567890", "12-345", Address("1 Main", "Town", "Illinois", "62701")
        ),
    )
    with pytest.raises(ClaimError) as caught:
        write_837i(b)
    problems = caught.value.problems
    assert "billing provider: NPI '1234567890' is not a valid NPI" in problems
    assert "billing provider: the tax id must be nine digits" in problems
    assert "billing provider: state 'Illinois' is not a two-letter code" in problems
    assert "claim control numbers repeat within the batch" in problems
    assert "claim OI-0001: a claim needs at least one service line" in problems
    assert "claim OI-0001: 'NOTACODE1' is not an ICD-10-CM code" in problems
    assert "claim OI-0001: bill type '13' is not three digits" in problems
    assert "claim OI-0001: attending Rivera: NPI '1234567890' is not a valid NPI" in problems


def test_the_billing_provider_needs_a_nine_digit_zip() -> None:
    provider = batch(()).billing_provider
    short = provider.__class__(
        provider.name, provider.npi, provider.tax_id, Address("1 Main", "Town", "IL", "62701")
    )
    assert check_batch(batch(several(), billing_provider=short)) == [
        "billing provider: the billing provider's ZIP code needs all nine digits"
    ]


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"lines": (ServiceLine(S9480, day(0), 0, Decimal("10")),)}, "units must be at least 1"),
        ({"lines": (ServiceLine(S9480, day(0), 1, Decimal("0")),)}, "the charge must be positive"),
        ({"patient": CASEY}, "give the patient exactly when the patient is not the subscriber"),
        ({"relationship": Relationship.CHILD}, "give the patient exactly when"),
        ({"control_number": "X" * 21}, "the control number must be 1 to 20 plain characters"),
        ({"control_number": "A*B"}, "the control number must be 1 to 20 plain characters"),
        ({"patient_status": "3"}, "patient status '3' is not two digits"),
        ({"diagnoses": ()}, "a principal diagnosis is required"),
    ],
)
def test_a_claim_that_cannot_be_sent_says_why(overrides: dict[str, object], problem: str) -> None:
    c = claim("OI-0001", ALEX, lines(S9480, 0), **overrides)
    problems = check_batch(batch((c,)))
    assert any(problem in p for p in problems), problems


def test_an_empty_batch_or_a_naive_time_is_refused() -> None:
    assert "a batch needs at least one claim" in check_batch(batch(()))
    naive = batch(several(), created_at=batch(()).created_at.replace(tzinfo=None))
    assert "the batch's creation time must be an aware datetime" in check_batch(naive)


# --- from billable days to a claim ------------------------------------------------------------


def test_billable_days_become_one_line_each_in_a_valid_claim() -> None:
    r = rule(requires_authorization=True)
    facts = ParticipantFacts(
        enrolled_from=day(0),
        enrolled_until=None,
        sessions=(session(day(0)), session(day(1), 120), session(day(2)), session(day(4))),
        authorizations=(auth("AUTH-777", day(0), day(30), 10),),
    )
    billable = [d for d in decide_days(r, facts, start=day(0), end=day(6)) if d.billable]
    fee = Decimal("212.40")
    service_lines = tuple(
        ServiceLine(d.code, d.day, d.units, fee * d.units, f"D{d.day:%m%d}") for d in billable
    )
    c = claim("OI-0100", ALEX, service_lines, prior_authorization=billable[0].authorization or "")
    text = write_837i(batch((c,)))
    assert validate(text).valid
    (loop,) = read_claims(text)
    assert [n.get_value("DTP03") for n in loop.select("2400")] == [
        "20260105",
        "20260107",
        "20260109",
    ]
    assert loop.get_value("CLM02") == "637.2"
    assert loop.get_value("REF[G1]02") == "AUTH-777"
    assert CLINIC_NPI in text


def test_pyx12_does_not_log_claim_content() -> None:
    # pyx12 logs each error with the element's value; the application's handlers hang on the
    # root logger, and nothing of pyx12's may reach them (pytest's own capture hooks into
    # non-propagating loggers directly, so a handler of our own stands in for production's).
    seen: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    handler = Collect(level=logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        text = write_837i(batch(several())).replace("ALEX", "AL*EX", 1)
        assert not validate(text).valid
    finally:
        root.removeHandler(handler)
    assert [r for r in seen if r.name.startswith("pyx12")] == []


def test_a_month_of_claims_for_a_census_is_valid() -> None:
    claims = tuple(
        claim(
            f"OI-{n:05d}",
            subscriber(f"MEM{n:05d}", person("Example", f"Person{n}", date(1980, 1, 1 + n % 28))),
            lines(S9480 if n % 2 else H0015, *range(0, 28, 2)),
        )
        for n in range(25)
    )
    text = write_837i(batch(claims))
    assert validate(text).valid
    assert sum(1 for s in segments(text) if s[0] == "LX") == 25 * 14
