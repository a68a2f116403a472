"""Two live instances on loopback: a regional programme's instance (its own server process, task worker, SQLite
database and data directory) and a national one (this test's database). The national instance builds, approves
and sends its package by TAXII; the regional one takes it in on the POST (its worker) and answers; its overview
page, read over HTTP as the programme's viewer, shows the member's package, and its regional report (made by the
regional instance's own command) lists the package it was built from."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import Organisation
from cyberplan.regional.actions import do_approve, do_build_draft
from cyberplan.regional.choices import SendState
from cyberplan.regional.sending import do_send
from tests.conftest import World
from tests.dbutil import ROOT, WorkerProcess, wait_until, worker_command, worker_ready
from tests.regional.test_member_side import import_events
from tests.regional.test_transport import member_push
from tests.sharing.test_interop import free_port

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db]

PASSWORD = "regional-viewer-password"

SEED = """
import json, sys
from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import Organisation, User
from cyberplan.core.actions import do_add_membership
from cyberplan.regional.intake import do_register_intake
from cyberplan.regional.models import Member
from cyberplan.sharing.actions import do_create_collection, do_create_group, do_issue_credential, do_set_member
programme = Organisation.objects.create(name="Regional Programme", slug="programme", type=OrganisationType.REGIONAL_BODY, country="UY")
national = Organisation.objects.create(name="Authority PY", slug="authority-py", type=OrganisationType.NATIONAL_AUTHORITY, country="PY")
viewer = User.objects.create_user(username="officer", password=sys.argv[1])
do_add_membership(None, viewer, programme, Role.VIEWER)
Member.objects.create(programme=programme, country="PY", name="Paraguay", identity_id=sys.argv[2])
group = do_create_group(None, programme, name="Packages of PY", tlp_ceiling="amber")
do_set_member(None, group, national, can_read=True, can_write=True, need_to_know=True)
collection = do_create_collection(None, group, title="Statistics packages PY", default_tlp="green")
do_register_intake(None, collection, "2026")
credential, secret = do_issue_credential(None, programme, national, "statistics packages")
print(json.dumps({"collection": str(collection.pk), "user": str(credential.pk), "key": secret}))
"""


def environment(folder: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CYBERPLAN_TEST_DB", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "CYBERPLAN_ENV": "test",
            "CYBERPLAN_DATA_DIR": str(folder / "data"),
            "DATABASE_URL": f"sqlite:///{folder / 'regional.sqlite3'}",
            "CYBERPLAN_MFA_REQUIRED": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def cli(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cyberplan.cli", *arguments], cwd=ROOT, env=env, capture_output=True, timeout=600
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode()


def own_worker(env: dict[str, str], log: Path) -> WorkerProcess:
    """The regional instance's task worker, on its own database (not the test's, as ``start_worker`` would)."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*worker_command(), "--no-reload", "--interval", "0.1", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    worker = WorkerProcess(process=process, log=log)
    try:
        wait_until(lambda: process.poll() is None and worker_ready(log), "the regional worker", describe=worker.output)
    except BaseException:
        worker.stop()
        raise
    return worker


@pytest.fixture
def regional(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The regional instance: migrated, seeded when the identity is known (``seed``), served and worked."""
    folder = tmp_path / "regional"
    (folder / "data").mkdir(parents=True)
    env = environment(folder)
    cli(env, "migrate", "--no-input", "-v", "0")
    port = free_port()
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "cyberplan.cli", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker: list[WorkerProcess] = []

    def seed(identity: str) -> dict[str, Any]:
        seeded: dict[str, Any] = json.loads(
            cli(env, "shell", "-c", SEED.replace("sys.argv[1]", repr(PASSWORD)).replace("sys.argv[2]", repr(identity)))
            .strip()
            .splitlines()[-1]
        )
        worker.append(own_worker(env, folder / "worker.log"))
        return seeded

    url = f"http://127.0.0.1:{port}"
    try:
        yield {"url": url, "seed": seed, "folder": folder, "env": env}
    finally:
        for process in worker:
            process.stop()
        server.terminate()
        server.wait(timeout=30)
        log.close()


def up(url: str) -> bool:
    try:
        return requests.get(f"{url}/taxii2/", timeout=5).status_code in (200, 401)
    except requests.ConnectionError:
        return False


def test_a_national_instance_sends_and_the_regional_instance_shows_it(
    world: World, tmp_path: Path, regional: dict[str, Any], settings: Any
) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    import_events(world, tmp_path, "2026-03", 400)
    coordinator = world.users[Role.COORDINATOR]
    package = do_approve(coordinator, do_build_draft(coordinator, world.org_a, "2026"))
    seeded = regional["seed"](package.package()["created_by_ref"])
    wait_until(lambda: up(regional["url"]), "the regional server to answer")
    programme_here = Organisation.objects.create(
        name="Regional Programme", slug="programme", type=OrganisationType.REGIONAL_BODY, country="UY"
    )
    push = member_push(
        world.org_a,
        programme_here,
        f"{regional['url']}/taxii2/api/",
        seeded["collection"],
        seeded["user"],
        seeded["key"],
    )
    sending = do_send(coordinator, package, push, answer_seconds=120)
    assert sending.state == SendState.ACCEPTED, (sending.state, sending.message)
    session = requests.Session()
    login = session.get(f"{regional['url']}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
    assert token is not None
    session.post(
        f"{regional['url']}/login/",
        data={"username": "officer", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{regional['url']}/login/"},
        timeout=30,
    )
    page = session.get(f"{regional['url']}/regional/programme/", timeout=60)
    assert page.status_code == 200 and "PY v1" in page.text, page.text[:2000]
    report = regional["folder"] / "regional-report.html"
    printed = cli(
        regional["env"],
        "report",
        "regional",
        "--period",
        "2026",
        "--lang",
        "es",
        "--format",
        "html",
        "--output",
        str(report),
    )
    assert report.exists(), printed
    text = report.read_text(encoding="utf-8")
    assert package.package()["figures_digest"] in text, text[:2000]  # the package it was built from is listed
