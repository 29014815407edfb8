"""The glue between write functions and views (openiop.lib.forms): a write function's
ValidationError lands on the form's fields it names, or above the form, or in the flashed
messages; the rest of the block is skipped and nothing else is caught."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import ERROR
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from openiop.lib.forms import Form, apply_errors, form_errors, message_errors


class NameForm(Form):
    name = forms.CharField()


def _valid_form() -> NameForm:
    form = NameForm({"name": "Robin"})
    assert form.is_valid()
    return form


def test_a_field_error_lands_on_its_field() -> None:
    form = _valid_form()
    apply_errors(form, ValidationError({"name": "Taken."}))
    assert form.errors == {"name": ["Taken."]}
    assert "name" not in form.cleaned_data


def test_an_error_for_a_field_the_form_lacks_goes_above_the_form() -> None:
    form = _valid_form()
    apply_errors(form, ValidationError({"colour": "Not blue.", "name": ["Taken.", "Too long."]}))
    assert form.non_field_errors() == ["Not blue."]
    assert form.errors["name"] == ["Taken.", "Too long."]


def test_a_plain_error_goes_above_the_form_one_message_each_with_its_code() -> None:
    form = _valid_form()
    apply_errors(form, ValidationError([ValidationError("One.", code="one"), "Two."]))
    assert form.non_field_errors() == ["One.", "Two."]
    assert form.has_error(forms.forms.NON_FIELD_ERRORS, code="one")


def test_form_errors_shows_the_error_and_skips_the_rest_of_the_block() -> None:
    form = _valid_form()
    reached: list[str] = []
    with form_errors(form):
        raise ValidationError("Refused.")
        reached.append("after")  # pragma: no cover
    assert reached == []
    assert form.non_field_errors() == ["Refused."]


def test_form_errors_runs_the_whole_block_when_nothing_is_refused() -> None:
    form = _valid_form()
    reached: list[str] = []
    with form_errors(form):
        reached.append("after")
    assert reached == ["after"]
    assert form.errors == {}


def test_form_errors_lets_other_exceptions_through() -> None:
    form = _valid_form()
    with pytest.raises(ValueError, match="bug"), form_errors(form):
        raise ValueError("bug")
    assert form.errors == {}


def test_message_errors_flashes_each_message() -> None:
    request = RequestFactory().post("/")
    storage = CookieStorage(request)
    request._messages = storage  # type: ignore[attr-defined]
    with message_errors(request):
        raise ValidationError({"name": ["Taken."], "__all__": ["Closed."]})
    assert sorted((m.level, m.message) for m in storage) == [(ERROR, "Closed."), (ERROR, "Taken.")]
