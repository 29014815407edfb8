"""The census benchmark: pages and writes at a real census, served as in production.

    python -m benchmarks.census run [--sizes 100,1000] [--requests 50] [--clients 2]
    python -m benchmarks.census profile PAGE [PAGE ...] [--size 1000] [--repeat 20]
    python -m benchmarks.census seed --size 1000 [--reseed]
    python -m benchmarks.census pages

(`./run bench ...` runs these with the project's virtual environment.) See README.md beside
this file for what it measures and how to read the figures.

For each census size it
1. keeps a seeded PostgreSQL database `<base>_seed_<size>` (benchmarks/seed.py; rebuilt only
   when seed.py changes or --reseed asks) and copies it to `<base>_run_<size>` for the run, so
   every run starts from the same rows whatever the last one wrote;
2. serves the copy with `openiop serve` (gunicorn, 2 workers) under benchmarks/settings.py, which
   adds the floor pages and pins the clock to the census's "today";
3. from this process, counts each page's queries once, then times every page and the floors with
   a fixed number of concurrent clients and requests, interleaved in a fixed random order so a
   busy machine slows floor and pages alike;
4. times the writes against the one-row POST floor the same way;
5. with the server stopped, times the program outcomes computation against one SQL aggregate
   over the same rows.

Adding a page is one line in PAGES; its path may use the placeholders of Targets.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from benchmarks.clock import BENCH_NOW, TIME_ZONE, fingerprint

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
# One key for the whole run: the sessions made by `prepare` must be readable by the server.
SECRET_KEY = os.environ.get("OPENIOP_SECRET_KEY") or secrets.token_urlsafe(50)


# --- what is measured ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One GET page: a name for the table, a path (placeholders from Targets), the user whose
    session requests it, and the floor its time is divided by."""

    name: str
    path: str
    user: str = "clinician"
    floor: str = "floor"


@dataclass(frozen=True)
class Floor:
    name: str
    user: str


# The bare page behind the same middleware, once for staff (MFA-verified session) and once for
# a participant: a page's ratio is taken against the floor of its own kind of user.
FLOORS = (Floor("floor", "clinician"), Floor("floor (portal)", "reader"))
FLOOR_NAMES = {f.name for f in FLOORS}

# Every page whose size can grow with the census. One line each; later issues add theirs.
PAGES: tuple[Page, ...] = (
    Page("staff home", "/"),
    Page("staff home (director)", "/", user="director"),
    Page("participant list", "/participants/"),
    Page("participant search", "/participants/?q={search}"),
    Page("chart", "/participants/{participant}/"),
    Page("diary review", "/diary/participants/{participant}/"),
    Page("group session", "/schedule/sessions/{group_session}/"),
    Page("attendance", "/schedule/sessions/{group_session}/attendance/"),
    Page("outcomes 365d", "/discharge/outcomes/?days=365"),
    Page("outcomes 730d", "/discharge/outcomes/?days=730"),
    Page("alerts", "/safety/alerts/"),
    Page("coaching log", "/safety/coaching/"),
    Page("intake board", "/intake/"),
    Page("my week", "/schedule/week/"),
    Page("track week", "/schedule/week/track/{track}/"),
    Page("series", "/schedule/series/", user="director"),
    Page("overdue notes", "/notes/overdue/", user="director"),
    Page("program", "/programs/{program}/", user="director"),
    Page("audit log", "/audit/", user="administrator"),
    Page("participant audit", "/audit/participant/{participant}/", user="administrator"),
    Page("portal home", "/me/", user="reader", floor="floor (portal)"),
    Page("portal diary", "/me/diary/", user="reader", floor="floor (portal)"),
    Page("portal week", "/me/week/", user="reader", floor="floor (portal)"),
    Page("portal check-in", "/me/check-ins/{checkin}/q/1/", user="reader", floor="floor (portal)"),
)

# Who requests what: benchmarks/seed.py makes these accounts.
USERS = {
    "clinician": "clinician@bench.example.org",
    "director": "director@bench.example.org",
    "administrator": "admin@bench.example.org",
    "billing": "billing@bench.example.org",
    "reader": "portal0@bench.example.org",
}

WRITE_FLOOR = "one-row POST (floor)"
WRITES = ("diary card", "check-in answer")

# Targets of issue 17, point 2.
TARGET_RATIO = 5.0
TARGET_GROWTH = 1.5
TARGET_WRITE_PCT = 50.0
TARGET_OUTCOMES = 2.0


@dataclass
class Writer:
    session: str
    days: list[str]
    checkin: str


