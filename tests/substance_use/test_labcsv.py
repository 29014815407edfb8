"""The laboratory CSV import: tolerant of how files are written, refusing a bad file whole."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openiop.substance_use.core.labcsv import (
    COLUMNS,
    KnownCollection,
    LabFile,
    LabFileRefused,
    parse_lab_file,
    plan_import,
)
from openiop.substance_use.core.results import (
    Method,
    Reading,
    ResultValue,
    read_collection,
)
from tests.substance_use.builders import MONDAY, ZONE, collection, med, row

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
KNOWN = {
    "C-1": KnownCollection("C-1", frozenset({"R-00042", "p-0001"}), collected_on=MONDAY),
    "C-2": KnownCollection("C-2", frozenset({"R-00043"}), collected_on=MONDAY),
}
HEADER = ",".join(COLUMNS)


def good(
    collection_id: str = "C-1",
    participant: str = "R-00042",
    substance: str = "cocaine",
    result: str = "negative",
    method: str = "confirmatory",
    reported: str = "2026-01-08T14:02:00Z",
    cutoff: str = "150 ng/mL",
    collected: str = "2026-01-05T09:30:00-05:00",
    lab: str = "Example Reference Laboratory",
) -> str:
    return ",".join(
        [collection_id, participant, collected, substance, result, cutoff, method, lab, reported]
    )


def parse(text: str, **kw: object) -> LabFile:
    return parse_lab_file(text.encode("utf-8"), known=KNOWN, now=NOW, **kw)


def problems_of(text: str | bytes, **kw: object) -> tuple[str, ...]:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    with pytest.raises(LabFileRefused) as refused:
        parse_lab_file(data, known=KNOWN, now=NOW, **kw)
    return refused.value.problems


# --- what is tolerated ---------------------------------------------------------------------


def test_a_spreadsheet_export_with_bom_crlf_odd_header_case_and_spaces_is_read() -> None:
    header = (
        " Collection_ID , PARTICIPANT,collected_at ,Substance,Result,cutoff,Method,LAB,reported_at"
    )
    lines = [
        header,
        good(substance=" BZO ", result=" Negative "),
        '  C-1 ,R-00042,2026-01-05 09:30:00-05:00,"cannabinoids",POSITIVE,50 ng/mL,'
        '"presumptive","Example Laboratory, Inc.",2026-01-07T10:00:00+00:00',
        "",
        ",,,,,,,,",
    ]
    data = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    lab_file = parse_lab_file(data, known=KNOWN, now=NOW)
    first, second = lab_file.rows
    assert (first.row, first.substance, first.reported_as, first.value) == (
        2,
        "benzodiazepines",
        "BZO",
        ResultValue.NEGATIVE,
    )
    assert first.method == Method.CONFIRMATORY
    assert (second.row, second.collection, second.substance) == (3, "C-1", "cannabinoids (THC)")
    assert second.lab == "Example Laboratory, Inc."
    assert second.collected_at == datetime(2026, 1, 5, 14, 30, tzinfo=UTC)
    assert len(lab_file.digest) == 64


def test_columns_may_come_in_any_order() -> None:
    order = list(reversed(COLUMNS))
    values = dict(zip(COLUMNS, good().split(","), strict=True))
    text = ",".join(order) + "\n" + ",".join(values[c] for c in order) + "\n"
    (only,) = parse(text).rows
    assert only.substance == "cocaine"


def test_times_without_an_offset_are_read_in_the_programs_zone_only_when_asked() -> None:
    text = HEADER + "\n" + good(collected="2026-01-05T09:30", reported="2026-01-08 09:02") + "\n"
    assert problems_of(text) == (
        "row 2: collected_at '2026-01-05T09:30' has no UTC offset (e.g. 2026-01-05T09:30:00-05:00)",
        "row 2: reported_at '2026-01-08 09:02' has no UTC offset (e.g. 2026-01-05T09:30:00-05:00)",
    )
    (only,) = parse(text, assume_zone=ZONE).rows
    assert only.reported_at == datetime(2026, 1, 8, 14, 2, tzinfo=UTC)


# --- refusing a bad file whole -------------------------------------------------------------


def test_a_bad_file_is_refused_whole_and_every_bad_row_is_named() -> None:
    lines = [
        HEADER,
        good(),  # row 2: fine
        good(collection_id="C-999"),  # row 3
        good(participant="R-00043"),  # row 4
        good(collected="yesterday"),  # row 5
        good(reported="2026-01-04T08:00:00Z"),  # row 6: before collection
        good(result="pos"),  # row 7
        good(method="GC-MS", substance="heroin"),  # row 8: two problems
        good(cutoff="lots", lab=""),  # row 9: two problems
        good(reported="2027-01-01T00:00:00Z"),  # row 10: future
        good(collected="2026-01-01T09:00:00-05:00"),  # row 11: not the recorded day
        "C-1,R-00042,too,few",  # row 12
        good(),  # row 13: repeats row 2
    ]
    problems = problems_of("\n".join(lines) + "\n")
    assert problems == (
        "row 3: collection 'C-999' is not a collection this program recorded",
        "row 4: participant 'R-00043' is not the participant of collection C-1",
        "row 5: collected_at 'yesterday' is not a date and time (e.g. 2026-01-05T09:30:00-05:00)",
        "row 6: reported_at is before collected_at",
        "row 7: result 'pos' is not one of negative, positive, invalid, dilute",
        "row 8: substance 'heroin' is not on the program's panel (alcohol (breath), "
        "alcohol (EtG), amphetamines, barbiturates, benzodiazepines, buprenorphine, "
        "cannabinoids (THC), cocaine, fentanyl, MDMA, methadone, methamphetamine, "
        "methylphenidate, opiates, oxycodone, phencyclidine (PCP), tramadol, tricyclic "
        "antidepressants, ketamine)",
        "row 8: method 'GC-MS' is not one of presumptive, confirmatory",
        "row 9: cutoff 'lots' is not a number and unit (e.g. 300 ng/mL)",
        "row 9: lab is empty",
        "row 10: reported_at is in the future",
        "row 11: collected_at 2026-01-01 does not match collection C-1, recorded as collected "
        "on 5 Jan 2026",
        "row 12: has 4 values, the header has 9",
        "row 13: repeats row 2 (same collection, substance, method and report time)",
    )


def test_the_refusal_message_summarises_and_the_problems_list_everything() -> None:
    lines = [HEADER] + [good(result="pos", reported=f"2026-01-08T14:0{i}:00Z") for i in range(8)]
    with pytest.raises(LabFileRefused) as refused:
        parse("\n".join(lines))
    assert len(refused.value.problems) == 8
    assert str(refused.value).endswith("; and 3 more")


def test_a_header_with_missing_unknown_or_repeated_columns_is_refused() -> None:
    assert problems_of("collection_id,participant,result,notes,result\nC-1,R,negative,,x\n") == (
        "row 1: missing column(s) collected_at, substance, cutoff, method, lab, reported_at",
        "row 1: unknown column(s) notes; the columns are collection_id, participant, "
        "collected_at, substance, result, cutoff, method, lab, reported_at",
        "row 1: column(s) named twice: result",
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the file is empty"),
        (HEADER.encode() + b"\r\n\r\n", "the file has no result rows"),
        ("collection_id,lab\nC-1,Müller".encode("latin-1"), "the file is not UTF-8 text"),
    ],
)
def test_an_empty_or_unreadable_file_says_so(data: bytes, problem: str) -> None:
    (found,) = problems_of(data)
    assert found.startswith(problem)


# --- planning the import against the recorded results --------------------------------------


def test_a_lab_confirmation_replaces_the_point_of_care_positive() -> None:
    screen = row("cocaine", ResultValue.POSITIVE)
    lab_file = parse(HEADER + "\n" + good() + "\n")
    plan = plan_import(lab_file, [screen], imported_by="lab-import:abc")
    (new,) = plan.new_rows
    assert new.supersedes == screen.key
    assert (new.method, new.value, new.lab) == (
        Method.CONFIRMATORY,
        ResultValue.NEGATIVE,
        "Example Reference Laboratory",
    )
    assert plan.summary == "1 result to record"
    reading = read_collection(collection(), [screen, *plan.new_rows], medications=[], zone=ZONE)
    (cocaine,) = reading.substances
    assert cocaine.reading == Reading.NEGATIVE
    assert reading.follow_ups == ()


def test_importing_the_same_file_again_changes_nothing() -> None:
    lab_file = parse(HEADER + "\n" + good() + "\n" + good(substance="buprenorphine") + "\n")
    first = plan_import(lab_file, [], imported_by="staff-1")
    again = plan_import(lab_file, list(first.new_rows), imported_by="staff-1")
    assert again.new_rows == ()
    assert again.unchanged == (2, 3)
    assert again.summary == "0 results to record; 2 rows already recorded, left as they are"


def test_a_row_contradicting_a_recorded_report_or_a_confirmation_is_refused_with_the_file() -> None:
    recorded = plan_import(parse(HEADER + "\n" + good() + "\n"), [], imported_by="s").new_rows
    text = "\n".join(
        [
            HEADER,
            good(substance="opiates"),  # row 2: fine on its own
            good(result="positive"),  # row 3: same report, other result
            good(method="presumptive", reported="2026-01-09T10:00:00Z"),  # row 4
        ]
    )
    with pytest.raises(LabFileRefused) as refused:
        plan_import(parse(text), list(recorded), imported_by="s")
    assert refused.value.problems == (
        "row 3: collection C-1 already has a confirmatory cocaine result reported at "
        "2026-01-08T14:02:00+00:00 that says negative; this row says positive. A corrected "
        "report carries its own report time.",
        "row 4: collection C-1 already has a laboratory-confirmed cocaine result; a presumptive "
        "result does not replace it",
    )


def test_a_screen_and_its_confirmation_in_one_file_form_a_chain() -> None:
    text = "\n".join(
        [
            HEADER,
            good(result="positive", method="confirmatory", substance="benzodiazepines"),
            good(
                result="positive",
                method="presumptive",
                substance="bzo",
                reported="2026-01-06T08:00:00Z",
            ),
        ]
    )
    plan = plan_import(parse(text), [], imported_by="s")
    screen, confirmed = plan.new_rows
    assert (screen.method, confirmed.method) == (Method.PRESUMPTIVE, Method.CONFIRMATORY)
    assert screen.supersedes is None
    assert confirmed.supersedes == screen.key
    reading = read_collection(collection(), plan.new_rows, medications=[med("Valium")], zone=ZONE)
    assert reading.substances[0].reading == Reading.EXPECTED
