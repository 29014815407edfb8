"""A laboratory's result file, read and validated whole before anything is written.

The format (one row per substance result; the header row names the columns, in any order and
any letter case, with or without surrounding spaces):

- `collection_id`: the chain-of-custody id on the specimen's requisition (`C-2026-0142`);
- `participant`: the participant's record number or public id, as on the requisition;
- `collected_at`: when the specimen was collected, ISO 8601 with its UTC offset
  (`2026-01-05T09:30:00-05:00`);
- `substance`: the analyte or panel name; the program's panel resolves lab spellings
  (`cocaine`, `BZO`, `benzoylecgonine`);
- `result`: `negative`, `positive`, `invalid` or `dilute`;
- `cutoff`: the cutoff the laboratory applied, a number and a unit (`150 ng/mL`), or empty;
- `method`: `presumptive` (immunoassay) or `confirmatory` (GC-MS, LC-MS/MS);
- `lab`: the laboratory's name;
- `reported_at`: when the laboratory reported the result, ISO 8601 with its UTC offset.

The file is UTF-8 (a byte-order mark, as spreadsheet programs write, is fine), with commas,
CRLF or LF line ends, and quotes where a value holds a comma. Rows are counted as a spreadsheet
shows them: the header is row 1, the first result row 2. Entirely empty rows are skipped.

Nothing is written unless every row is valid: `parse_lab_file` raises `LabFileRefused` naming
every problem of every row ("row 7: result 'pos' is not one of negative, positive, invalid,
dilute"), and `plan_import` then checks the rows against the results already recorded, again
naming every row it refuses. Only when both pass does the caller write the planned rows, in one
transaction. A row identical to one already recorded is left out (importing a file twice
changes nothing); a row that contradicts one already recorded for the same report is refused.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from openiop.substance_use.core.expected import DEFAULT_PANEL, Panel
from openiop.substance_use.core.results import (
    Method,
    ResultError,
    ResultRow,
    ResultValue,
    current_rows,
    new_key,
)
from openiop.substance_use.core.wording import format_day, plural

COLUMNS = (
    "collection_id",
    "participant",
    "collected_at",
    "substance",
    "result",
    "cutoff",
    "method",
    "lab",
    "reported_at",
)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# The lab's collection time may differ from the one recorded at collection by time-zone slips.
COLLECTION_DAY_TOLERANCE = 1
_CUTOFF = re.compile(r"^\d+(?:\.\d+)?\s*[A-Za-zµμ/%]+(?:/[A-Za-z]+)?$")
_MAX_CELL = 200


class LabFileRefused(ValueError):
    """The file is refused whole; `problems` names every one, row by row."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(self.problems[:5])
        more = len(self.problems) - 5
        super().__init__(shown + (f"; and {more} more" if more > 0 else ""))


@dataclass(frozen=True)
class KnownCollection:
    """A collection the program recorded, which a lab row may report on."""

    key: str  # chain-of-custody id
    participant_ids: frozenset[str]  # the record number and public id the lab may quote
    collected_on: date | None = None  # local date recorded at collection


@dataclass(frozen=True)
class LabRow:
    row: int  # spreadsheet row number (the header is row 1)
    collection: str
    participant: str
    collected_at: datetime
    substance: str  # the panel's name
    reported_as: str  # as the lab wrote it
    value: ResultValue
    cutoff: str
    method: Method
    lab: str
    reported_at: datetime


