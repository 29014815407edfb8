"""Results: confirmation replacing presumptive results, expected positives, follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openiop.substance_use.core.draws import SpecimenType
from openiop.substance_use.core.expected import (
    DEFAULT_TABLE,
    ConfigurationError,
    CrossReaction,
    ExpectedPositive,
    ExpectedPositiveTable,
    Panel,
    PanelSubstance,
)
from openiop.substance_use.core.results import (
    FollowUpKind,
    Method,
    Outcome,
    Reading,
    ResultError,
    ResultValue,
    chain,
    current_rows,
    read_collection,
    supersedes_for,
    timeline_entry,
)
from tests.substance_use.builders import MONDAY, ZONE, at, collection, med, row

NEG, POS = ResultValue.NEGATIVE, ResultValue.POSITIVE
LAB = Method.CONFIRMATORY


def read(rows: list, medications: list | None = None, **kw: object):
    return read_collection(
        kw.pop("c", collection()),
        rows,
        medications=medications or [],
        zone=ZONE,
        **kw,
    )


def only(reading, substance: str):
    (found,) = [s for s in reading.substances if s.substance == substance]
    return found


# --- confirmation replaces, never overwrites -----------------------------------------------


def test_a_confirmatory_result_replaces_the_presumptive_one_and_both_stay() -> None:
    screen = row("cocaine", POS)
    confirmed = row(
        "cocaine", NEG, method=LAB, reported=at(MONDAY + timedelta(days=3)), supersedes=screen.key
    )
    heads = current_rows([screen, confirmed])
    assert heads == {("C-1", "cocaine"): confirmed}
    assert chain(confirmed, [screen, confirmed]) == (confirmed, screen)

    cocaine = only(read([screen, confirmed]), "cocaine")
    assert cocaine.reading == Reading.NEGATIVE
    assert cocaine.confirmed
    assert cocaine.text == (
        "cocaine: negative (confirmed by the laboratory); replaced point-of-care positive, "
        "5 Jan 2026"
    )
    assert cocaine.history == (confirmed, screen)


def test_before_confirmation_the_presumptive_positive_opens_a_follow_up_and_after_it_closes() -> (
    None
):
    screen = row("cocaine", POS)
    before = read([screen])
    (follow,) = before.follow_ups
    assert follow.kind == FollowUpKind.UNEXPECTED_POSITIVE
    assert follow.key == "C-1:unexpected_positive:cocaine"
    assert "point-of-care urine test collected on 5 Jan 2026 is positive for cocaine" in (
        follow.text
    )
    assert "laboratory confirmation" in follow.text
    confirmed = row("cocaine", NEG, method=LAB, supersedes=screen.key)
    assert read([screen, confirmed]).follow_ups == ()


def test_a_new_result_replaces_the_current_one_and_never_a_confirmed_one_by_a_screen() -> None:
    screen = row("opiates", POS)
    assert supersedes_for([], collection="C-1", substance="opiates", method=LAB) is None
    assert supersedes_for([screen], collection="C-1", substance="opiates", method=LAB) == (
        screen.key
    )
    confirmed = row("opiates", POS, method=LAB, supersedes=screen.key)
    with pytest.raises(ResultError, match="does not replace it"):
        supersedes_for(
            [screen, confirmed], collection="C-1", substance="opiates", method=Method.PRESUMPTIVE
        )
    # A corrected laboratory report replaces the confirmation it corrects.
    assert (
        supersedes_for([screen, confirmed], collection="C-1", substance="opiates", method=LAB)
        == confirmed.key
    )


def test_a_history_that_cannot_be_read_is_refused() -> None:
    a = row("cocaine", POS, key="a")
    with pytest.raises(ResultError, match="not here"):
        current_rows([row("cocaine", NEG, supersedes="missing")])
    with pytest.raises(ResultError, match="another collection or substance"):
        current_rows([a, row("opiates", NEG, supersedes="a")])
    with pytest.raises(ResultError, match="replaced twice"):
        current_rows([a, row("cocaine", NEG, supersedes="a"), row("cocaine", NEG, supersedes="a")])
    with pytest.raises(ResultError, match="Two current"):
        current_rows([a, row("cocaine", NEG)])
    lab = row("cocaine", NEG, method=LAB, key="lab")
    with pytest.raises(ResultError, match="cannot replace the laboratory"):
        current_rows([lab, row("cocaine", POS, supersedes="lab")])
    with pytest.raises(ResultError, match="cycle"):
        current_rows(
            [
                a,
                row("cocaine", NEG, key="x", supersedes="y"),
                row("cocaine", NEG, key="y", supersedes="x"),
            ]
        )
    with pytest.raises(ResultError, match="appears twice"):
        current_rows([a, a])


# --- expected positives --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("medication", "substance"),
    [
        ("Suboxone 8 mg/2 mg film", "buprenorphine"),
        ("Sublocade", "buprenorphine"),
        ("Methadose", "methadone"),
        ("Klonopin", "benzodiazepines"),
        ("chlordiazepoxide", "benzodiazepines"),
        ("hydrocodone/acetaminophen", "opiates"),
        ("Percocet", "oxycodone"),
        ("Adderall XR", "amphetamines"),
        ("Vyvanse", "amphetamines"),
        ("selegiline", "methamphetamine"),
        ("dronabinol", "cannabinoids (THC)"),
        ("amitriptyline", "tricyclic antidepressants"),
    ],
)
def test_a_positive_explained_by_a_recorded_medication_is_expected_never_use(
    medication: str, substance: str
) -> None:
    reading = read([row(substance, POS)], [med(medication)])
    found = only(reading, substance)
    assert found.reading == Reading.EXPECTED
    assert found.explained_by == (medication,)
    assert "positive, expected" in found.text
    assert reading.follow_ups == ()
    assert reading.summary.startswith(f"expected positive: {substance}")


def test_an_expected_buprenorphine_positive_is_still_expected_once_confirmed() -> None:
    screen = row("buprenorphine", POS)
    confirmed = row("buprenorphine", POS, method=LAB, supersedes=screen.key)
    found = only(read([screen, confirmed], [med("Suboxone")]), "buprenorphine")
    assert found.reading == Reading.EXPECTED
    assert found.text.startswith("buprenorphine: positive, expected (confirmed by the laboratory)")


def test_a_medication_explains_only_its_own_substances() -> None:
    # Methylphenidate does not show as an amphetamine; buprenorphine does not explain opiates.
    reading = read(
        [row("amphetamines", POS), row("opiates", POS)], [med("Ritalin"), med("Suboxone")]
    )
    assert only(reading, "amphetamines").reading == Reading.UNEXPECTED
    assert only(reading, "opiates").reading == Reading.UNEXPECTED
    assert {f.substance for f in reading.follow_ups} == {"amphetamines", "opiates"}


def test_a_medication_explains_a_result_while_taken_and_for_its_window_after_stopping() -> None:
    stopped_recently = med("diazepam", stop=MONDAY - timedelta(days=10))
    stopped_long_ago = med(
        "diazepam", start=MONDAY - timedelta(days=200), stop=MONDAY - timedelta(days=90)
    )
    starts_later = med("diazepam", start=MONDAY + timedelta(days=1))
    result = [row("benzodiazepines", POS)]
    assert only(read(result, [stopped_recently]), "benzodiazepines").reading == Reading.EXPECTED
    assert only(read(result, [stopped_long_ago]), "benzodiazepines").reading == Reading.UNEXPECTED
    assert only(read(result, [starts_later]), "benzodiazepines").reading == Reading.UNEXPECTED


def test_a_presumptive_positive_a_medication_may_cause_is_a_possible_cross_reaction() -> None:
    screen = row("benzodiazepines", POS)
    reading = read([screen], [med("sertraline", dose="100 mg")])
    found = only(reading, "benzodiazepines")
    assert found.reading == Reading.POSSIBLE_CROSS_REACTION
    assert found.explained_by == ("sertraline",)
    (follow,) = reading.follow_ups
    assert follow.kind == FollowUpKind.POSSIBLE_CROSS_REACTION
    assert "A laboratory confirmation would tell" in follow.text
    # A confirmatory method identifies the drug: no cross-reaction applies.
    confirmed = row("benzodiazepines", POS, method=LAB, supersedes=screen.key)
    assert (
        only(read([screen, confirmed], [med("sertraline")]), "benzodiazepines").reading
        == Reading.UNEXPECTED
    )


def test_a_daily_moud_not_found_by_the_test_is_a_neutral_review() -> None:
    reading = read(
        [row("buprenorphine", NEG), row("benzodiazepines", NEG)],
        [
            med("Suboxone"),
            med("lorazepam"),  # immunoassays find lorazepam poorly: no follow-up for it
        ],
    )
    (follow,) = reading.follow_ups
    assert follow.kind == FollowUpKind.MEDICATION_NOT_FOUND
    assert reading.not_found == ("Suboxone",)
    assert "Review with the participant how the medication is going" in follow.text
    stopped = read([row("buprenorphine", NEG)], [med("Suboxone", stop=MONDAY - timedelta(days=2))])
    assert stopped.follow_ups == ()


def test_invalid_and_dilute_results_suggest_a_new_specimen_without_a_follow_up() -> None:
    reading = read([row("cocaine", ResultValue.INVALID), row("opiates", ResultValue.DILUTE)])
    assert only(reading, "cocaine").reading == Reading.INVALID
    assert "a new one may be collected" in only(reading, "cocaine").text
    assert only(reading, "opiates").reading == Reading.DILUTE
    assert reading.follow_ups == ()
    assert reading.summary == "invalid: cocaine; dilute: opiates"


def test_a_confirmed_unexpected_positive_asks_for_a_conversation() -> None:
    screen = row("fentanyl", POS)
    confirmed = row("fentanyl", POS, method=LAB, supersedes=screen.key)
    (follow,) = read([screen, confirmed]).follow_ups
    assert follow.title == "Unexpected positive result: talk it over"
    assert follow.text.startswith(
        "The laboratory confirmed the urine test collected on 5 Jan 2026 as positive for fentanyl"
    )


# --- refusals and collections --------------------------------------------------------------


def test_a_refusal_opens_a_neutral_follow_up_without_the_reason_text() -> None:
    refused = collection(outcome=Outcome.REFUSED, note="said they were late for work")
    reading = read([], c=refused)
    (follow,) = reading.follow_ups
    assert follow.kind == FollowUpKind.REFUSAL
    assert follow.key == "C-1:refusal"
    assert follow.text.startswith("The participant declined the urine test asked for on 5 Jan")
    assert "late for work" not in follow.text + follow.title
    assert reading.summary == "Urine test declined"


def test_a_specimen_not_collected_opens_nothing() -> None:
    reading = read([], c=collection(outcome=Outcome.NOT_COLLECTED, note="unable to provide"))
    assert reading.follow_ups == ()
    assert reading.summary == "Urine specimen not collected"


def test_a_collection_says_whether_observed_and_why_it_was_not_collected() -> None:
    with pytest.raises(ResultError, match="reason"):
        collection(outcome=Outcome.REFUSED)
    with pytest.raises(ResultError, match="chain-of-custody"):
        collection(key=" ")
    with pytest.raises(ResultError, match="declined but has results"):
        read([row("cocaine", NEG)], c=collection(outcome=Outcome.REFUSED, note="declined"))


def test_the_timeline_line_reads_in_the_programs_time_zone() -> None:
    reading = read(
        [row("buprenorphine", POS), row("cocaine", NEG), row("opiates", NEG)], [med("Zubsolv")]
    )
    assert timeline_entry(reading, ZONE) == (
        "5 Jan 2026 09:30 urine (random, observed): expected positive: buprenorphine; "
        "2 substances negative"
    )
    breath = collection("C-2", specimen=SpecimenType.BREATH)
    line = timeline_entry(
        read([row("alcohol (breath)", NEG, collection_key="C-2")], c=breath), ZONE
    )
    assert line.endswith("breath (random, observed): 1 substance negative")


# --- configuration -------------------------------------------------------------------------


def test_the_default_tables_name_only_substances_on_the_panel_and_their_sources() -> None:
    names = set(DEFAULT_TABLE.panel.names)
    for rule in DEFAULT_TABLE.expected:
        assert set(rule.substances) <= names
        assert "public domain" in rule.source
    assert DEFAULT_TABLE.panel.resolve(" BZO ") == "benzodiazepines"
    assert DEFAULT_TABLE.panel.resolve("THC-COOH") == "cannabinoids (THC)"
    assert DEFAULT_TABLE.panel.resolve("heroin") is None


def test_a_program_table_naming_a_substance_off_its_panel_is_refused() -> None:
    panel = Panel((PanelSubstance("buprenorphine", ("bup",)),))
    with pytest.raises(ConfigurationError, match="'methadone' is not on the panel"):
        ExpectedPositiveTable(
            panel=panel,
            expected=(ExpectedPositive("methadone", ("methadone",), ("methadone",), "local"),),
            cross_reactions=(),
        )
    with pytest.raises(ConfigurationError, match="'cocaine' is not on the panel"):
        ExpectedPositiveTable(
            panel=panel, expected=(), cross_reactions=(CrossReaction("x", ("cocaine",), "s"),)
        )
    with pytest.raises(ConfigurationError, match="names both"):
        Panel((PanelSubstance("a", ("x",)), PanelSubstance("b", ("x",))))


def test_a_program_can_decide_that_medical_cannabis_is_not_expected() -> None:
    own = ExpectedPositiveTable(
        expected=tuple(r for r in DEFAULT_TABLE.expected if "cannabis" not in r.label)
    )
    reading = read([row("cannabinoids (THC)", POS)], [med("medical cannabis")], table=own)
    assert only(reading, "cannabinoids (THC)").reading == Reading.UNEXPECTED
    default = read([row("cannabinoids (THC)", POS)], [med("medical cannabis")])
    assert only(default, "cannabinoids (THC)").reading == Reading.EXPECTED
