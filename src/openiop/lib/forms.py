"""The project's form bases: every form of OpenIOP derives from `Form` or `ModelForm` here (a
test walks them), so every form refuses a NUL character with a clear message on the field, and
its view saves nothing.

A NUL (U+0000) never belongs in what a person types; PostgreSQL cannot store one in text (the
write would fail after the form said yes) and a NUL in a lookup raises instead of finding
nothing. Django's CharField already refuses it, but with a bare message, and choice, date and
custom fields report something unrelated or let it through to code that trips on it. Here the
raw value of each field is checked before any field cleans it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict

NUL = "\x00"
NUL_ERROR = (
    "This contains a NUL character (an invisible control character, usually pasted by "
    "mistake). Remove it and try again; nothing was saved."
)


def has_nul(value: Any) -> bool:
    """Whether a submitted value (a string, a file's name, or a list of them) holds a NUL."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    name = getattr(value, "name", None)
    return isinstance(name, str) and NUL in name


_F = TypeVar("_F", bound=forms.Field)

if TYPE_CHECKING:
    # What the mixin is mixed into, for the type checker; at run time it stays a plain mixin
    # (every concrete form still derives from Form or ModelForm below).
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class NulSafeMixin(_FormBase):
    """Refuses a NUL in any field's submitted value, before the field cleans it."""

    def field_of(self, name: str, kind: type[_F]) -> _F:
        """The field `name`, checked to be a `kind`: for narrowing a field in `__init__`
        (`self.field_of("room", forms.ModelChoiceField).queryset = ...`)."""
        field = self.fields[name]
        if not isinstance(field, kind):
            raise TypeError(f"{type(self).__name__}.{name} is a {type(field).__name__}")
        return field

    def full_clean(self) -> None:
        super().full_clean()
        form: Any = self
        if not form.is_bound:
            return
        for name, field in form.fields.items():
            if not self._submitted_nul(name, field):
                continue
            form.cleaned_data.pop(name, None)
            form._errors[name] = form.error_class([NUL_ERROR], renderer=form.renderer)

    def _submitted_nul(self, name: str, field: forms.Field) -> bool:
        form: Any = self
        key = form.add_prefix(name)
        widget_keys = [key]
        # Widgets that post several values (split date/time, multi-widgets) use suffixed keys.
        widget_keys += [f"{key}_{i}" for i in range(3)]
        for source in (form.data, form.files):
            for widget_key in widget_keys:
                if isinstance(source, MultiValueDict):
                    values = source.getlist(widget_key)
                else:
                    values = [source.get(widget_key)] if widget_key in source else []
                if has_nul(values):
                    return True
        return False


def text_area(
    label: str, *, rows: int, max_length: int, required: bool, help_text: str = ""
) -> forms.CharField:
    """A field for a few lines of free text: a box `rows` lines high that takes at most
    `max_length` characters."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class Form(NulSafeMixin, forms.Form):
    pass


class ModelForm(NulSafeMixin, forms.ModelForm):
    pass


# --- glue between forms and write functions -----------------------------------------------------
#
# Write functions validate and raise ValidationError; views show it. A view wraps the write in
# `with form_errors(form):` (the form re-renders with the messages) or, for a button that posts
# and redirects, `with message_errors(request):` (the messages are flashed). Code after the write
# inside the block runs only when it succeeded, so the success path reads straight down (and
# `write_page` below is this whole cycle for a page that only writes, flashes and redirects):
#
#     if request.method == "POST" and form.is_valid():
#         with form_errors(form):
#             note_sign(note=note, actor=request.user)
#             messages.success(request, "Signed.")
#             return redirect(note_url)
#     return render(request, "notes/sign.html", {"form": form})


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a write function's ValidationError on the form: each message on the field it names
    when the form has that field, otherwise above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.error_list)


def flash_errors(request: HttpRequest, error: ValidationError) -> None:
    """Show each message of a write function's ValidationError on the next page."""
    for message in error.messages:
        messages.error(request, message)


class _ErrorsShown(AbstractContextManager[None]):
    def __init__(self, show: Callable[[ValidationError], None]) -> None:
        self._show = show

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if not isinstance(error, ValidationError):
            return False
        self._show(error)
        return True


def form_errors(form: forms.BaseForm) -> AbstractContextManager[None]:
    """A block whose ValidationError is shown on `form` (see `apply_errors`) instead of raised;
    the rest of the block is skipped."""
    return _ErrorsShown(lambda error: apply_errors(form, error))


def message_errors(request: HttpRequest) -> AbstractContextManager[None]:
    """A block whose ValidationError is flashed as error messages (see `flash_errors`) instead
    of raised; the rest of the block is skipped."""
    return _ErrorsShown(lambda error: flash_errors(request, error))


def form_page(
    request: HttpRequest,
    template: str,
    form: forms.BaseForm,
    *,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    """The page that shows `form`, with the page's other context."""
    return render(request, template, {"form": form, **context}, status=status)


_T = TypeVar("_T")


def write_page(
    request: HttpRequest,
    template: str,
    form: forms.BaseForm,
    *,
    write: Callable[[dict[str, Any]], _T],
    success: str | Callable[[_T], str],
    done_url: str | Callable[[_T], str],
    **context: Any,
) -> HttpResponse:
    """A form page's GET/POST cycle: on a valid POST call `write` with the form's cleaned data
    (the write function, or a few lines around it); when it succeeds, flash `success` and
    redirect to `done_url` (either may be worked out from what `write` returned). Its
    ValidationError shows on the form (`form_errors`) and the page renders again, nothing
    saved; so does an invalid form or a GET (`form_page` with `context`)."""
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            result = write(form.cleaned_data)
            messages.success(request, success if isinstance(success, str) else success(result))
            return redirect(done_url if isinstance(done_url, str) else done_url(result))
    return form_page(request, template, form, **context)
