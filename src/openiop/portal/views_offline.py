"""The portal as an installable app, and the safety plan readable without a network.

The service worker keeps exactly one page of the participant's records: their safety plan
(with the crisis lines on it), and only on a device where they chose to keep it (never on a
shared computer); plus our own stylesheet and scripts. Nothing else is cached. It is cleared
at sign-out and whenever the sign-in page opens (offline-plan.js)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from openiop.accounts.policy import public

CACHE_NAME = "openiop-safety-plan-v1"


@public
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """No participant data in the script itself; it is public so that the browser can check
    it for updates whether or not the session is still signed in."""
    context = {
        "cache_name": CACHE_NAME,
        "plan_url": reverse("portal:safety_plan"),
        "assets": [
            static("openiop/css/app.css"),
            static("openiop/js/offline-plan.js"),
            static("openiop/js/htmx.min.js"),
            static("openiop/js/diary-keep.js"),
        ],
    }
    response = render(request, "portal/sw.js", context, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("portal:home")
    return response


@public
@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(
        {
            "name": "OpenIOP",
            "short_name": "OpenIOP",
            "start_url": reverse("portal:home"),
            "scope": reverse("portal:home"),
            "display": "standalone",
            "background_color": "#f5f7fa",
            "theme_color": "#17304f",
            "icons": [
                {
                    "src": static("openiop/img/icon.svg"),
                    "sizes": "any",
                    "type": "image/svg+xml",
                    "purpose": "any",
                }
            ],
        },
        content_type="application/manifest+json",
    )
    return response
