"""`python -m openiop.skills`: check content after editing it, search, skills for right now."""

from __future__ import annotations

from openiop.skills.__main__ import main


def test_check_passes_on_the_shipped_content(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "Distress tolerance: 9" in out
    assert "OK: 31 items" in out


def test_check_fails_naming_the_file_and_the_problem(program_dir, capsys):
    root = program_dir(spanish=False)
    assert main(["check", str(root)]) == 1
    err = capsys.readouterr().err
    assert "program/distress_tolerance/lakeside-grounding: no page in es" in err


def test_check_reports_which_program_items_fall_back_to_english(program_dir, capsys):
    root = program_dir(spanish=False)
    assert main(["check", str(root), "--fallback"]) == 0
    out = capsys.readouterr().out
    assert "lakeside-grounding: shown in English for es (fallback)" in out
    assert "OK: 32 items" in out


def test_search_and_situation_print_the_best_items_first(capsys):
    assert main(["search", "dormir", "--language", "es"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "sleep-hygiene" in first
    assert "Higiene del sueño" in first
    assert main(["situation", "urge"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("stop ")
