"""Two live instances on loopback, each its own processes, SQLite database and data directory: a regional
programme's instance (a server and a task worker) and a national one (its own command-line processes). The
national instance imports its events, builds, approves and sends its package by TAXII with its own command; the
regional one takes it in on the POST (its worker) and answers. The national instance also exports its CLEAR and
GREEN events, which the regional instance pools with its command. The regional overview page, read over HTTP as
the programme's analyst, shows the member's package and, once the regional worker computed them at the analyst's
request, the pooled-events figures; the regional report (made by the regional instance's own command) lists the
package it was built from and has the pooled-events chapter."""

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

from cyberplan.regional.package import PACKAGE_TYPE
from tests.dbutil import ROOT, WorkerProcess, wait_until, worker_command, worker_ready
from tests.sharing.test_interop import free_port

pytestmark = [pytest.mark.slow, pytest.mark.worker]

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
do_add_membership(None, viewer, programme, Role.ANALYST)
Member.objects.create(programme=programme, country="PY", name="Paraguay", identity_id=sys.argv[2], shares_events=True)
group = do_create_group(None, programme, name="Packages of PY", tlp_ceiling="amber")
do_set_member(None, group, national, can_read=True, can_write=True, need_to_know=True)
collection = do_create_collection(None, group, title="Statistics packages PY", default_tlp="green")
do_register_intake(None, collection, "2026")
credential, secret = do_issue_credential(None, programme, national, "statistics packages")
print(json.dumps({"collection": str(collection.pk), "user": str(credential.pk), "key": secret}))
"""


#: The national instance: its authority, a coordinator and its synthetic events of March 2026 (labelled green).
NATIONAL_SEED = """
import tempfile
from pathlib import Path
from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import Organisation, User
from cyberplan.core.actions import do_add_membership
from cyberplan.pipeline import synth
from cyberplan.threats.actions import do_register_import, do_run_import
national = Organisation.objects.create(name="Authority PY", slug="authority-py", type=OrganisationType.NATIONAL_AUTHORITY, country="PY")
coordinator = User.objects.create_user(username="coordinator", password="national-password")
do_add_membership(None, coordinator, national, Role.COORDINATOR)
blocks = [(181 << 24) + (120 << 16) + (k << 8) for k in range(64)]
with tempfile.TemporaryDirectory() as folder:
    for path in synth.generate(Path(folder), events=400, country="PY", month="2026-03", networks=blocks, daily=False, seed=7):
        do_run_import(do_register_import(coordinator, national, path, file_name=path.name, tlp="green"), path)
"""

#: The national instance's TAXII push to the programme's collection (known once the regional side is seeded).
NATIONAL_PUSH = """
from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation
from cyberplan.sharing.actions import do_create_collection, do_create_group, do_create_push, do_set_member
national = Organisation.objects.get(slug="authority-py")
programme = Organisation.objects.create(name="Regional Programme", slug="programme", type=OrganisationType.REGIONAL_BODY, country="UY")
group = do_create_group(None, national, name="Regional programme", tlp_ceiling="amber")
do_set_member(None, group, programme, can_read=True, can_write=False, need_to_know=True)
local = do_create_collection(None, group, title="Packages sent to the programme", default_tlp="green")
do_create_push(None, national, name="to the programme", collection=local, recipient=programme, api_root_url=URL, partner_collection_id=COLLECTION, username=USER, password=KEY)
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
            "DATABASE_URL": f"sqlite:///{folder / 'instance.sqlite3'}",
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


@pytest.fixture
def national(tmp_path: Path) -> dict[str, str]:
    """The national instance: its own database and data directory, migrated and seeded by its own processes."""
    folder = tmp_path / "national"
    (folder / "data").mkdir(parents=True)
    env = environment(folder)
    cli(env, "migrate", "--no-input", "-v", "0")
    cli(env, "shell", "-c", NATIONAL_SEED)
    return env


def identity_of(bundle_file: Path) -> str:
    """The STIX identity the package in a package file names as its creator."""
    bundle = json.loads(bundle_file.read_text(encoding="utf-8"))
    return str(next(o for o in bundle["objects"] if o["type"] == PACKAGE_TYPE)["created_by_ref"])


def signed_in(url: str) -> requests.Session:
    session = requests.Session()
    login = session.get(f"{url}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
    assert token is not None
    session.post(
        f"{url}/login/",
        data={"username": "officer", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{url}/login/"},
        timeout=30,
    )
    return session


def csrf(session: requests.Session, page: str) -> str:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    return token.group(1)


def test_a_national_instance_sends_and_the_regional_instance_shows_it(
    tmp_path: Path, national: dict[str, str], regional: dict[str, Any]
) -> None:
    package_file = tmp_path / "package-py-2026.json"
    built = cli(
        national,
        "regional",
        "package",
        "--period",
        "2026",
        "--approve",
        "--by",
        "coordinator",
        "--output",
        str(package_file),
    )
    assert "version 1 (approved)" in built, built
    seeded = regional["seed"](identity_of(package_file))
    wait_until(lambda: up(regional["url"]), "the regional server to answer")
    cli(
        national,
        "shell",
        "-c",
        NATIONAL_PUSH.replace("URL", repr(f"{regional['url']}/taxii2/api/"))
        .replace("COLLECTION", repr(seeded["collection"]))
        .replace("USER", repr(seeded["user"]))
        .replace("KEY", repr(seeded["key"])),
    )
    sent = cli(
        national,
        "regional",
        "send",
        "--period",
        "2026",
        "--push",
        "to the programme",
        "--by",
        "coordinator",
        "--wait",
        "120",
    )
    assert "2026 version 1" in sent and "ccepted" in sent, sent  # the regional instance's answer came back

    # The national instance's CLEAR and GREEN events travel as a file and the regional instance pools them.
    export = tmp_path / "events-py.parquet"
    cli(national, "regional", "export-events", "--output", str(export))
    pooled = cli(regional["env"], "regional", "pool-events", str(export))
    counted = re.match(r"pooled: PY, (\d+) events in the file, (\d+) new in the pool", pooled)
    assert counted is not None and counted.group(1) == counted.group(2) and int(counted.group(1)) > 300, pooled

    session = signed_in(regional["url"])
    overview = f"{regional['url']}/regional/programme/"
    page = session.get(overview, timeout=60)
    assert page.status_code == 200 and "PY v1" in page.text, page.text[:2000]
    assert 'id="pooled-missing"' in page.text  # the page never reads the pool itself
    asked = session.post(
        f"{regional['url']}/regional/programme/pooled/compute/",
        data={
            "programme": re.search(r'name="programme" value="(\d+)"', page.text).group(1),  # type: ignore[union-attr]
            "period": "2026",
            "csrfmiddlewaretoken": csrf(session, page.text),
        },
        headers={"Referer": overview},
        timeout=60,
    )
    assert asked.status_code == 200, asked.text[:2000]
    wait_until(
        lambda: 'id="pooled-by-country"' in session.get(overview, timeout=60).text,
        "the regional worker to compute the pooled-events figures",
    )
    shown = session.get(overview, timeout=60).text
    table = shown[shown.index('id="pooled-by-country"') :]
    assert f"<td>PY</td><td>{counted.group(1)}</td>" in table[: table.index("</table>")]  # all of March 2026

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
    digest = json.loads(package_file.read_text(encoding="utf-8"))
    figures_digest = next(o for o in digest["objects"] if o["type"] == PACKAGE_TYPE)["figures_digest"]
    assert figures_digest in text, text[:2000]  # the package it was built from is listed
    assert '<section id="pooled"' in text  # the pooled-events chapter (read in Spanish: no English asserted)
