"""A program adds its own items from a folder and hides items by id; rendering stays safe."""

from __future__ import annotations

import pytest

from openiop.skills.library import (
    ContentError,
    UnknownItem,
    clear_caches,
    library_for,
    load_program_directory,
    render_markdown,
    shipped_library,
)


def skill_url(item_id: str) -> str:
    return f"/portal/skills/{item_id}/"


def test_a_program_adds_its_own_item_which_links_to_shipped_ones(program_dir):
    root = program_dir(spanish=True)
    library = library_for(additions=[root])
    item = library.get("lakeside-grounding")
    assert item.origin == "program"
    assert item.module == "distress_tolerance"
    assert len(library) == len(shipped_library()) + 1
    assert [other.id for other in library.related(item)] == ["tipp"]
    assert item in library.for_situation("craving")
    assert item in library.by_module("distress_tolerance")
    assert "lakeside-grounding" in [hit.item.id for hit in library.search("lakeside")]
    assert library.search("conectar", language="es")[0].item.id == "lakeside-grounding"
    # The shipped library itself is untouched.
    assert "lakeside-grounding" not in shipped_library()


def test_a_program_item_without_spanish_is_refused_unless_the_program_chose_fallback(
    program_dir,
):
    root = program_dir(spanish=False)
    with pytest.raises(ContentError, match=r"lakeside-grounding: no page in es"):
        library_for(additions=[root])
    library = library_for(additions=[root], missing_languages="fallback")
    item = library.get("lakeside-grounding")
    assert item.fallback_languages == ("es",)
    assert not item.has_language("es")
    page = item.page("es")
    assert page.language == "en"  # the view can say "not yet translated"
    assert page.title == "Grounding with a cold drink"


def test_a_program_item_may_not_reuse_a_shipped_id(program_dir):
    root = program_dir(spanish=True, item_id="tipp")
    with pytest.raises(ContentError) as caught:
        library_for(additions=[root])
    message = str(caught.value)
    assert "program/distress_tolerance/tipp" in message
    assert "is already used by content/distress_tolerance/tipp" in message


def test_a_program_item_linking_to_an_unknown_skill_is_refused(program_dir):
    root = program_dir(spanish=True)
    for name in ("en.md", "es.md"):
        page = root / "distress_tolerance" / "lakeside-grounding" / name
        page.write_text(page.read_text().replace("skill:tipp", "skill:tip"))
    with pytest.raises(ContentError, match=r"en.md: links to skill:tip, which is not"):
        library_for(additions=[root])


def test_hidden_items_leave_every_list_but_stay_reachable_on_request():
    library = library_for(hidden=["tipp", "please"])
    assert "tipp" not in library
    assert len(library) == len(shipped_library()) - 2
    assert "tipp" not in [item.id for item in library]
    assert "tipp" not in [item.id for item in library.for_situation("panic")]
    assert "tipp" not in [item.id for item in library.by_module("distress_tolerance")]
    assert "tipp" not in [hit.item.id for hit in library.search("TIPP")]
    assert "tipp" not in [other.id for other in library.related(library.get("stop"))]
    assert library.find("TIPP") is None
    with pytest.raises(UnknownItem):
        library.get("tipp")
    # Homework assigned before the program hid the item can still open it.
    assert library.get("tipp", include_hidden=True).id == "tipp"


def test_hiding_an_id_the_library_does_not_hold_is_set_aside_not_fatal():
    library = library_for(hidden=["tipp", "renamed-long-ago"])
    assert library.hidden == {"tipp"}
    assert library.ignored_hidden == {"renamed-long-ago"}


def test_a_program_can_hide_a_shipped_item_and_add_its_own_in_its_place(program_dir):
    root = program_dir(spanish=True)
    library = library_for(additions=[root], hidden=["accepts"])
    situation = [item.id for item in library.for_situation("craving")]
    assert "lakeside-grounding" in situation
    assert "accepts" not in situation


def test_links_to_hidden_items_render_as_plain_text():
    library = library_for(hidden=["tipp"])
    stop = library.get("stop").page("en").section("practice")
    html = library.render_section(stop, skill_url=skill_url)
    assert 'href="/portal/skills/pros-and-cons/"' in html
    assert "/portal/skills/tipp/" not in html
    assert "TIPP" in html  # the words stay, the link goes


def test_rendered_html_is_safe_and_links_resolve():
    html = render_markdown(
        "Hi <script>alert(1)</script> [a](skill:tipp) [b](javascript:alert(1)) "
        "[c](https://988lifeline.org) [d](tel:988)",
        skill_url=skill_url,
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="/portal/skills/tipp/"' in html
    assert "javascript:" not in html.replace("[b](javascript:alert(1))", "")
    assert 'href="https://988lifeline.org" rel="noopener noreferrer"' in html
    assert 'href="tel:988"' in html


def test_every_shipped_section_renders_without_raw_markup():
    library = shipped_library()
    for item in library:
        for page in item.pages.values():
            for section in page.sections:
                html = library.render_section(section, skill_url=skill_url)
                assert "skill:" not in html
                assert "<script" not in html
                assert "**" not in html, page.path


def test_program_folders_are_parsed_once_until_the_cache_is_cleared(program_dir):
    root = str(program_dir(spanish=True).resolve())
    first = load_program_directory(root)
    assert load_program_directory(root) is first
    clear_caches()
    assert load_program_directory(root) is not first
