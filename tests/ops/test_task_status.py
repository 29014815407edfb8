"""A long task's status page: its requester sees state and progress while it runs (the CLI
prints the same); nobody else learns it exists."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks import TaskContext, task

from openiop.ops.models import TrackedState, TrackedTask
from openiop.ops.tracking import progress_report, result_link_set, task_start

pytestmark = pytest.mark.tasks


@task(takes_context=True)
def count_to(context: TaskContext, n: int) -> int:
    for i in range(1, n + 1):
        progress_report(context, done=i, total=n, note=f"Step {i}")
    result_link_set(context, url="/somewhere/result/")
    return n


@task(takes_context=True)
def stop_halfway(context: TaskContext) -> None:
    progress_report(context, done=1, total=2, note="Half")
    raise RuntimeError("no")


def _start(world, django_capture_on_commit_callbacks, fn=count_to, *args):
    with django_capture_on_commit_callbacks(execute=True):
        return task_start(fn, *args, requester=world.director, label="Counting")


def test_the_requester_follows_a_task_from_queued_to_finished(
    world, login, run_tasks, django_capture_on_commit_callbacks
) -> None:
    tracked = _start(world, django_capture_on_commit_callbacks, count_to, 3)
    client = login(world.director)
    page = client.get(tracked.get_absolute_url())
    assert page.status_code == 200
    assert "Waiting to start" in page.content.decode()
    assert 'hx-trigger="every 2s"' in page.content.decode()
    run_tasks()
    tracked.refresh_from_db()
    assert (tracked.state, tracked.done, tracked.total, tracked.note) == (
        TrackedState.SUCCEEDED,
        3,
        3,
        "Step 3",
    )
    partial = client.get(tracked.get_absolute_url(), HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<h1>" not in body  # just the progress block for htmx
    assert "3 of 3 done" in body
    assert 'href="/somewhere/result/"' in body
    assert "every 2s" not in body  # finished: no more polling


def test_a_failed_task_says_so_and_offers_a_reference(
    world, login, run_tasks, settings, django_capture_on_commit_callbacks
) -> None:
    settings.OPENIOP_TASK_MAX_ATTEMPTS = 1
    tracked = _start(world, django_capture_on_commit_callbacks, stop_halfway)
    run_tasks()
    body = login(world.director).get(tracked.get_absolute_url()).content.decode()
    assert "Failed" in body
    assert str(tracked.public_id) in body


def test_the_cli_prints_the_same_progress(
    world, run_tasks, django_capture_on_commit_callbacks
) -> None:
    tracked = _start(world, django_capture_on_commit_callbacks, count_to, 4)
    out = StringIO()
    call_command("task", str(tracked.public_id), stdout=out)
    assert "Counting: Waiting to start" in out.getvalue()
    run_tasks()
    out = StringIO()
    call_command("task", str(tracked.public_id), "--follow", stdout=out)
    assert "Counting: Finished · 4 of 4 (100%) · Step 4" in out.getvalue()
    assert "Result: /somewhere/result/" in out.getvalue()


def test_someone_else_gets_a_404_even_a_director_of_the_same_program(
    world, login, django_capture_on_commit_callbacks
) -> None:
    tracked = _start(world, django_capture_on_commit_callbacks, count_to, 1)
    for user in (world.clinician, world.admin, world.participant_user, world.other_org_clinician):
        assert login(user).get(tracked.get_absolute_url()).status_code == 404
    missing = reverse("ops:task_status", args=["00000000-0000-4000-8000-000000000000"])
    assert login(world.director).get(missing).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(world, django_capture_on_commit_callbacks) -> None:
    tracked = _start(world, django_capture_on_commit_callbacks, count_to, 1)
    response = Client().get(tracked.get_absolute_url())
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_label_is_required(world) -> None:
    with pytest.raises(ValueError, match="label"):
        task_start(count_to, 1, requester=world.director, label="  ")
    assert not TrackedTask.objects.exists()