@dataclass(frozen=True)
class LabFile:
    rows: tuple[LabRow, ...]
    digest: str  # SHA-256 of the file's bytes: the import's name in the audit trail


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise LabFileRefused([f"the file is over {MAX_BYTES // (1024 * 1024)} MB"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LabFileRefused(
            ["the file is not UTF-8 text: save it as 'CSV UTF-8' and import it again"]
        ) from None


def _when(text: str, what: str, zone: tzinfo | None) -> tuple[datetime | None, str | None]:
    if not text:
        return None, f"{what} is empty"
    try:
        # Python 3.11 reads ISO 8601 with a space or a T, seconds optional, and a trailing Z.
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, f"{what} {text!r} is not a date and time (e.g. 2026-01-05T09:30:00-05:00)"
    if moment.tzinfo is None:
        if zone is None:
            return None, f"{what} {text!r} has no UTC offset (e.g. 2026-01-05T09:30:00-05:00)"
        moment = moment.replace(tzinfo=zone)
    return moment, None


def _choice(text: str, what: str, choices: Iterable[str]) -> tuple[str | None, str | None]:
    options = list(choices)
    value = text.lower()
    if value in options:
        return value, None
    return None, f"{what} {text!r} is not one of {', '.join(options)}"


def parse_lab_file(
    data: bytes,
    *,
    known: Mapping[str, KnownCollection],
    now: datetime,
    panel: Panel = DEFAULT_PANEL,
    assume_zone: tzinfo | None = None,
) -> LabFile:
    """Read and validate a lab file. `known` maps the program's collection ids to what was
    recorded; a row naming any other id is refused (a lab result for someone the program did
    not collect from is never attached to anyone). `assume_zone`, when given (the program's
    zone), reads times written without an offset; otherwise such times are refused."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise LabFileRefused(["the file is empty"]) from None
    except csv.Error as exc:
        raise LabFileRefused([f"row 1: {exc}"]) from None
    names = [cell.strip().lower() for cell in header]
    problems: list[str] = []
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n or "(empty)" for n in names if n not in COLUMNS]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if missing:
        problems.append(f"row 1: missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(
            f"row 1: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}"
        )
    if repeated:
        problems.append(f"row 1: column(s) named twice: {', '.join(repeated)}")
    if problems:
        raise LabFileRefused(problems)
    position = {name: names.index(name) for name in COLUMNS}

    rows: list[LabRow] = []
    seen: dict[tuple[str, str, str, datetime], int] = {}
    number = 1
    counted = 0
    try:
        for cells in reader:
            number += 1
            if not any(cell.strip() for cell in cells):
                continue
            counted += 1
            if counted > MAX_ROWS:
                problems.append(f"the file has more than {MAX_ROWS} result rows; split it")
                break
            found, row_problems = _row(
                number, cells, position, known=known, now=now, panel=panel, zone=assume_zone
            )
            problems.extend(row_problems)
            if found is None:
                continue
            slot = (found.collection, found.substance, found.method.value, found.reported_at)
            if slot in seen:
                problems.append(
                    f"row {number}: repeats row {seen[slot]} (same collection, substance, "
                    "method and report time)"
                )
                continue
            seen[slot] = number
            rows.append(found)
    except csv.Error as exc:
        problems.append(f"row {number}: {exc}")
    if not rows and not problems:
        problems.append("the file has no result rows")
    if problems:
        raise LabFileRefused(problems)
    return LabFile(rows=tuple(rows), digest=hashlib.sha256(data).hexdigest())


def _row(
    number: int,
    cells: list[str],
    position: Mapping[str, int],
    *,
    known: Mapping[str, KnownCollection],
    now: datetime,
    panel: Panel,
    zone: tzinfo | None,
) -> tuple[LabRow | None, list[str]]:
    where = f"row {number}"
    if len(cells) != len(position):
        return None, [f"{where}: has {len(cells)} values, the header has {len(position)}"]
    value = {name: cells[index].strip() for name, index in position.items()}
    problems = [
        f"{where}: {name} is longer than {_MAX_CELL} characters"
        for name, text in value.items()
        if len(text) > _MAX_CELL
    ]
    if problems:
        return None, problems

    collection = known.get(value["collection_id"])
    if not value["collection_id"]:
        problems.append(f"{where}: collection_id is empty")
    elif collection is None:
        problems.append(
            f"{where}: collection {value['collection_id']!r} is not a collection this program "
            "recorded"
        )
    if not value["participant"]:
        problems.append(f"{where}: participant is empty")
    elif collection is not None and value["participant"] not in collection.participant_ids:
        problems.append(
            f"{where}: participant {value['participant']!r} is not the participant of "
            f"collection {collection.key}"
        )

    collected_at, problem = _when(value["collected_at"], "collected_at", zone)
    if problem:
        problems.append(f"{where}: {problem}")
    reported_at, problem = _when(value["reported_at"], "reported_at", zone)
    if problem:
        problems.append(f"{where}: {problem}")
    if collected_at and reported_at and reported_at < collected_at:
        problems.append(f"{where}: reported_at is before collected_at")
    for moment, name in ((collected_at, "collected_at"), (reported_at, "reported_at")):
        if moment and moment > now + timedelta(minutes=5):
            problems.append(f"{where}: {name} is in the future")
    if (
        collected_at
        and collection is not None
        and collection.collected_on is not None
        and abs((collected_at.date() - collection.collected_on).days) > COLLECTION_DAY_TOLERANCE
    ):
        problems.append(
            f"{where}: collected_at {collected_at.date().isoformat()} does not match collection "
            f"{collection.key}, recorded as collected on {format_day(collection.collected_on)}"
        )

    substance = panel.resolve(value["substance"]) if value["substance"] else None
    if not value["substance"]:
        problems.append(f"{where}: substance is empty")
    elif substance is None:
        problems.append(
            f"{where}: substance {value['substance']!r} is not on the program's panel "
            f"({', '.join(panel.names)})"
        )
    result, problem = _choice(value["result"], "result", (v.value for v in ResultValue))
    if problem:
        problems.append(f"{where}: {problem}")
    method, problem = _choice(value["method"], "method", (m.value for m in Method))
    if problem:
        problems.append(f"{where}: {problem}")
    if value["cutoff"] and not _CUTOFF.match(value["cutoff"]):
        problems.append(
            f"{where}: cutoff {value['cutoff']!r} is not a number and unit (e.g. 300 ng/mL)"
        )
    if not value["lab"]:
        problems.append(f"{where}: lab is empty")

    if (
        problems
        or collection is None
        or collected_at is None
        or reported_at is None
        or substance is None
        or result is None
        or method is None
    ):
        return None, problems
    return (
        LabRow(
            row=number,
            collection=collection.key,
            participant=value["participant"],
            collected_at=collected_at,
            substance=substance,
            reported_as=value["substance"],
            value=ResultValue(result),
            cutoff=value["cutoff"],
            method=Method(method),
            lab=value["lab"],
            reported_at=reported_at,
        ),
        [],
    )


@dataclass(frozen=True)
class ImportPlan:
    new_rows: tuple[ResultRow, ...]  # to write, in this order, in one transaction
    unchanged: tuple[int, ...]  # file rows already recorded exactly so
    file_digest: str

    @property
    def summary(self) -> str:
        words = f"{plural(len(self.new_rows), 'result')} to record"
        if self.unchanged:
            words += f"; {plural(len(self.unchanged), 'row')} already recorded, left as they are"
        return words


def _same_report(a: ResultRow, row: LabRow) -> bool:
    return (
        a.collection == row.collection
        and a.substance == row.substance
        and a.method == row.method
        and a.reported_at == row.reported_at
    )


def plan_import(lab_file: LabFile, history: Sequence[ResultRow], *, imported_by: str) -> ImportPlan:
    """The result rows a valid file adds to the history, each naming the row it replaces.

    Within a collection and substance, presumptive rows come before confirmatory ones and each
    method's rows go in report order, so a confirmation replaces the screen it confirms. Refused
    (all rows named): a presumptive row for a result the laboratory already confirmed, and a row
    that contradicts the result already recorded for the same report.
    """
    try:
        working = list(history)
        current_rows(working)
    except ResultError as exc:
        raise LabFileRefused([f"the recorded results cannot be read: {exc}"]) from None
    problems: list[str] = []
    new_rows: list[ResultRow] = []
    unchanged: list[int] = []
    ordered = sorted(
        lab_file.rows,
        key=lambda r: (r.collection, r.substance, r.method != Method.PRESUMPTIVE, r.reported_at),
    )
    for row in ordered:
        same = [r for r in working if _same_report(r, row)]
        if same:
            if any(r.value == row.value for r in same):
                unchanged.append(row.row)
            else:
                problems.append(
                    f"row {row.row}: collection {row.collection} already has a {row.method.value} "
                    f"{row.substance} result reported at {row.reported_at.isoformat()} that says "
                    f"{same[0].value.value}; this row says {row.value.value}. A corrected report "
                    "carries its own report time."
                )
            continue
        current = current_rows(working).get((row.collection, row.substance))
        if (
            current is not None
            and current.method == Method.CONFIRMATORY
            and row.method == Method.PRESUMPTIVE
        ):
            problems.append(
                f"row {row.row}: collection {row.collection} already has a laboratory-confirmed "
                f"{row.substance} result; a presumptive result does not replace it"
            )
            continue
        if (
            current is not None
            and current.reported_at > row.reported_at
            and (current.method == row.method)
        ):
            problems.append(
                f"row {row.row}: a later {row.method.value} {row.substance} result "
                f"({current.reported_at.isoformat()}) is already recorded for collection "
                f"{row.collection}"
            )
            continue
        new = ResultRow(
            key=new_key(),
            collection=row.collection,
            substance=row.substance,
            value=row.value,
            method=row.method,
            reported_at=row.reported_at,
            recorded_by=imported_by,
            supersedes=current.key if current is not None else None,
            cutoff=row.cutoff,
            lab=row.lab,
            reported_as=row.reported_as,
        )
        working.append(new)
        new_rows.append(new)
    if problems:
        raise LabFileRefused(sorted(problems, key=_row_number))
    return ImportPlan(
        new_rows=tuple(new_rows), unchanged=tuple(sorted(unchanged)), file_digest=lab_file.digest
    )


def _row_number(problem: str) -> int:
    match = re.match(r"row (\d+)", problem)
    return int(match.group(1)) if match else 0
