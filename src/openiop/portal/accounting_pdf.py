"""The accounting of disclosures as a PDF the participant keeps (fpdf2, core fonts, as the
discharge summary: text is mapped to Latin-1 first)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from openiop.discharge.pdf import latin1
from openiop.participants.models import Disclosure, Participant
from openiop.participants.part2 import REDISCLOSURE_NOTICE

INTRO = (
    "Each time information about you left one of your programs with your consent, it is listed "
    "here: who received it, what, when, how, and the consent it was shared under. The list "
    "covers everything recorded since the program began keeping it."
)


def _day(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def accounting_pdf(
    participant: Participant, rows: Sequence[Disclosure], *, made_at: datetime
) -> bytes:
    pdf = FPDF(format="Letter")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title("Accounting of disclosures")
    pdf.set_creator("OpenIOP")
    pdf.add_page()
    width = pdf.epw

    def line(text: str, *, size: float = 10, style: str = "", height: float = 5.5) -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.multi_cell(width, height, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    zone = ZoneInfo(rows[0].program.time_zone) if rows else ZoneInfo("UTC")
    line("Accounting of disclosures", size=16, style="B", height=9)
    line(f"{participant.legal_name} ({participant.record_number})", size=11, style="B")
    line(f"Made on {_day(made_at.astimezone(zone))}.")
    pdf.ln(2)
    line(INTRO)
    pdf.ln(3)
    if not rows:
        line("Nothing about you has been disclosed.", style="B")
    for row in rows:
        line(
            f"{_day(row.disclosed_on)}: {row.program.name} to {row.recipient}",
            size=11,
            style="B",
            height=6.5,
        )
        line(f"What: {row.description} ({'; '.join(row.information_labels)})")
        line(f"How: {row.get_channel_display()}")
        line(f"Under: {row.basis}")
        if row.redisclosure_notice:
            line("Sent with the federal notice that the recipient may not pass it on.", size=9)
        pdf.ln(2)
    if any(r.redisclosure_notice for r in rows):
        pdf.ln(2)
        line(REDISCLOSURE_NOTICE, size=8, style="I", height=4.2)
    return bytes(pdf.output())
