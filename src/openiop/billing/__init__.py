"""Billing and utilization: the pure core.

Plain typed modules, independent of the product's Django models, so the billing room (issue 18)
can be built on top of them after the architecture refactor (issue 16):

- `dayrules`: a payer's billable-day rule applied to one participant's facts, with reasons;
- `authorizations`: authorization arithmetic (days used and left) and the warnings it raises;
- `payers`: how a payer is configured, with example rules from clinical.md §3 and §3a;
- `x12`: the ANSI X12 837I (005010X223A2) claim writer;
- `remit`: 835 remittance parsing (with pyx12) and reconciliation against submitted claims;
- `icd10`: ICD-10-CM search and validation over the CMS release packaged by simple-icd-10-cm.

Nothing here touches the database or imports another OpenIOP room; this package is not an
installed Django app yet. See docs/billing-engine.md.
"""