@dataclass
class Targets:
    """What the paths and writes point at, found in the run database by `prepare`."""

    participant: str
    group_session: str
    track: str
    program: str
    checkin: str
    search: str
    csrf: str
    sessions: dict[str, str]
    writers: list[Writer] = field(default_factory=list)

    def path(self, page: Page) -> str:
        return page.path.format(**asdict(self))


# --- databases ----------------------------------------------------------------------------------


def base_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")


def db_url(name: str) -> str:
    parts = urlsplit(base_url())
    return parts._replace(path=f"/{name}").geturl()


def db_name(kind: str, size: int) -> str:
    return f"{urlsplit(base_url()).path.lstrip('/') or 'bench'}_{kind}_{size}"


def _admin(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    parts = urlsplit(base_url())
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _exists(name: str) -> bool:
    return bool(_admin("SELECT 1 FROM pg_database WHERE datname = %s", [name]))


def _drop(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fingerprint_of(name: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(db_url(name), autocommit=True) as conn:
            row = conn.execute("SELECT value FROM bench_meta WHERE key = 'fingerprint'").fetchone()
    except psycopg.Error:
        return None
    return row[0] if row else None


def ensure_seeded(size: int, *, reseed: bool = False) -> str:
    """The seeded database for `size`, rebuilt when seed.py changed or when asked."""
    name = db_name("seed", size)
    wanted = f"{fingerprint()}:{size}"
    if not reseed and _exists(name) and _fingerprint_of(name) == wanted:
        print(f"  census {size}: cached in {name}")
        return name
    print(f"  census {size}: seeding {name} (seed.py changed, first run, or --reseed)")
    _drop(name)
    _admin(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    _django("_seed", "--size", str(size), database=name, seeding=True)
    print(f"  census {size}: seeded in {time.perf_counter() - started:.0f} s")
    return name


def copy_for_run(size: int, seeded: str) -> str:
    name = db_name("run", size)
    _drop(name)
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{seeded}" STRATEGY FILE_COPY')
    return name


# --- the Django side (run in child processes against one database) -----------------------------


def _env(database: str, *, seeding: bool = False) -> dict[str, str]:
    now = BENCH_NOW - timedelta(hours=3) if seeding else BENCH_NOW
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        DATABASE_URL=db_url(database),
        OPENIOP_SECRET_KEY=SECRET_KEY,
        OPENIOP_BENCH_NOW=now.isoformat(),
        OPENIOP_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    env.pop("OPENIOP_TESTING", None)
    return env


def _django(*args: str, database: str, seeding: bool = False) -> str:
    result = subprocess.run(  # noqa: S603 — our own module, fixed arguments
        [PYTHON, "-m", "benchmarks.census", *args],
        env=_env(database, seeding=seeding),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return result.stdout


def _setup() -> None:
    import django

    django.setup()


def _cmd_seed(size: int) -> None:
    """Child: migrate the empty database, build the census, analyse it like a running server's
    autovacuum would have."""
    _setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.seed import ensure_floor_table, seed_census

    mark = f"{fingerprint()}:{size}"  # of the code that runs, read before it runs
    call_command("migrate", verbosity=0)
    seed_census(active=size, progress=lambda m: print(f"    {m}", file=sys.stderr, flush=True))
    ensure_floor_table()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        cursor.execute("INSERT INTO bench_meta VALUES ('fingerprint', %s)", [mark])
        cursor.execute("VACUUM ANALYZE")


def _session_for(user: Any) -> str:
    """A signed-in session made the way the sign-in view makes one (auth.login with its
    signals, which remember the program's time zone; django_otp.login for staff), without
    typing a password or a code."""
    from django.contrib.auth import login
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1")
    request.session = SessionStore()
    request.user = AnonymousUser()  # login() replaces it; django_otp.login reads it
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if user.is_staff_member:
        otp_login(request, TOTPDevice.objects.get(user=user, confirmed=True))
    request.session.save()
    key = request.session.session_key
    assert key is not None
    return key


def _targets() -> Targets:
    """Child (Django set up): signed-in sessions and the objects the pages point at."""
    from django.utils import timezone

    from benchmarks.seed import SEARCH_WORD
    from openiop.accounts.models import User
    from openiop.diary.services import fillable_days
    from openiop.measures.models import Administration, AdministrationStatus
    from openiop.participants.models import EpisodeStatus, Participant
    from openiop.programs.models import Program, SessionCategory, Track
    from openiop.scheduling.hours import local_midnight

    users = {name: User.objects.get(email=email) for name, email in USERS.items()}
    reader = Participant.objects.get(user=users["reader"])
    program = Program.objects.get(name="Bench IOP")
    track = Track.objects.filter(program=program).order_by("pk").first()
    assert track is not None
    today = timezone.localtime(timezone.now(), timezone=_zone(TIME_ZONE)).date()
    group = (
        track.sessions.filter(
            session_type__category=SessionCategory.SKILLS_GROUP,
            starts_at__gte=local_midnight(today, TIME_ZONE),
            starts_at__lt=timezone.now(),
        )
        .order_by("starts_at")
        .first()
    )
    if group is None:  # a track that does not meet today: its latest skills group
        group = track.sessions.filter(
            session_type__category=SessionCategory.SKILLS_GROUP, starts_at__lt=timezone.now()
        ).latest("starts_at")

    def due_phq9(participant: Participant) -> str:
        row = Administration.objects.filter(
            participant=participant, status=AdministrationStatus.DUE, instrument_code="PHQ-9"
        ).latest("due_at")
        return str(row.public_id)

    writers = []
    for user in User.objects.filter(
        email__startswith="portal", email__endswith="@bench.example.org"
    ).exclude(pk=users["reader"].pk):
        participant = Participant.objects.get(user=user)
        episode = participant.episodes.get(status=EpisodeStatus.ACTIVE)
        writers.append(
            Writer(
                session=_session_for(user),
                days=[d.isoformat() for d in fillable_days(episode)],
                checkin=due_phq9(participant),
            )
        )
    return Targets(
        participant=str(reader.public_id),
        group_session=str(group.public_id),
        track=str(track.public_id),
        program=str(program.public_id),
        checkin=due_phq9(reader),
        search=SEARCH_WORD,
        csrf=secrets.token_hex(16),  # 32 characters, like Django's own secret
        sessions={name: _session_for(user) for name, user in users.items()},
        writers=writers,
    )


def _zone(name: str) -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def _cmd_prepare() -> None:
    _setup()
    print(json.dumps(asdict(_targets())))


def _cmd_outcomes(repeat: int) -> None:
    """Child: the program outcomes computation against one SQL aggregate over the rows it
    reads (final scored responses of the program's episodes discharged in the period, with
    their check-in's phase), for 365 and 730 days."""
    _setup()
    from django.db import connection
    from django.utils import timezone

    from openiop.accounts.models import User
    from openiop.discharge.selectors import program_outcomes
    from openiop.measures.models import Administration, Response
    from openiop.participants.models import Episode
    from openiop.programs.models import Program

    user = User.objects.get(email=USERS["clinician"])
    program = Program.objects.get(name="Bench IOP")
    today = timezone.localtime(timezone.now(), timezone=_zone(TIME_ZONE)).date()
    sql = (
        f"SELECT r.instrument_code, a.phase, count(*), avg(r.total) "  # noqa: S608 — table names
        f"FROM {Response._meta.db_table} r "
        f"JOIN {Episode._meta.db_table} e ON e.id = r.episode_id "
        f"LEFT JOIN {Administration._meta.db_table} a ON a.id = r.administration_id "
        f"WHERE e.program_id = %s AND e.status = 'discharged' AND e.discharged_on >= %s "
        f"AND r.status = 'final' AND r.total IS NOT NULL "
        f"GROUP BY r.instrument_code, a.phase"
    )
    results = {}
    for days in (365, 730):
        since = today - timedelta(days=days)

        def computation(since: date = since) -> None:
            program_outcomes(user, since=since)

        def aggregate(since: date = since) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, [program.pk, since])
                cursor.fetchall()

        rows = Response.objects.filter(
            episode__program=program,
            episode__status="discharged",
            episode__discharged_on__gte=since,
            status="final",
            total__isnull=False,
        ).count()
        slow = _median_ms(computation, repeat)
        fast = _median_ms(aggregate, repeat)
        results[f"{days}d"] = {
            "rows": rows,
            "computation_ms": slow,
            "aggregate_ms": fast,
            "ratio": slow / fast if fast else None,
        }
    print(json.dumps(results))


def _median_ms(work: Callable[[], None], repeat: int) -> float:
    work()  # warm: caches, plans
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# --- the server ---------------------------------------------------------------------------------


class Server:
    def __init__(self, database: str, port: int, workers: int, log: Path) -> None:
        self.port = port
        self.log = log
        command = [
            str(Path(PYTHON).with_name("openiop")),
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ]
        log.parent.mkdir(parents=True, exist_ok=True)
        self.out = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 — our own command
            command,
            # No control socket: its default path is shared by every gunicorn on the machine.
            env={**_env(database), "GUNICORN_CMD_ARGS": "--no-control-socket"},
            cwd=ROOT,
            stdout=self.out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, cookie: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The server stopped; see {self.log}")
            try:
                status, _, _ = request(self.port, "GET", "/bench/floor/", cookie=cookie)
            except OSError:
                time.sleep(0.5)
                continue
            if status == 200:
                return
            raise RuntimeError(f"The floor page answered {status}; see {self.log}")
        raise RuntimeError(f"The server did not answer within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.out.close()


# --- the load -----------------------------------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    *,
    cookie: str,
    body: dict[str, str] | None = None,
    csrf: str = "",
    count: bool = False,
) -> tuple[int, dict[str, str], float]:
    """One request on a fresh connection (gunicorn's sync workers close each one). Returns the
    status, the headers and the milliseconds until the whole body was read."""
    headers = {"Cookie": cookie, "Host": f"127.0.0.1:{port}"}
    data = None
    if body is not None:
        data = urlencode({**body, "csrfmiddlewaretoken": csrf})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if count:
        headers["X-Bench-Count"] = "1"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        started = time.perf_counter()
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        return response.status, {k.lower(): v for k, v in response.getheaders()}, elapsed
    finally:
        connection.close()


@dataclass
class Job:
    label: str
    method: str
    path: str
    cookie: str
    expect: int
    body: dict[str, str] | None = None


@dataclass
class Timing:
    samples: list[float] = field(default_factory=list)  # wall ms, as the client saw it
    cpu: list[float] = field(default_factory=list)  # the worker's CPU ms (server side)
    errors: list[str] = field(default_factory=list)

    def cpu_p50(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")

    def p(self, q: float) -> float:
        ordered = sorted(self.samples)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def drive(jobs: list[Job], *, port: int, clients: int, csrf: str) -> dict[str, Timing]:
    """Run the jobs with `clients` concurrent clients, each taking the next job when done."""
    timings: dict[str, Timing] = defaultdict(Timing)
    lock = threading.Lock()
    queue = list(reversed(jobs))

    def client() -> None:
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            try:
                status, headers, ms = request(
                    port, job.method, job.path, cookie=job.cookie, body=job.body, csrf=csrf
                )
            except OSError as error:
                with lock:
                    timings[job.label].errors.append(str(error))
                continue
            with lock:
                if status == job.expect:
                    timings[job.label].samples.append(ms)
                    if "x-bench-cpu-us" in headers:
                        timings[job.label].cpu.append(int(headers["x-bench-cpu-us"]) / 1000)
                else:
                    where = headers.get("location", "")
                    timings[job.label].errors.append(f"{status} {where}".strip())

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def _cookie(session: str, csrf: str) -> str:
    return f"sessionid={session}; csrftoken={csrf}"


def _write_jobs(targets: Targets, requests: int, warm: int) -> tuple[list[Job], list[Job]]:
    """Diary cards (each request a different writer and free day), check-in answers (writers'
    PHQ-9, question 1) and the one-row POST floor, for the warm-up and the timed pass."""
    slots = [(w, day) for n in range(8) for w in targets.writers for day in w.days[n : n + 1]]
    need = warm + requests
    if len(slots) < need:
        raise SystemExit(f"Only {len(slots)} free diary days for {need} writes: fewer --requests")
    jobs = []
    for n in range(need):
        writer, day = slots[n]
        cookie = _cookie(writer.session, targets.csrf)
        jobs.append(
            Job(
                "diary card",
                "POST",
                "/me/diary/",
                cookie,
                302,
                {
                    "day": day,
                    "urge_suicide": "0",
                    "urge_self_harm": str(n % 3),
                    "urge_substance": "1",
                    "action_self_harm": "no",
                    "action_substance": "no",
                    "medication": "taken",
                    "emotion_sadness": "2",
                    "emotion_joy": "3",
                    "skill_mindfulness": "5",
                    "note": "",
                },
            )
        )
        checker = targets.writers[n % len(targets.writers)]
        jobs.append(
            Job(
                "check-in answer",
                "POST",
                f"/me/check-ins/{checker.checkin}/q/1/",
                _cookie(checker.session, targets.csrf),
                302,
                {"answer": str(n % 4)},
            )
        )
        jobs.append(Job(WRITE_FLOOR, "POST", "/bench/floor-write/", cookie, 302, {"note": "floor"}))
    per = 3
    return jobs[: warm * per], jobs[warm * per :]


# --- one census size ----------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    queries: int | None
    p50: float
    p95: float
    n: int
    errors: list[str]
    floor: str = ""
    ratio: float | None = None
    cpu: float | None = None  # median worker CPU ms
    cpu_ratio: float | None = None  # ... divided by the floor's


def _load() -> float:
    return os.getloadavg()[0]


@dataclass
class SizeResult:
    size: int
    discharged: int
    pages: list[Row]
    writes: list[Row]
    outcomes: dict[str, Any]
    load: list[float] = field(default_factory=list)  # 1-minute load average: start, end


def measure_size(size: int, args: argparse.Namespace) -> SizeResult:
    seeded = ensure_seeded(size, reseed=args.reseed)
    database = copy_for_run(size, seeded)
    print(f"  census {size}: running on {database}")
    found = json.loads(_django("_prepare", database=database))
    writers = [Writer(**w) for w in found.pop("writers", [])]
    targets = Targets(**found, writers=writers)
    cookies = {name: _cookie(key, targets.csrf) for name, key in targets.sessions.items()}
    server = Server(database, args.port, args.workers, OUT / f"server-{size}.log")
    try:
        server.wait_ready(cookies["clinician"])
        pages = [*(Page(f.name, "/bench/floor/", f.user, f.name) for f in FLOORS), *PAGES]
        chosen = [p for p in pages if not args.only or p.name in args.only or p.name in FLOOR_NAMES]
        queries: dict[str, int | None] = {}
        for page in chosen:
            status, headers, _ = request(
                args.port, "GET", targets.path(page), cookie=cookies[page.user], count=True
            )
            if status != 200:
                raise RuntimeError(f"{page.name} answered {status} {headers.get('location', '')}")
            queries[page.name] = int(headers.get("x-bench-queries", "0"))

        def jobs(times: int) -> list[Job]:
            return [
                Job(p.name, "GET", targets.path(p), cookies[p.user], 200)
                for p in chosen
                for _ in range(times)
            ]

        drive(jobs(2), port=args.port, clients=1, csrf=targets.csrf)  # warm every worker
        timed = jobs(args.requests)
        random.Random(size).shuffle(timed)
        load = [_load()]
        started = time.perf_counter()
        got = drive(timed, port=args.port, clients=args.clients, csrf=targets.csrf)
        print(f"  census {size}: pages timed in {time.perf_counter() - started:.0f} s")
        floors = {f.name: got[f.name] for f in FLOORS}
        rows = []
        for page in chosen:
            timing, floor = got[page.name], floors[page.floor]
            rows.append(
                Row(
                    page.name,
                    queries[page.name],
                    timing.p(0.5),
                    timing.p(0.95),
                    len(timing.samples),
                    timing.errors[:3],
                    page.floor,
                    timing.p(0.95) / floor.p(0.95),
                    timing.cpu_p50(),
                    timing.cpu_p50() / floor.cpu_p50(),
                )
            )
        warm, timed = _write_jobs(targets, args.write_requests, 2)
        drive(warm, port=args.port, clients=1, csrf=targets.csrf)
        random.Random(size + 1).shuffle(timed)
        got = drive(timed, port=args.port, clients=args.clients, csrf=targets.csrf)
        load.append(_load())
        floor_p50 = got[WRITE_FLOOR].p(0.5)
        writes = []
        for name in (WRITE_FLOOR, *WRITES):
            timing = got[name]
            writes.append(
                Row(
                    name,
                    None,
                    timing.p(0.5),
                    timing.p(0.95),
                    len(timing.samples),
                    timing.errors[:3],
                    WRITE_FLOOR,
                    100 * floor_p50 / timing.p(0.5) if timing.samples else None,
                    timing.cpu_p50(),
                    100 * got[WRITE_FLOOR].cpu_p50() / timing.cpu_p50() if timing.cpu else None,
                )
            )
    finally:
        server.stop()
    repeat = str(args.outcome_repeat)
    outcomes = json.loads(_django("_outcomes", "--repeat", repeat, database=database))
    discharged = int(_django("_count_discharged", database=database))
    if not args.keep:
        _drop(database)
    return SizeResult(size, discharged, rows, writes, outcomes, load)


def _cmd_count_discharged() -> None:
    _setup()
    from openiop.participants.models import Episode, EpisodeStatus

    print(Episode.objects.filter(status=EpisodeStatus.DISCHARGED).count())


# --- reporting ----------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None or value != value else f"{value:.{digits}f}"


def report(results: list[SizeResult], args: argparse.Namespace) -> str:
    lines = []
    for result in results:
        lines.append(
            f"\nCensus {result.size} active, {result.discharged} discharged episodes"
            f" ({args.workers} gunicorn workers, {args.clients} clients,"
            f" {args.requests} requests a page; load average {_fmt(result.load[0])}"
            f" -> {_fmt(result.load[-1])} on {os.cpu_count()} cores)"
        )
        lines.append(
            f"{'page':<24} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'p95/floor':>9}"
            f" {'cpu ms':>7} {'cpu/floor':>9}"
        )
        for row in result.pages:
            flag = "" if not row.errors else f"  {len(row.errors)}+ errors: {row.errors[0]}"
            ratio = "" if row.name in FLOOR_NAMES else _fmt(row.ratio)
            cpu_ratio = "" if row.name in FLOOR_NAMES else _fmt(row.cpu_ratio)
            lines.append(
                f"{row.name:<24} {row.queries if row.queries is not None else '-':>7}"
                f" {_fmt(row.p50):>8} {_fmt(row.p95):>8} {ratio:>9}"
                f" {_fmt(row.cpu):>7} {cpu_ratio:>9}{flag}"
            )
        lines.append(
            f"{'write':<24} {'':>7} {'p50 ms':>8} {'p95 ms':>8} {'% floor':>9}"
            f" {'cpu ms':>7} {'% floor':>9}"
        )
        for row in result.writes:
            flag = "" if not row.errors else f"  {len(row.errors)}+ errors: {row.errors[0]}"
            pct = "" if row.name == WRITE_FLOOR else f"{_fmt(row.ratio, 0)}%"
            cpu_pct = "" if row.name == WRITE_FLOOR else f"{_fmt(row.cpu_ratio, 0)}%"
            lines.append(
                f"{row.name:<24} {'':>7} {_fmt(row.p50):>8} {_fmt(row.p95):>8} {pct:>9}"
                f" {_fmt(row.cpu):>7} {cpu_pct:>9}{flag}"
            )
        for period, o in result.outcomes.items():
            lines.append(
                f"outcomes computation {period}: {_fmt(o['computation_ms'])} ms vs one SQL"
                f" aggregate {_fmt(o['aggregate_ms'])} ms over {o['rows']} score rows:"
                f" {_fmt(o['ratio'])}x"
            )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        lines.append(
            f"\nRatios side by side (target: p95/floor <= {TARGET_RATIO:g} at {large.size},"
            f" growth {small.size}->{large.size} <= {TARGET_GROWTH:g}x)"
        )
        lines.append(
            f"{'page':<24} {f'at {small.size}':>8} {f'at {large.size}':>8} {'growth':>7}"
            f" {'cpu growth':>10}  misses"
        )
        before = {r.name: r for r in small.pages}
        for row in large.pages:
            if row.name in FLOOR_NAMES:
                continue
            first = before.get(row.name)
            growth = row.ratio / first.ratio if first and first.ratio and row.ratio else None
            cpu_growth = (
                row.cpu_ratio / first.cpu_ratio
                if first and first.cpu_ratio and row.cpu_ratio
                else None
            )
            misses = []
            if row.ratio is not None and row.ratio > TARGET_RATIO:
                misses.append("ratio")
            if growth is not None and growth > TARGET_GROWTH:
                misses.append("growth")
            lines.append(
                f"{row.name:<24} {_fmt(first.ratio if first else None):>8} {_fmt(row.ratio):>8}"
                f" {_fmt(growth, 2):>7} {_fmt(cpu_growth, 2):>10}  {', '.join(misses)}"
            )
    return "\n".join(lines)


def misses(results: list[dict[str, Any]]) -> list[str]:
    """Page names that miss a target in saved results (the largest size against the smallest)."""
    small, large = results[0], results[-1]
    before = {r["name"]: r for r in small["pages"]}
    out = []
    for row in large["pages"]:
        if row["name"] in FLOOR_NAMES or row["ratio"] is None:
            continue
        first = before.get(row["name"])
        growth = row["ratio"] / first["ratio"] if first and first["ratio"] else None
        if row["ratio"] > TARGET_RATIO or (growth is not None and growth > TARGET_GROWTH):
            out.append(row["name"])
    return out


def markdown(saved: dict[str, Any]) -> str:
    """The saved run as Markdown tables, for RESULTS.md or an issue's closing note."""
    results = saved["results"]
    sizes = [r["size"] for r in results]
    rows: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for result in results:
        for row in result["pages"]:
            rows[row["name"]][result["size"]] = row
    head = ["page"]
    for size in sizes:
        head += [f"queries {size}", f"p50 / p95 ms {size}", f"p95 ÷ floor {size}"]
    head += [f"cpu ÷ floor {size}" for size in sizes]
    if len(sizes) > 1:
        head += ["growth", "cpu growth"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, by_size in rows.items():
        floor = name in FLOOR_NAMES
        cells = [name]
        for size in sizes:
            row = by_size.get(size)
            if row is None:
                cells += ["", "", ""]
                continue
            cells += [
                str(row["queries"]),
                f"{_fmt(row['p50'])} / {_fmt(row['p95'])}",
                "1" if floor else _fmt(row["ratio"]),
            ]
        for size in sizes:
            row = by_size.get(size)
            cells.append("1" if floor else _fmt(row["cpu_ratio"] if row else None))
        if len(sizes) > 1:
            first, last = by_size.get(sizes[0]), by_size.get(sizes[-1])
            for key in ("ratio", "cpu_ratio"):
                if first and last and first[key] and last[key] and not floor:
                    cells.append(_fmt(last[key] / first[key], 2))
                else:
                    cells.append("")
        out.append("| " + " | ".join(cells) + " |")
    out += [
        "",
        "| write | " + " | ".join(f"p50 / p95 ms {s} | % of floor {s}" for s in sizes) + " |",
    ]
    out.append("|" + "---|" * (1 + 2 * len(sizes)))
    names = [w["name"] for w in results[0]["writes"]]
    for name in names:
        cells = [name]
        for result in results:
            row = next(w for w in result["writes"] if w["name"] == name)
            pct = "100%" if name == WRITE_FLOOR else f"{_fmt(row['ratio'], 0)}%"
            cells += [f"{_fmt(row['p50'])} / {_fmt(row['p95'])}", pct]
        out.append("| " + " | ".join(cells) + " |")
    out += [
        "",
        "| outcomes | " + " | ".join(f"{s}: computation / SQL aggregate" for s in sizes) + " |",
    ]
    out.append("|" + "---|" * (1 + len(sizes)))
    for period in ("365d", "730d"):
        cells = [period]
        for result in results:
            o = result["outcomes"][period]
            cells.append(
                f"{_fmt(o['computation_ms'])} / {_fmt(o['aggregate_ms'])} ms"
                f" = **{_fmt(o['ratio'])}x** ({o['rows']} rows)"
            )
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


# --- profiling ----------------------------------------------------------------------------------


def _cmd_profile(names: list[str], repeat: int, size: int) -> None:
    """Child: request each page `repeat` times in-process through the whole middleware stack
    (Django's test client on the run database), under pyinstrument."""
    _setup()
    from django.test import Client
    from pyinstrument import Profiler

    targets = _targets()
    by_name = {p.name: p for p in PAGES}
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        page = by_name[name]
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = targets.sessions[page.user]
        path = targets.path(page)
        for _ in range(2):
            response = client.get(path)
            assert response.status_code == 200, (name, response.status_code)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(repeat):
            client.get(path)
        profiler.stop()
        slug = "".join(c if c.isalnum() else "-" for c in name).strip("-")
        stem = OUT / f"profile-{slug}-{size}"
        stem.with_suffix(".html").write_text(profiler.output_html())
        session = profiler.last_session
        assert session is not None
        text = profiler.output_text(unicode=False, color=False, show_all=False)
        top = _top(session.root_frame(), repeat)
        stem.with_suffix(".txt").write_text(top + "\n\n" + text)
        print(f"== {name} at {size} ({repeat} requests; {stem}.html)\n{top}\n", flush=True)


def _top(root: Any, repeat: int, count: int = 10) -> str:
    """Two lists: where the time is spent (self time by function, all code) and which of our
    own functions it is spent under (inclusive time, each function once per stack)."""
    if root is None:
        return "(no samples)"
    total = root.time or 1.0
    own: dict[str, float] = defaultdict(float)
    ours: dict[str, float] = defaultdict(float)
    # Shares of the whole, each counted at its outermost frame: rendering templates, and
    # executing SQL (sending it and waiting for PostgreSQL; reading rows into models is not in).
    kinds = {
        "template rendering": ("django/template/base.py", ("render",)),
        "SQL execution": ("django/db/backends/utils.py", ("execute", "executemany")),
    }
    shares: dict[str, float] = defaultdict(float)

    def label(frame: Any) -> str:
        path = frame.file_path_short or frame.file_path or ""
        return f"{frame.function} ({path}:{frame.line_no})"

    def walk(frame: Any, seen: frozenset[str]) -> None:
        if frame.is_synthetic:
            return
        name = label(frame)
        own[name] += frame.total_self_time
        path = frame.file_path or ""
        for kind, (suffix, functions) in kinds.items():
            if kind not in seen and path.endswith(suffix) and frame.function in functions:
                shares[kind] += frame.time
                seen = seen | {kind}
        if "/openiop/" in path and "/site-packages/" not in path and name not in seen:
            ours[name] += frame.time
            seen = seen | {name}
        for child in frame.children:
            walk(child, seen)

    walk(root, frozenset())
    lines = [
        f"per request {1000 * total / repeat:.1f} ms (sampled); "
        + ", ".join(f"{kind} {100 * shares[kind] / total:.0f}%" for kind in kinds),
        "top self time:",
    ]
    for name, spent in sorted(own.items(), key=lambda kv: -kv[1])[:count]:
        lines.append(f"  {100 * spent / total:5.1f}%  {name}")
    # Our middleware and the policy wrapper hold (nearly) all of it: skip them.
    pipeline = ("openiop/accounts/middleware.py", "openiop/accounts/timezones.py", "wrapper (")
    # ... and the view itself, when it holds nearly everything, says nothing new.
    inner = {
        k: v for k, v in ours.items() if not any(p in k for p in pipeline) and v < 0.85 * total
    }
    lines.append("top openiop functions under the view (inclusive):")
    for name, spent in sorted(inner.items(), key=lambda kv: -kv[1])[:count]:
        lines.append(f"  {100 * spent / total:5.1f}%  {name}")
    return "\n".join(lines)


# --- the command line ---------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.census", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="seed (if needed), serve and measure")
    run.add_argument("--sizes", type=_sizes, default=[100, 1000])
    run.add_argument("--requests", type=int, default=40, help="timed requests per page")
    run.add_argument("--write-requests", type=int, default=40, help="timed requests per write")
    run.add_argument("--clients", type=int, default=2, help="concurrent clients")
    run.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    run.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8105")))
    run.add_argument("--outcome-repeat", type=int, default=9)
    run.add_argument("--only", nargs="*", default=[], help="measure only these pages")
    run.add_argument("--reseed", action="store_true", help="rebuild the seeded databases")
    run.add_argument("--keep", action="store_true", help="keep the run databases")
    profile = sub.add_parser("profile", help="profile pages in-process with pyinstrument")
    profile.add_argument("pages", nargs="+", help="page names, or 'misses' (from the last run)")
    profile.add_argument("--size", type=int, default=1000)
    profile.add_argument("--repeat", type=int, default=20)
    profile.add_argument("--reseed", action="store_true")
    seed = sub.add_parser("seed", help="build (or check) the seeded database of one size")
    seed.add_argument("--size", type=int, default=1000)
    seed.add_argument("--reseed", action="store_true")
    sub.add_parser("pages", help="list the pages")
    md = sub.add_parser("markdown", help="a saved run as Markdown tables")
    md.add_argument("file", nargs="?", default=str(OUT / "last.json"))
    # Internal: the Django side, run in child processes.
    for name in ("_seed", "_prepare", "_outcomes", "_profile", "_count_discharged"):
        child = sub.add_parser(name)
        child.add_argument("--size", type=int, default=0)
        child.add_argument("--repeat", type=int, default=9)
        child.add_argument("pages", nargs="*")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] or ["run"])

    if args.command == "_seed":
        _cmd_seed(args.size)
    elif args.command == "_prepare":
        _cmd_prepare()
    elif args.command == "_outcomes":
        _cmd_outcomes(args.repeat)
    elif args.command == "_profile":
        _cmd_profile(args.pages, args.repeat, args.size)
    elif args.command == "_count_discharged":
        _cmd_count_discharged()
    elif args.command == "pages":
        for page in PAGES:
            print(f"{page.name:<24} {page.path:<40} as {page.user}")
    elif args.command == "markdown":
        print(markdown(json.loads(Path(args.file).read_text())))
    elif args.command == "seed":
        ensure_seeded(args.size, reseed=args.reseed)
    elif args.command == "profile":
        names = args.pages
        if names == ["misses"]:
            saved = json.loads((OUT / "last.json").read_text())
            names = misses(saved["results"])
            print(f"Pages that missed a target in the last run: {', '.join(names) or 'none'}")
        unknown = [n for n in names if n not in {p.name for p in PAGES}]
        if unknown:
            parser.error(f"unknown page(s): {', '.join(unknown)}; see `pages`")
        seeded = ensure_seeded(args.size, reseed=args.reseed)
        database = copy_for_run(args.size, seeded)
        try:
            for name in names:  # one child per page keeps each profile's process clean
                subprocess.run(  # noqa: S603 — our own module
                    [
                        PYTHON,
                        "-m",
                        "benchmarks.census",
                        "_profile",
                        name,
                        "--size",
                        str(args.size),
                        "--repeat",
                        str(args.repeat),
                    ],
                    env=_env(database),
                    cwd=ROOT,
                    check=True,
                )
        finally:
            _drop(database)
    elif args.command == "run":
        return _run(args)
    return 0


def _run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    print(f"Census benchmark: sizes {args.sizes}, databases {db_name('seed', 0)[:-2]}_*")
    results = []
    for size in args.sizes:
        results.append(measure_size(size, args))
    text = report(results, args)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    payload = {
        "when": stamp,
        "args": {k: v for k, v in vars(args).items() if k != "command"},
        "results": [asdict(r) for r in results],
        "table": text,
    }
    for path in (OUT / f"census-{stamp}.json", OUT / "last.json"):
        path.write_text(json.dumps(payload, indent=1))
    print(f"\nSaved {OUT / f'census-{stamp}.json'}; took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
