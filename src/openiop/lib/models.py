"""Abstract bases shared by every room's models.

- `PublicIdentified`: the UUID that stands for a row in URLs and exports (never the
  sequential id).
- `OrganizationScoped`: the organization a row belongs to. Every table holding program data
  carries it, so a network of providers can shard by organization (DESIGN.md, Scale).
- `OrganizationRecord`: both, which is what most records are.

`lib` sits below every room, so it names the organization model through a setting
(`ORGANIZATION_MODEL`, like `AUTH_USER_MODEL`) rather than importing `programs`. The bases add
no columns of their own: a model that moved onto them keeps its table exactly as it was.
A model whose organization differs (optional, or with a related_name) declares its own
`organization`, which replaces the inherited one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class PublicIdentified(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class OrganizationScoped(models.Model):
    organization = models.ForeignKey(settings.ORGANIZATION_MODEL, on_delete=models.PROTECT)

    class Meta:
        abstract = True


class OrganizationRecord(PublicIdentified, OrganizationScoped):
    class Meta:
        abstract = True
