"""What ships: every file validates, every named skill and topic is there in both languages,
and the safety rules hold (health cautions, crisis pointers, sources)."""

from __future__ import annotations

import re

import pytest

from openiop.skills.library import (
    CONTENT_DIR,
    LANGUAGES,
    SECTION_KEYS,
    SITUATION_KEYS,
    load_directory,
    shipped_library,
)

# clinical.md §2 names these skills per module; the seeds name these psychoeducation topics.
EXPECTED = {
    "mindfulness": [
        "wise-mind",
        "observe",
        "describe",
        "participate",
        "non-judgmentally",
        "one-mindfully",
        "effectively",
    ],
    "distress_tolerance": [
        "stop",
        "tipp",
        "pros-and-cons",
        "accepts",
        "self-soothe",
        "improve",
        "radical-acceptance",
        "turning-the-mind",
        "willingness",
    ],
    "emotion_regulation": [
        "check-the-facts",
        "opposite-action",
        "problem-solving",
        "abc",
        "please",
    ],
    "interpersonal": ["dear-man", "give", "fast"],
    "psychoeducation": [
        "understanding-your-condition",
        "stress",
        "sleep-hygiene",
        "nutrition",
        "medication-management",
        "relapse-prevention",
        "healthy-relationships",
    ],
}
ALL_IDS = [item_id for ids in EXPECTED.values() for item_id in ids]


def test_every_shipped_file_validates_and_nothing_needs_a_fallback():
    loaded = load_directory(CONTENT_DIR)  # refuses a missing language
    assert len(loaded.items) == len(ALL_IDS)
    assert all(item.fallback_languages == () for item in loaded.items)
    assert {item.id for item in loaded.items} == set(ALL_IDS)


def test_each_module_holds_its_named_skills_in_teaching_order():
    library = shipped_library()
    for module_key, ids in EXPECTED.items():
        assert [item.id for item in library.by_module(module_key)] == ids


@pytest.mark.parametrize("item_id", ALL_IDS)
def test_every_item_has_every_language_with_four_filled_sections(item_id):
    item = shipped_library().get(item_id)
    assert set(item.pages) == set(LANGUAGES)
    for language in LANGUAGES:
        page = item.page(language)
        assert page.language == language
        assert [section.key for section in page.sections] == list(SECTION_KEYS)
        assert all(section.markdown.strip() for section in page.sections)
        assert page.title
        assert page.summary
        assert page.name
        assert page.keywords


@pytest.mark.parametrize("item_id", ALL_IDS)
def test_every_item_names_its_sources_and_version(item_id):
    item = shipped_library().get(item_id)
    assert item.version == "1.0"
    assert item.sources
    for source in item.sources:
        assert source.title
        assert source.publisher
        assert not source.url or source.url.startswith("https://")


def test_every_dbt_skill_names_the_clinical_reference_and_a_public_source():
    for item in shipped_library():
        if item.is_topic:
            continue
        publishers = [source.publisher for source in item.sources]
        assert any("clinical.md" in publisher for publisher in publishers), item.id
        assert any("National Institute" in p or "NIMH" in p for p in publishers), item.id


def test_the_steps_of_each_acronym_name_its_letters_in_both_languages():
    library = shipped_library()
    for item_id, letters in {
        "stop": "STOP",
        "tipp": "TIPP",
        "accepts": "ACCEPTS",
        "improve": "IMPROVE",
        "dear-man": "DEARMAN",
        "give": "GIVE",
        "fast": "FAST",
    }.items():
        for language in LANGUAGES:
            steps = library.get(item_id).page(language).section("steps").markdown
            found = "".join(re.findall(r"^\d+\. \*\*([A-Z])", steps, flags=re.MULTILINE))
            assert found == letters, (item_id, language, found)


COLD_OR_EXERCISE = re.compile(
    r"cold water|intense exercise|agua fría|ejercicio intenso|ice water|agua helada",
    re.IGNORECASE,
)


def test_pages_suggesting_cold_water_or_hard_exercise_carry_a_health_caution():
    library = shipped_library()
    flagged = []
    for item in library:
        for page in item.pages.values():
            if COLD_OR_EXERCISE.search(page.body):
                flagged.append(item.id)
                assert page.caution, f"{page.path} needs a health caution"
                assert re.search(r"doctor|médico", page.caution), page.path
                assert re.search(r"heart|corazón", page.caution), page.path
                assert re.search(r"eating disorder|trastorno de la alimentación", page.caution)
    assert "tipp" in flagged


def test_every_distress_tolerance_skill_points_to_the_safety_plan_and_988():
    library = shipped_library()
    for item in library.by_module("distress_tolerance"):
        assert item.crisis, item.id
        assert "988" in item.crisis_note("en")
        assert "988" in item.crisis_note("es")
        for page in item.pages.values():
            assert "988" in page.body
            assert re.search(r"safety plan|plan de seguridad", page.body), page.path


def test_any_page_that_mentions_suicide_is_a_crisis_item():
    for item in shipped_library():
        for page in item.pages.values():
            if re.search(r"suicid", page.body, re.IGNORECASE):
                assert item.crisis, page.path


def test_medication_management_sends_questions_to_the_prescriber_and_advises_nothing_else():
    item = shipped_library().get("medication-management")
    english = item.page("en").body
    assert "prescriber" in english
    assert "does not give medical advice" in english
    spanish = item.page("es").body
    assert "no da consejos médicos" in spanish
    # No doses, drug names or instructions to start, stop or change a medicine on one's own.
    for page in (english, spanish):
        assert not re.search(r"\b\d+\s?mg\b", page)
        assert not re.search(r"sertraline|fluoxetine|lithium|quetiapine|buprenorphine", page, re.I)


def test_every_situation_has_something_for_right_now():
    library = shipped_library()
    for key in SITUATION_KEYS:
        assert library.for_situation(key), key


def test_related_items_resolve_and_never_point_to_themselves():
    library = shipped_library()
    for item in library:
        related = library.related(item)
        assert [other.id for other in related] == list(item.related)
        assert item not in related


def test_the_library_is_parsed_once_per_process():
    assert shipped_library() is shipped_library()


def _sentences(markdown: str) -> list[str]:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown).replace("**", "")
    text = re.sub(r"^\s*(?:\d+\.|-)\s+", "", text, flags=re.MULTILINE)
    return [s for s in re.split(r"(?<=[.!?:])\s+|\n+", text) if re.search(r"\w", s)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_keep_to_short_sentences_for_easy_reading(language):
    """A plain-language guard (our target is a 6th-8th grade reading level): short sentences on
    average and none that runs on. Measured at release: see docs/skills-library.md."""
    for item in shipped_library():
        page = item.page(language)
        sentences = _sentences(page.body)
        lengths = [len(re.findall(r"[\w'\u2019-]+", sentence)) for sentence in sentences]
        assert sum(lengths) / len(lengths) <= 15, page.path
        assert max(lengths) <= 32, (page.path, sentences[lengths.index(max(lengths))])
