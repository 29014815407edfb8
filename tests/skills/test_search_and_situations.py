"""Search in both languages (accents and case ignored, ranked) and "skills for right now"."""

from __future__ import annotations

import pytest

from openiop.skills.library import fold, normalize_language, shipped_library


def ids(hits):
    return [hit.item.id for hit in hits]


def test_dormir_finds_sleep_hygiene_first_in_spanish():
    hits = shipped_library().search("dormir", language="es")
    assert ids(hits)[0] == "sleep-hygiene"
    assert hits[0].page.language == "es"
    assert hits[0].page.title.startswith("Higiene del sueño")


def test_no_puedo_dormir_and_cant_sleep_find_sleep_hygiene_first():
    library = shipped_library()
    assert ids(library.search("no puedo dormir", language="es"))[0] == "sleep-hygiene"
    assert ids(library.search("can't sleep", language="en"))[0] == "sleep-hygiene"


def test_urge_finds_the_distress_tolerance_skills_for_riding_out_urges():
    library = shipped_library()
    found = ids(library.search("urge", language="en"))
    for expected in ("stop", "pros-and-cons", "willingness", "tipp", "accepts"):
        assert expected in found[:6]
    top = [library.get(item_id) for item_id in found[:5]]
    assert all(item.module == "distress_tolerance" for item in top)


def test_urge_surfing_finds_willingness_first_in_both_languages():
    library = shipped_library()
    assert ids(library.search("urge surfing", language="en"))[0] == "willingness"
    assert ids(library.search("surfear el impulso", language="es"))[0] == "willingness"


def test_spanish_search_ignores_accents_and_case():
    library = shipped_library()
    with_accents = ids(library.search("Relajación muscular", language="es"))
    without = ids(library.search("relajacion MUSCULAR", language="es"))
    assert with_accents == without
    assert with_accents[0] == "tipp"
    assert ids(library.search("aceptacion radical", language="es"))[0] == "radical-acceptance"


def test_a_title_match_outranks_a_body_match():
    library = shipped_library()
    hits = library.search("TIPP", language="en")
    assert ids(hits)[0] == "tipp"
    # stress and self-soothe mention TIPP only in their body or links.
    assert hits[0].score > max(hit.score for hit in hits[1:])


def test_items_matching_more_of_the_query_come_first():
    hits = shipped_library().search("sleep medication", language="en")
    top = ids(hits)[:2]
    assert set(top) <= {"sleep-hygiene", "please", "medication-management"}
    assert "medication-management" in ids(hits)


def test_searching_in_spanish_does_not_match_english_only_words():
    library = shipped_library()
    assert "sleep-hygiene" not in ids(library.search("bedtime", language="es"))
    assert "sleep-hygiene" in ids(library.search("bedtime", language="en"))


def test_a_query_of_nothing_finds_nothing_and_limit_cuts_the_list():
    library = shipped_library()
    assert library.search("   ", language="en") == []
    assert library.search("?!", language="es") == []
    assert len(library.search("skills", language="en", limit=3)) <= 3


def test_an_unknown_or_regional_language_code_falls_back_sensibly():
    assert normalize_language("es-MX") == "es"
    assert normalize_language("ES_us") == "es"
    assert normalize_language("fr") == "en"
    assert normalize_language(None) == "en"
    hits = shipped_library().search("dormir", language="es-MX")
    assert hits[0].page.language == "es"


def test_fold_removes_accents_and_case():
    assert fold("Corazón ÁNIMO niño") == "corazon animo nino"


@pytest.mark.parametrize(
    ("situation", "first", "also"),
    [
        ("cant_sleep", "sleep-hygiene", {"self-soothe", "please"}),
        ("urge", "stop", {"tipp", "pros-and-cons", "willingness"}),
        ("craving", "willingness", {"relapse-prevention", "pros-and-cons", "stop"}),
        ("conflict", "dear-man", {"give", "fast", "stop", "healthy-relationships"}),
        ("panic", "tipp", {"self-soothe", "improve", "observe"}),
        ("loneliness", "give", {"participate", "healthy-relationships", "opposite-action"}),
        ("asking", "dear-man", {"fast"}),
        ("anger", "stop", {"tipp", "effectively", "opposite-action"}),
        ("shame", "non-judgmentally", {"opposite-action", "fast", "describe"}),
        ("stuck", "radical-acceptance", {"turning-the-mind", "willingness"}),
    ],
)
def test_skills_for_right_now_by_situation(situation, first, also):
    found = [item.id for item in shipped_library().for_situation(situation)]
    assert found[0] == first
    assert also <= set(found)


def test_situations_list_only_those_with_items_each_with_both_labels():
    for situation, items in shipped_library().situations():
        assert items
        assert situation.label("en")
        assert situation.label("es")
        assert situation.label("en") != situation.label("es")


def test_an_unknown_situation_or_module_is_a_clear_error():
    library = shipped_library()
    with pytest.raises(KeyError, match="Unknown situation 'bored'"):
        library.for_situation("bored")
    with pytest.raises(KeyError, match="Unknown module 'coping'"):
        library.by_module("coping")


def test_modules_come_in_order_with_labels_in_both_languages():
    modules = shipped_library().modules()
    assert [module.key for module, _ in modules] == [
        "mindfulness",
        "distress_tolerance",
        "emotion_regulation",
        "interpersonal",
        "psychoeducation",
    ]
    assert modules[1][0].label("es") == "Tolerancia al malestar"


@pytest.mark.parametrize(
    ("name", "item_id"),
    [
        ("Wise mind", "wise-mind"),
        ("wise-mind", "wise-mind"),
        ("Mente sabia", "wise-mind"),
        ("Radical acceptance", "radical-acceptance"),
        ("Aceptacion radical", "radical-acceptance"),
        ("DEAR MAN", "dear-man"),
        ("Pros and cons", "pros-and-cons"),
        ("Non-judgmentally", "non-judgmentally"),
        ("One-mindfully", "one-mindfully"),
        ("Self-soothe", "self-soothe"),
        ("check the facts", "check-the-facts"),
    ],
)
def test_find_resolves_the_skill_names_used_on_the_diary_card_and_in_coaching(name, item_id):
    found = shipped_library().find(name)
    assert found is not None
    assert found.id == item_id


def test_find_returns_none_for_a_name_it_does_not_know():
    assert shipped_library().find("Juggling") is None
    assert shipped_library().find("") is None
