"""The skills library: DBT skills and health topics, as versioned content files.

`library.py` loads and validates the files in `content/` (and a program's own folders); it
imports nothing from the other OpenIOP apps, so the portal, the diary card, coaching and the
curriculum can all read it without tying the content to their models. See docs/skills-library.md.
"""
