"""The participant's portal in the language they chose on their account (homework.models.
PortalLanguage); everyone else, and every staff page, in English."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from openiop.accounts.roles import Role
from openiop.homework.models import PortalLanguage


def language_of(request: HttpRequest) -> str:
    user = request.user
    if not user.is_authenticated or getattr(user, "role", "") != Role.PARTICIPANT:
        return "en"
    chosen = PortalLanguage.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or "en"


class PortalLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_of(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
