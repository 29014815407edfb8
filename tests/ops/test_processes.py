"""The worker and the scheduler as real processes against a PostgreSQL server of the test's own
(initdb in a temporary directory), under the faults issue 15 names: the database stopped and
started twice, a worker killed with SIGKILL mid-task, a task that always kills its worker, two
schedulers at once. Leases, backoffs and periodic intervals are shortened through settings so
the whole module runs in a minute or two.

Skipped (with the reason) where PostgreSQL's server programs are not installed; under CI=true
that is a failure instead.
"""

from __future__ import annotations

import contextlib
import email
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.processes


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the worker/scheduler fault tests: {reason}")
    pytest.skip(reason)


def _free_port(low: int, high: int) -> int:
    for port in range(low, high + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


def _wait_until(check: Callable[[], Any], *, timeout: float, every: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(every)


class PgServer:
    """A throwaway PostgreSQL cluster. Run as the `postgres` account when we are root (the
    server refuses to run as root)."""

    def __init__(self) -> None:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not (initdb and pg_ctl):
            _unavailable("PostgreSQL's initdb and pg_ctl are not installed")
        assert initdb
        assert pg_ctl
        self.initdb, self.pg_ctl = initdb, pg_ctl
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                import pwd

                pwd.getpwnam("postgres")
            except KeyError:
                _unavailable("running as root and there is no postgres account to run the server")
            self.user = "postgres"
        self.dir = Path(tempfile.mkdtemp(prefix="openiop-pg-"))
        if self.user:
            shutil.chown(self.dir, self.user)
        self.data = self.dir / "data"
        self.port = _free_port(55400, 55499)

    def _run(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 — PostgreSQL's own programs, fixed arguments
            list(args), check=True, user=self.user, capture_output=True, cwd=self.dir
        )

    def init(self) -> None:
        self._run(self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w",
            "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def sql(self, statement: str, params: tuple[Any, ...] = (), *, db: str = "postgres") -> Any:
        with psycopg.connect(self.url(db), autocommit=True, connect_timeout=5) as conn:
            cur = conn.execute(statement, params)
            return cur.fetchall() if cur.description else None

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def _env(url: str, mail_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENIOP_")}
    env.update(
        {
            "DATABASE_URL": url,
            "OPENIOP_TESTING": "1",
            "OPENIOP_TASKS_BACKEND": "database",
            "OPENIOP_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPENIOP_EMAIL_FILE_PATH": str(mail_dir),
            "OPENIOP_STATE_DIR": str(mail_dir.parent / "state"),
            "OPENIOP_HELP_PHONE": "555-0100",
            "OPENIOP_TASK_HEARTBEAT_SECONDS": "1",
            "OPENIOP_TASK_LEASE_SECONDS": "3",
            "OPENIOP_TASK_MAX_ATTEMPTS": "3",
            "OPENIOP_TASK_RETRY_DELAY_SECONDS": "1",
            "OPENIOP_SCHEDULER_TICK_SECONDS": "1",
            "OPENIOP_DB_RETRY_MAX_SECONDS": "2",
            "OPENIOP_PERIODIC_EVERY": "safety.escalate=2,scheduling.reminders=2",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


@dataclass
class Clinic:
    """One database of the test server, and the processes running against it."""

    server: PgServer
    name: str
    work: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url(self.name)

    @property
    def mail_dir(self) -> Path:
        return self.work / "mail"

    def env(self) -> dict[str, str]:
        return _env(self.url, self.mail_dir, **self.extra_env)

    def start(self, *command: str) -> subprocess.Popen[bytes]:
        log = open(self.work / f"{command[0]}-{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(  # noqa: S603 — our own command
            [sys.executable, "-m", "openiop", *command],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def helper(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 — our own helper module
            [sys.executable, "-m", "tests.ops.procs", *args],
            cwd=ROOT,
            env=self.env(),
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> Any:
        return self.server.sql(statement, params, db=self.name)

    def mails(self) -> list[email.message.Message]:
        found = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk.strip()))
        return found

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.work.glob("*.log")))

    def stuck_tasks(self) -> int:
        """Tasks waiting or running for longer than any healthy one would here."""
        rows = self.sql(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE status IN ('READY', 'RUNNING') AND enqueued_at < now() - interval '12 seconds'"
        )
        return int(rows[0][0])

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def server() -> Iterator[PgServer]:
    if os.environ.get("OPENIOP_SKIP_PROCESS_TESTS"):
        pytest.skip("run once per ./run test, in the first (SQLite) pass")
    pg = PgServer()
    try:
        pg.init()
        pg.start()
        pg.sql("CREATE DATABASE template_openiop")
        work = Path(tempfile.mkdtemp(prefix="openiop-migrate-"))
        subprocess.run(
            [sys.executable, "-m", "openiop", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=_env(pg.url("template_openiop"), work / "mail"),
            check=True,
            capture_output=True,
        )
        shutil.rmtree(work, ignore_errors=True)
        yield pg
    finally:
        pg.remove()


@pytest.fixture
def clinic(server: PgServer, request: pytest.FixtureRequest) -> Iterator[Clinic]:
    name = f"t_{request.node.name[5:35].lower()}"
    server.sql(f'CREATE DATABASE "{name}" TEMPLATE template_openiop')
    work = Path(tempfile.mkdtemp(prefix="openiop-procs-"))
    (work / "mail").mkdir()
    (work / "markers").mkdir()
    made = Clinic(server=server, name=name, work=work)
    try:
        yield made
    finally:
        made.stop_all()
        # The processes' logs, to read when a test fails.
        kept = ROOT / "test-artifacts" / "processes" / name
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(work, kept, ignore=shutil.ignore_patterns("markers"))
        shutil.rmtree(work, ignore_errors=True)


def _alive(*procs: subprocess.Popen[bytes]) -> bool:
    return all(p.poll() is None for p in procs)


def _status(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 — localhost
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_worker_and_scheduler_ride_out_two_database_restarts(clinic: Clinic) -> None:
    seeded = json.loads(clinic.helper("seed", "6"))
    scheduler = clinic.start("scheduler")
    worker = clinic.start("worker", "--interval", "0.2")
    port = _free_port(8180, 8199)
    web = clinic.start("runserver", f"127.0.0.1:{port}", "--noreload")

    def reminders() -> list[email.message.Message]:
        return [m for m in clinic.mails() if m["Subject"] == "Reminder: upcoming session"]

    assert len(_wait_until(lambda: len(reminders()) >= 6, timeout=40) and reminders()) == 6

    for outage in (1, 2):
        escalates_at = None
        if outage == 2:
            # Due in the middle of the outage.
            escalates_at = clinic.sql("SELECT now() + interval '3 seconds'")[0][0]
            clinic.sql(
                "UPDATE safety_alert SET escalate_at = %s WHERE id = %s",
                (escalates_at, seeded["alert"]),
            )
        clinic.server.stop("fast")
        time.sleep(6)
        assert _alive(scheduler, worker), f"a process died during outage {outage}"
        # A participant (a session cookie: the session lives in the database) gets the calm
        # page, not Django's bare "Server Error (500)".
        code, page = _status(f"http://127.0.0.1:{port}/me/", "sessionid=" + "a1b2c3d4" * 4)
        assert code == 503
        assert 'href="tel:988"' in page
        assert "555-0100" in page
        clinic.server.start()
        back = time.monotonic()
        if outage == 2:
            level = _wait_until(
                lambda: clinic.sql(
                    "SELECT escalation_level FROM safety_alert WHERE id = %s", (seeded["alert"],)
                )[0][0],
                timeout=30,
            )
            assert level >= 1, "the alert due during the outage was not escalated"
            # Escalation runs every 2 s here (every minute in production); the workers and the
            # scheduler reconnect within their 2 s backoff.
            assert time.monotonic() - back < 15
        time.sleep(3)

    assert _alive(scheduler, worker, web)
    assert _wait_until(lambda: clinic.stuck_tasks() == 0, timeout=30), "a task is stuck"
    time.sleep(3)  # a few more reminder runs
    sent = reminders()
    assert len(sent) == 6, "a reminder went out twice (or not at all)"
    assert len({m["Message-ID"] for m in sent}) == 6
    notices = [m for m in clinic.mails() if m["To"] == seeded["director"]]
    assert len(notices) == 1, "the director's escalation notice went out twice (or not at all)"
    logs = clinic.logs()
    assert "database unavailable" in logs
    assert "database reachable again" in logs


def test_a_task_killed_mid_run_is_retried_and_its_effect_happens_once(clinic: Clinic) -> None:
    clinic.start("scheduler")
    first = clinic.start("worker", "--interval", "0.2")
    markers = clinic.work / "markers"
    result_id = clinic.helper(
        "enqueue", "tests.ops.procs.effect_once", json.dumps(["k1", str(markers), 30])
    )
    assert _wait_until(lambda: list(markers.glob("k1.attempt1.*")), timeout=30)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed = time.monotonic()
    clinic.start("worker", "--interval", "0.2")  # as systemd's Restart=always would

    def effects() -> list[email.message.Message]:
        return [m for m in clinic.mails() if m["Subject"] == "Effect k1"]

    assert _wait_until(effects, timeout=60), "the task was not retried within a minute"
    assert time.monotonic() - killed < 60
    time.sleep(3)
    assert len(effects()) == 1
    status, workers = clinic.sql(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s",
        (result_id,),
    )[0]
    assert status == "SUCCESSFUL"
    assert len(workers) == 2


def test_a_task_that_always_kills_its_worker_ends_failed_after_the_cap(clinic: Clinic) -> None:
    clinic.start("scheduler")
    worker = clinic.start("worker", "--interval", "0.2")
    result_id = clinic.helper("enqueue", "tests.ops.procs.kill_my_worker", "[]")
    restarts = 0

    def finished() -> bool:
        nonlocal worker, restarts
        if worker.poll() is not None:  # restart it, as a process supervisor would
            restarts += 1
            worker = clinic.start("worker", "--interval", "0.2")
        row = clinic.sql(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", (result_id,)
        )
        return row[0][0] == "FAILED"

    assert _wait_until(finished, timeout=60, every=0.5), "the task was not given up"
    status, workers, error = clinic.sql(
        "SELECT status, worker_ids, exception_class_path FROM django_tasks_database_dbtaskresult "
        "WHERE id = %s",
        (result_id,),
    )[0]
    assert (status, len(workers), restarts) == ("FAILED", 3, 3)
    assert error == "openiop.ops.recovery.WorkerLost"


def test_two_schedulers_enqueue_each_periodic_job_once_per_due_time(clinic: Clinic) -> None:
    first, second = clinic.start("scheduler"), clinic.start("scheduler")
    time.sleep(9)
    assert _alive(first, second)
    claims = clinic.sql(
        "SELECT due_at, claimed_by FROM ops_periodicclaim WHERE name = 'safety.escalate'"
    )
    assert len(claims) >= 3
    runs = clinic.sql(
        "SELECT args_kwargs->'args'->>1, count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE args_kwargs->'args'->>0 = 'safety.escalate' GROUP BY 1"
    )
    assert len(runs) == len(claims)
    assert all(count == 1 for _, count in runs), "a due time was enqueued twice"


def _redis_url() -> str | None:
    url = os.environ.get("OPENIOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        return None
    return url


def test_on_rq_a_killed_work_horse_is_retried_by_rq_and_its_effect_happens_once(
    clinic: Clinic,
) -> None:
    url = _redis_url()
    if url is None:
        _unavailable("no Redis answers at OPENIOP_TEST_REDIS_URL")
    assert url is not None
    import redis

    redis.Redis.from_url(url).flushdb()  # this run's own Redis database
    rq = {"OPENIOP_TASKS_BACKEND": "rq", "OPENIOP_REDIS_URL": url}
    clinic.extra_env.update(rq)
    clinic.start("worker")
    markers = clinic.work / "markers"
    clinic.helper("enqueue", "tests.ops.procs.effect_once", json.dumps(["r1", str(markers), 30]))
    first = _wait_until(lambda: list(markers.glob("r1.attempt1.*")), timeout=30)
    assert first, "the task did not start"
    # RQ runs each job in a work-horse process forked by the worker: kill the one running it.
    horse = int(first[0].name.rsplit("pid", 1)[1])
    os.kill(horse, signal.SIGKILL)
    killed = time.monotonic()

    def effects() -> list[email.message.Message]:
        return [m for m in clinic.mails() if m["Subject"] == "Effect r1"]

    assert _wait_until(effects, timeout=60), "RQ did not retry the job within a minute"
    assert time.monotonic() - killed < 60
    time.sleep(2)
    assert len(effects()) == 1
    redis.Redis.from_url(url).flushdb()
