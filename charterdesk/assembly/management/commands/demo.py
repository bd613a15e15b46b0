"""``charterdesk demo``: one command from a fresh clone to a running desk with demo data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

from charterdesk.assembly.demo import load_demo
from charterdesk.directory.config import load_config
from charterdesk.directory.models import Institution
from charterdesk.signin.demo import demo_totp_enrol


class Command(BaseCommand):
    help = (
        "Create the database, load the ALTUM configuration and demo data, then run the web server "
        "and a task worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address:port to serve on")
        parser.add_argument("--no-serve", action="store_true", help="prepare the data and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "charterdesk demo refuses to run in production mode (CHARTERDESK_PRODUCTION=1): "
                "it creates accounts with published passwords",
                returncode=2,
            )
        self.stdout.write("Preparing the database …")
        call_command("migrate", verbosity=0, interactive=False)
        if not Institution.objects.exists():
            load_config()
        self._optional_defaults()
        logins = load_demo()
        self._admin_totp = demo_totp_enrol("admin")
        if options["no_serve"]:
            self._print(options["addr"], logins)
            return
        self._serve(options["addr"], logins)

    def _optional_defaults(self) -> None:
        # Default message templates come with the outbox when it is installed.
        try:
            from charterdesk.outbox.defaults import install_default_templates
        except ImportError:
            return
        install_default_templates()

    def _print(self, addr: str, logins: list[Any]) -> None:
        host, _, port = addr.rpartition(":")
        # A URL to print, no binding.
        url = f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}/"  # nosec B104
        self.stdout.write(self.style.SUCCESS(f"\ncharterdesk demo: {url}   (admin: {url}admin/)"))
        self.stdout.write("Demo logins (demo data: e-mail addresses under .example domains):")
        for login in logins:
            self.stdout.write(f"  {login.username:10} {login.password}   {login.who}")
        self.stdout.write(
            f"admin also gives a code (two-step sign-in): add the key {self._admin_totp} to an "
            "authenticator app, or print the current code with `charterdesk totp code admin`."
        )
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        if os.environ.get("EMAIL_FILE_PATH"):
            self.stdout.write(
                f"Outgoing mail is written to {os.environ['EMAIL_FILE_PATH']} (not sent)."
            )

    def _serve(self, addr: str, logins: list[Any]) -> None:
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        # The demo never sends real mail: the outbox writes messages to files instead.
        env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
        env.setdefault("EMAIL_FILE_PATH", str(settings.VAR_DIR / "sent-mail"))
        os.environ.update({k: env[k] for k in ("EMAIL_BACKEND", "EMAIL_FILE_PATH")})
        me = [sys.executable, "-m", "charterdesk"]
        commands = [
            [*me, "db_worker", "--no-reload", "--queue-name", "*"],
            [*me, "runserver", "--noreload", addr],
        ]
        available = get_commands()
        if "sla" in available:
            commands.append([*me, "sla", "sweep", "--every", "60"])
        if "outbox" in available:
            commands.append([*me, "outbox", "send-pending", "--every", "60"])
        # Our own interpreter and commands, as a list (no shell).
        procs = [subprocess.Popen(cmd, env=env) for cmd in commands]  # nosec B603

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        time.sleep(1.5)
        self._print(addr, logins)
        self.stdout.write("Press Ctrl-C to stop.")
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
