"""Billing and utilization: a Django room around a pure core.

The pure core (plain typed modules, no Django, no other room: the `pure-cores` contract):

- `dayrules`: a payer's billable-day rule applied to one participant's facts, with reasons;
- `authorizations`: authorization arithmetic (days used and left) and the warnings it raises;
- `payers`: how a payer is configured, with example rules from clinical.md §3 and §3a;
- `x12`: the ANSI X12 837I (005010X223A2) claim writer;
- `remit`: 835 remittance parsing (with pyx12) and reconciliation against submitted claims;
- `icd10`: ICD-10-CM search and validation over the CMS release packaged by simple-icd-10-cm.

The room: `models`, `selectors` (live billable days from attendance and notes), `services`,
`claims`, `views`, `panels`, `access`. See docs/billing-engine.md and docs/guide/billing.md.
"""
