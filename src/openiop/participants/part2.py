"""42 CFR Part 2 wording shared by every page, print and export that discloses substance-use
treatment records (clinical.md §5): disclosures carry a notice that the recipient may not pass
the information on. Our own words; the rule's elements, not a copied form."""

from __future__ import annotations

REDISCLOSURE_NOTICE = (
    "This record comes from a substance use disorder treatment program and is protected by "
    "federal confidentiality rules (42 CFR part 2). Those rules prohibit you from passing on "
    "this information, or using it to investigate or prosecute the patient, unless the patient "
    "gives written consent or the regulations otherwise allow it. A general authorization to "
    "release medical information is not enough for this purpose."
)
