"""Abstract bases shared by every room's models.

- `PublicIdentified`: the UUID that stands for a row in URLs and exports (never the
  sequential id).
- `OrganizationScoped`: the organization a row belongs to. Every table holding program data
  carries it, so a network of providers can shard by organization (DESIGN.md, Scale).
- `OrganizationRecord`: both, which is what most records are.
- `SignedDocument`: the content hash of a document a signature covers, and its integrity
  check (lib.signing), with the two status vocabularies such documents use.
- `refuse_unknown_fields` and `apply_changes`: the two steps of a write function that edits
  the fields a form names (`changes`, field name → new value).

`lib` sits below every room, so it names the organization model through a setting
(`ORGANIZATION_MODEL`, like `AUTH_USER_MODEL`) rather than importing `programs`. The bases add
no columns of their own: a model that moved onto them keeps its table exactly as it was.
A model whose organization takes a related_name (sites, programs) declares its own
`organization`, which replaces the inherited one; one whose organization is optional (users,
the access log, tracked tasks) is only `PublicIdentified` and declares it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from openiop.lib import signing


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


class VersionStatus(models.TextChoices):
    """A document kept in versions (treatment and relapse prevention plans): one draft, one
    in force, the ones it replaced."""

    DRAFT = "draft", "Draft"
    CURRENT = "current", "Current"
    SUPERSEDED = "superseded", "Superseded"


class SignatureStatus(models.TextChoices):
    """A document signed once and then locked (notes, discharge summaries)."""

    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


# The safety plan keeps a third vocabulary, draft / signed / superseded (safety.PlanStatus):
# a version is in force once both the participant and the clinician have signed it, and
# the portal tells the participant so in those words. Moving it onto VersionStatus means a
# data migration of its rows and partial unique indexes and new wording on its pages.


class SignedDocument(models.Model):
    """A document a signature covers. `signed_content()` is everything the signature
    covers, as a JSON-ready mapping; when the document is signed its digest goes into
    `content_hash` (lib.signing), and `hash_matches()` later says whether the stored content
    is still what was signed. Whether the hash is required, and when the row locks, each
    document says in its own constraints and `save`."""

    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True

    def signed_content(self) -> Mapping[str, Any]:
        raise NotImplementedError

    def compute_hash(self) -> str:
        return signing.digest(self.signed_content())

    def hash_matches(self) -> bool:
        return signing.digest_matches(self.signed_content(), self.content_hash)


def refuse_unknown_fields(changes: Mapping[str, Any], editable: Iterable[str]) -> None:
    """Refuse `changes` that name a field outside `editable` (a write function's whitelist)."""
    unknown = set(changes) - set(editable)
    if unknown:
        raise ValidationError(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")


def apply_changes(row: models.Model, changes: Mapping[str, Any]) -> list[str]:
    """Set on `row` each value of `changes` (a string stripped) that differs from what the row
    holds, and return those fields' names, in the order given; the caller validates and saves
    them (`save(update_fields=...)`)."""
    changed = []
    for name, value in changes.items():
        clean = value.strip() if isinstance(value, str) else value
        if getattr(row, name) != clean:
            setattr(row, name, clean)
            changed.append(name)
    return changed
