"""Audit review: the pages where privacy officers and directors read the access log, per
participant and per user. The log itself and the timeline are the audit room's (audit/), which
every room writes through and which therefore sits low; reviewing needs the scoping getters of
the participants room above it, so the pages live here. Not a Django app: no models."""
