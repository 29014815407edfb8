"""Composition: the staff home and the participant chart, assembled from every room's panels
(home/panels.py). Not a Django app: it owns no model, only pages."""
