"""``cyberplan demo``: build the illustrative workspace and serve the platform with its worker."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cyberplan.assessment.demo import build_demo_assessment_for_workspace
from cyberplan.core.models import Organisation
from cyberplan.jobs.actions import do_start_job
from cyberplan.legal.demo import build_demo_legal_for_workspace
from cyberplan.regional.demo import build_demo_regional_for_workspace, prepare_demo_programme, regional_logins
from cyberplan.regional.jobs import REGIONAL_DEMO
from cyberplan.sharing.demo import build_demo_sharing_for_workspace
from cyberplan.strategy.demo import build_demo_strategy_for_workspace
from cyberplan.threats.demo import build_threat_demo
from cyberplan.training.demo import build_demo_training_for_workspace
from cyberplan.workspace.demo import DEMO_PASSWORD, build_demo_workspace, demo_logins


class Command(BaseCommand):
    help = "Build the illustrative demo workspace for Paraguay and serve cyberplan with its task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Build the workspace, then exit.")
        parser.add_argument("--no-events", action="store_true", help="Do not import the demo threat evidence.")
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on (default 8000).")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo workspace has known passwords and is refused when CYBERPLAN_ENV=production.")
        call_command("migrate", interactive=False, verbosity=0)
        created = build_demo_workspace()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo workspace ready (illustrative data): "
                + ", ".join(f"{count} new {name}" for name, count in created.items())
            )
        )
        if not options["no_events"]:
            build_threat_demo(Organisation.objects.get(slug="cert-py"), lambda message: self.stdout.write(message))
        build_demo_assessment_for_workspace(lambda message: self.stdout.write(message))
        # Before the strategy: its training-coverage KPI is computed from these programmes.
        build_demo_training_for_workspace(lambda message: self.stdout.write(message))
        build_demo_strategy_for_workspace(lambda message: self.stdout.write(message))
        build_demo_legal_for_workspace(lambda message: self.stdout.write(message))
        build_demo_sharing_for_workspace(
            lambda message: self.stdout.write(message), base_url=f"http://{options['host']}:{options['port']}"
        )
        if options["no_serve"]:
            build_demo_regional_for_workspace(
                lambda message: self.stdout.write(message), password=DEMO_PASSWORD, events=not options["no_events"]
            )
            self._print_logins(None)
            return
        programme = prepare_demo_programme(lambda message: self.stdout.write(message), password=DEMO_PASSWORD)
        # The synthetic members' events and packages take a minute or more: the worker builds them (with its
        # progress on the job's page) while the site is already served.
        do_start_job(None, programme, REGIONAL_DEMO, {"events": not options["no_events"]})
        self.stdout.write("The regional programme's synthetic members are being built by the worker (see Jobs).")
        self._serve(options["host"], options["port"])

    def _print_logins(self, url: str | None) -> None:
        if url:
            self.stdout.write(self.style.SUCCESS(f"\ncyberplan is running at {url}"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, organisation, role in [*demo_logins(), *regional_logins()]:
            self.stdout.write(f"  {username:<18} {organisation:<8} {role}")
        if settings.CYBERPLAN_MFA_REQUIRED:
            self.stdout.write(
                "Administrators and coordinators set up two-factor sign-in (an authenticator app or a security key) "
                "the first time they sign in; the other demo users sign in with the password alone."
            )
        self.stdout.write("The API schema is at /api/schema/; press Ctrl-C to stop.")

    def _serve(self, host: str, port: int) -> None:
        worker = subprocess.Popen(
            [sys.executable, "-m", "cyberplan.cli", "db_worker", "--no-reload", "--interval", "1"]
        )
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cyberplan.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                "2",
                "--no-control-socket",
                "--access-logfile",
                "-",
            ]
        )
        url = f"http://{host}:{port}/"
        self._print_logins(url)

        def stop(*_args: Any) -> None:
            for process in (server, worker):
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while server.poll() is None and worker.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("Stopping the web server and the worker...")
        finally:
            stop()
            for process in (server, worker):
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        if server.returncode not in (0, -signal.SIGTERM, None) and server.returncode != 0:
            raise CommandError(f"The web server stopped with exit code {server.returncode}.")
