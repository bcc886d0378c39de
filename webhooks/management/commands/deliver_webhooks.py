"""Send webhook events: ``deliver_webhooks --once`` for a timer, or a loop for a service."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from webhooks.delivery import run_once


class Command(BaseCommand):
    help = (
        "Send due webhook events to their endpoints, retrying failures with backoff. Runs in a "
        "loop (a scheduled story's go-live is sent within --interval seconds) or, with --once, "
        "one pass for a timer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=10.0,
            help="Seconds between passes in the loop (default 10; keep it under 60).",
        )

    def handle(self, *args, once, interval, **options):
        if once:
            self._report(run_once())
            return
        stopping = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.append(True))
        self.stdout.write(f"Delivering webhooks every {interval:g} s; stop with Ctrl-C or SIGTERM.")
        while not stopping:
            close_old_connections()
            try:
                report = run_once()
            except DatabaseError as error:
                # A database restart must not end the service; the next pass tries again.
                self.stderr.write(f"Database unavailable, trying again: {error}")
            else:
                if report.dispatched or report.succeeded or report.retrying or report.failed:
                    self._report(report)
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, interval))
        self.stdout.write("Stopped.")

    def _report(self, report):
        self.stdout.write(
            f"{report.dispatched} events dispatched, {report.cancelled} cancelled; deliveries: "
            f"{report.succeeded} succeeded, {report.retrying} to retry, {report.failed} given up."
        )
