"""`openiop score`: one JSON object on stdout for good input, a message and non-zero exit
for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def run(*args: str) -> dict:
    out = StringIO()
    call_command("score", *args, stdout=out)
    return json.loads(out.getvalue())


def test_it_scores_the_issue_example():
    data = run("PHQ-9", "1", "0", "2", "3", "1", "0", "0", "1", "2")
    assert data["instrument"] == "PHQ-9"
    assert data["version"] == "1.0"
    assert data["total"] == 10
    assert data["severity"] == "moderate"
    assert data["flags"]["critical_items"] == ["phq9_9"]
    assert data["subscales"] == {}


def test_it_prints_exactly_one_json_object():
    out = StringIO()
    call_command("score", "GAD-7", *"0000000", stdout=out)
    assert len(out.getvalue().strip().splitlines()) == 1
    assert json.loads(out.getvalue())["severity"] == "minimal"


def test_it_takes_yes_no_words_for_the_cssrs_with_skipped_questions_as_0():
    data = run("C-SSRS", "yes", "y", "no", "YES", "n", "no", "0")
    assert data["flags"]["risk_tier"] == "high"
    assert data["flags"]["critical"] is True
    assert data["total"] is None


def test_it_passes_sex_for_the_auditc_cutoff():
    assert run("AUDIT-C", "1", "1", "1", "--sex", "female")["flags"]["positive_screen"] is True
    assert run("AUDIT-C", "1", "1", "1", "--sex", "male")["flags"]["positive_screen"] is False


def test_options_may_come_before_the_answers():
    assert run("AUDIT-C", "--sex", "female", "1", "1", "1")["flags"]["positive_screen"] is True


def test_it_takes_a_definition_version():
    assert run("--version", "1.0", "WHO-5", "5", "5", "5", "5", "5")["total"] == 100


def test_it_includes_subscales_where_they_exist():
    data = run("DASS-21", *(["1"] * 21))
    assert data["subscales"]["depression"] == {"score": 14, "severity": "moderate"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["PHQ-99", "1"], "Unknown instrument 'PHQ-99'; known: AUDIT-C"),
        (["PHQ-9", "1", "0"], "PHQ-9 has 9 items; got 2 answers"),
        (["PHQ-9", *"000000004"], r"item 9 \(phq9_9\): 4 is out of range"),
        (["PHQ-9", *"00000000", "-1"], r"item 9 \(phq9_9\): -1 is out of range"),
        (["PHQ-9", *"00000000", "x"], "answer 9: 'x' is not a whole number"),
        (["PHQ-9", *"00000000", "1.5"], "answer 9: '1.5' is not a whole number"),
        (["PHQ-9", *"00000000", "yes"], r"answer 9 \(phq9_9\): 'yes' fits only a yes/no question"),
        (["PHQ-9", *"0000000", "-", "0"], r"not scored with unanswered items \(phq9_8\)"),
        (["PHQ-9", "--version", "2.0", *"000000000"], "PHQ-9 has no version '2.0'"),
        (["C-SSRS", "1", "0", "1", "0", "0", "0", "0"], r"item 3 \(cssrs_3\) is not asked"),
    ],
)
def test_bad_input_raises_a_command_error_saying_what_is_wrong(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def openiop() -> str:
    return str(Path(sys.executable).parent / "openiop")


def test_the_installed_command_prints_json_and_exits_0():
    env = {**os.environ, "OPENIOP_TESTING": "1"}
    done = subprocess.run(  # noqa: S603
        [openiop(), "score", "PHQ-9", *"102310012"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["total"], data["severity"]) == (10, "moderate")


def test_the_installed_command_exits_non_zero_with_the_problem_on_stderr():
    env = {**os.environ, "OPENIOP_TESTING": "1"}
    done = subprocess.run(  # noqa: S603
        [openiop(), "score", "GAD-7", "1", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert "GAD-7 has 7 items; got 2 answers" in done.stderr


def _bare_environment(tmp_path: Path) -> dict[str, str]:
    """What a fresh shell outside the demo has: no OpenIOP settings, no pytest, no key."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}


def test_scoring_needs_no_secret_key_outside_the_demo(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603
        [openiop(), "score", "GAD-7", *"3210123"],
        capture_output=True,
        text=True,
        env=_bare_environment(tmp_path),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == 12
    assert list(tmp_path.iterdir()) == []  # no database file was created


def test_every_other_command_still_needs_the_key(tmp_path: Path) -> None:
    # The web server's rule is unchanged: `check` (like `serve` and `migrate`) loads the
    # same settings and refuses to start without OPENIOP_SECRET_KEY.
    done = subprocess.run(  # noqa: S603
        [openiop(), "check"],
        capture_output=True,
        text=True,
        env=_bare_environment(tmp_path),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "OPENIOP_SECRET_KEY must be set" in done.stderr
