"""`openiop score CODE ANSWERS...`: score one response from the command line, print JSON.

    openiop score PHQ-9 1 0 2 3 1 0 0 1 2
    openiop score AUDIT-C 2 1 1 --sex female
    openiop score C-SSRS yes no 0 0 0 yes no

Answers go in item order; yes/no questions take 1/0, yes/no or y/n; an unanswered item is "-"
(scored only where the instrument's definition allows proration). No database is touched.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openiop.measures.definitions import (
    SEXES,
    DefinitionError,
    Instrument,
    UnknownInstrument,
    get_instrument,
)
from openiop.measures.scoring import ScoringError, score

_YES = {"yes", "y"}
_NO = {"no", "n"}
_MISSING = {"-", "none", "skip"}


def parse_answers(instrument: Instrument, raw: list[str]) -> list[int | None]:
    """Turn command-line words into answers; the engine checks counts and ranges."""
    answers: list[int | None] = []
    for position, word in enumerate(raw, 1):
        text = word.strip().lower()
        item = instrument.items[position - 1] if position <= len(instrument.items) else None
        if text in _MISSING:
            answers.append(None)
        elif text in _YES | _NO:
            if item is None or not item.is_yes_no:
                where = f"answer {position}" + (f" ({item.key})" if item else "")
                raise CommandError(f"{where}: {word!r} fits only a yes/no question; give a number.")
            answers.append(1 if text in _YES else 0)
        else:
            try:
                answers.append(int(text, 10))
            except ValueError:
                raise CommandError(
                    f"answer {position}: {word!r} is not a whole number (or yes/no, or - for "
                    "unanswered)."
                ) from None
    return answers


class _IntermixedParser(CommandParser):
    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        return self.parse_intermixed_args(args, namespace)


class Command(BaseCommand):
    help = "Score one instrument response and print the result as one JSON object."

    # Scoring is pure: no database, so no migration check either.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Django's own --version (its release number) would shadow the definition version.
        kwargs.setdefault("conflict_handler", "resolve")
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Plain argparse stops collecting answers at the first option ("PHQ-9 --sex male 1 2"
        # would fail); Django builds the parser itself, so swap in the intermixed parse.
        parser.__class__ = _IntermixedParser
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Instrument code, e.g. PHQ-9 (case does not matter).")
        parser.add_argument("answers", nargs="*", help="Answers in item order.")
        parser.add_argument("--sex", choices=SEXES, help="Needed for AUDIT-C's cutoff.")
        parser.add_argument("--version", dest="instrument_version", help="Definition version.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            instrument = get_instrument(options["code"], options["instrument_version"])
        except (UnknownInstrument, DefinitionError) as exc:
            raise CommandError(str(exc.args[0] if exc.args else exc)) from None
        answers = parse_answers(instrument, options["answers"])
        try:
            result = score(instrument, answers, sex=options["sex"])
        except ScoringError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
