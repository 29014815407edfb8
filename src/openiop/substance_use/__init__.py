"""Substance use care, the clinical room (issue 23): the episode's medication list with its
MOUD/MAUD marking and signed reconciliations, built around the pure core in
`substance_use.core` (medications, draws, results, expected positives, lab CSV, supports,
continued-stay ratings; docs/substance-use-care.md).

The medication list is one list for the whole product: other rooms read it through
`substance_use.selectors.medications_for_episode`. Everything here is a 42 CFR Part 2 record
when the episode's program treats substance use (participants.access.level_for).
"""
