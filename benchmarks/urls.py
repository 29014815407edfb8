"""The product's URLs plus the floor pages (benchmarks/views.py)."""

from __future__ import annotations

from django.urls import path

from benchmarks import views
from openiop.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("bench/floor/", views.floor, name="bench_floor"),
    path("bench/floor-write/", views.floor_write, name="bench_floor_write"),
    *product_urlpatterns,
]
