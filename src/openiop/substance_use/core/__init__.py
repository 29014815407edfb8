"""Substance use care: the pure core.

Plain typed modules, independent of the product's Django models, so the substance-use room
(issue 23) can be built on top of them after the architecture refactor (issue 16):

- `draws`: a program's testing policy and the weekly random draw, with its tamper-evident record;
- `results`: collections, per-substance results, confirmatory results replacing presumptive ones,
  expected positives and the neutral follow-up items for the primary clinician;
- `expected`: the test panel and the expected-positive table (program-editable configuration);
- `labcsv`: a laboratory's result file, validated whole before anything is written;
- `medications`: the medication list, MOUD/MAUD recognition and reconciliation in words;
- `supports`: mutual-help meetings, the participant's recovery start date, recovery contacts;
- `levels`: continued-stay re-ratings of the six ASAM dimensions, with trends and flags.

Nothing here touches the database or imports another OpenIOP room; this package is not an
installed Django app yet. Everything it holds is 42 CFR Part 2 material once it is about a
person. See docs/substance-use-care.md.
"""
