"""The quick check: a few census-sized staff pages at several census sizes, through Django's
test client, on SQLite or PostgreSQL. No server and no cached census, so it runs anywhere in a
minute or two; the figures that count come from census.py (./run bench).

Run with ./run bench quick. Uses a fresh test database (SQLite file or the PostgreSQL named by
DATABASE_URL, prefixed test_), so it never touches real data.
"""

# mypy: disable-error-code="arg-type,misc"
# (factory_boy returns factories where it builds models, as in tests/.)
from __future__ import annotations

import os
import statistics
import sys
import time
import tracemalloc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiop.settings")
os.environ.setdefault("OPENIOP_TESTING", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "50,500,2000").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))


def main() -> int:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.utils import timezone
        from tests import factories as f
        from tests.conftest import verified_client

        from openiop.accounts.roles import Role
        from openiop.participants.models import (
            CareTeamRole,
            DischargeKind,
            Episode,
            EpisodeStatus,
        )

        program = f.ProgramFactory(name="Bench IOP")
        track = f.TrackFactory(program=program)
        clinician = f.UserFactory(
            organization=program.organization, role=Role.CLINICIAN, programs=[program]
        )
        client = verified_client(clinician)
        made = 0
        header = f"{'census':>7} {'page':<18} {'median ms':>10} {'p95 ms':>8} {'queries':>8}"
        print(f"{header} {'peak KiB':>9}")
        for size in SIZES:
            for number in range(made, size):
                # One in four has been discharged: the outcomes page aggregates over them.
                discharged = number % 4 == 3
                episode = f.EpisodeFactory(
                    participant=f.ParticipantFactory(organization=program.organization),
                    program=program,
                    track=track,
                    primary_clinician=clinician,
                    status=EpisodeStatus.DISCHARGED if discharged else EpisodeStatus.ACTIVE,
                    discharged_on=timezone.localdate() if discharged else None,
                    discharge_kind=DischargeKind.COMPLETED if discharged else "",
                )
                f.CareTeamMemberFactory(episode=episode, user=clinician, role=CareTeamRole.PRIMARY)
            made = size
            if connection.vendor == "postgresql":
                # A running server's autovacuum keeps planner statistics; freshly filled
                # tables have none, which would measure plans no clinic ever gets.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            one = (
                Episode.objects.filter(program=program, status=EpisodeStatus.ACTIVE)
                .latest("pk")
                .participant
            )
            pages = {
                "home": "/",
                "participant list": "/participants/",
                "search": "/participants/?q=Alex1",
                "chart": f"/participants/{one.public_id}/",
                "outcomes": "/discharge/outcomes/",
            }
            for label, url in pages.items():
                times = []
                with CaptureQueriesContext(connection) as ctx:
                    client.get(url)
                queries = len(ctx.captured_queries)
                for _ in range(REPEAT):
                    start = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, (url, response.status_code)
                # Memory in its own pass: tracemalloc slows the interpreter several-fold.
                tracemalloc.start()
                client.get(url)
                peak = tracemalloc.get_traced_memory()[1] / 1024
                tracemalloc.stop()
                p95 = sorted(times)[int(len(times) * 0.95) - 1]
                print(
                    f"{size:>7} {label:<18} {statistics.median(times):>10.1f} {p95:>8.1f}"
                    f" {queries:>8} {peak:>9.0f}"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    sys.exit(main())
