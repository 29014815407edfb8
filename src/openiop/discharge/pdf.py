"""The discharge summary as a PDF (fpdf2, pure Python, core fonts).

Core fonts are Latin-1 only: text is mapped to Latin-1 first (typographic quotes and dashes to
their plain forms, anything else that does not fit to '?'), so a summary never fails to
export. Summaries of substance-use programs carry the Part 2 redisclosure notice.
"""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from openiop.discharge.models import DischargeSummary, SummaryAddendum
from openiop.participants.models import Disclosure
from openiop.participants.part2 import REDISCLOSURE_NOTICE

_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u2022": "-",
        "\u2026": "...",
        "\u2192": "->",
        "\u2190": "<-",
        "\u2265": ">=",
        "\u2264": "<=",
        "\u00a0": " ",
        "\u2009": " ",
        "\u200b": "",
    }
)


def latin1(text: str) -> str:
    """`text` in characters the PDF core fonts can draw."""
    plain = (text or "").translate(_PLAIN)
    return plain.encode("latin-1", errors="replace").decode("latin-1")


def _day(value: Any) -> str:
    return f"{value:%b} {value.day}, {value.year}" if value else "-"


class _SummaryPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, latin1(f"{self.footer_text} - page {self.page_no()}"), align="C")


def summary_pdf(
    summary: DischargeSummary,
    *,
    addenda: list[SummaryAddendum],
    part2: bool,
    disclosure: Disclosure | None = None,
) -> bytes:
    """The summary; with `disclosure`, a copy handed outside the program, which says to whom,
    under which consent and when (the accounting of disclosures records the same)."""
    episode = summary.episode
    participant = episode.participant
    pdf = _SummaryPDF(format="Letter")
    pdf.footer_text = f"Discharge summary {participant.record_number}"
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title("Discharge summary")
    pdf.set_creator("OpenIOP")
    pdf.add_page()
    width = pdf.epw

    def line(text: str, *, size: float = 10, style: str = "", height: float = 5.5) -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.multi_cell(width, height, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line("Discharge summary", size=16, style="B", height=9)
    line(f"{participant.legal_name} ({participant.record_number})", size=11, style="B")
    line(f"Date of birth: {_day(participant.date_of_birth)}")
    line(f"Program: {episode.program.name}")
    status = (
        f"Signed by {summary.signed_by.display_name} on {_day(summary.signed_at)}"
        if summary.is_signed and summary.signed_by
        else "DRAFT - not signed"
    )
    line(status, style="B")
    pdf.ln(2)
    if disclosure is not None:
        line(
            f"Disclosed to {disclosure.recipient} on {_day(disclosure.disclosed_on)} "
            f"under: {disclosure.basis}.",
            size=9,
            style="B",
            height=4.8,
        )
        pdf.ln(1)
    if part2:
        pdf.set_fill_color(245, 245, 245)
        pdf.set_font("Helvetica", style="B", size=9)
        pdf.multi_cell(
            width,
            4.8,
            latin1(REDISCLOSURE_NOTICE),
            border=1,
            fill=True,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(2)
    for section in summary.sections():
        line(section["heading"], size=12, style="B", height=7)
        line(section["text"] or "-")
        pdf.ln(1.5)
    for addendum in addenda:
        line(
            f"Addendum, {_day(addendum.created_at)}, {addendum.author.display_name}",
            size=11,
            style="B",
            height=7,
        )
        line(addendum.text)
    if part2:
        pdf.ln(2)
        line(REDISCLOSURE_NOTICE, size=8, style="I", height=4.2)
    return bytes(pdf.output())
