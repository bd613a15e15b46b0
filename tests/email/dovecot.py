"""A real Dovecot IMAP server for the tests: Debian's package, a throw-away configuration in a
temporary directory, listening on 127.0.0.1 on a free port.  ``stop()`` / ``start()`` simulate an
outage; ``deliver_to_maildir`` writes a message the way a local delivery agent does while IMAP is
down."""

from __future__ import annotations

import collections
import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"
USER = "desk"
PASSWORD = "desk-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Dovecot:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cd-dovecot-"))
        self.root.chmod(0o755)  # the mail processes run as the "dovecot" user when we are root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        if os.getuid() == 0:
            login_user, internal_user = "dovenull", "dovecot"
            mail_uid, mail_gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
        else:
            login_user = internal_user = pwd.getpwuid(os.getuid()).pw_name
            mail_uid, mail_gid = os.getuid(), os.getgid()
        self.mail_uid, self.mail_gid = mail_uid, mail_gid
        internal_group = grp.getgrgid(pwd.getpwnam(internal_user).pw_gid).gr_name
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir()
        os.chown(self.root / "home", mail_uid, mail_gid)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (self.root / "dovecot.conf").write_text(
            f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
mail_location = maildir:{self.root}/home/%u/Maildir
mail_fsync = never
first_valid_uid = 1
mail_max_userip_connections = 100
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={self.root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
        )

    # --- life cycle ----------------------------------------------------------------------------
    def start(self, timeout: float = 15.0) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"dovecot exited: {err}\n{self.log()}")
            try:
                client = imaplib.IMAP4("127.0.0.1", self.port, timeout=2)
            except OSError:
                time.sleep(0.1)
                continue
            with contextlib.suppress(Exception):
                client.logout()
            return
        raise RuntimeError(f"dovecot did not start on port {self.port}:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        # The master removes its pid file last; a new master refuses to start before that.
        pid = self.root / "run" / "master.pid"
        for _ in range(100):
            if not pid.exists():
                break
            time.sleep(0.05)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    # --- mail ----------------------------------------------------------------------------------
    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        client.login(USER, PASSWORD)
        return client

    def new_folder(self) -> str:
        """A fresh folder per test keeps tests apart on one server."""
        name = f"t{uuid.uuid4().hex[:10]}"
        client = self.client()
        try:
            typ, data = client.create(name)
            assert typ == "OK", data
        finally:
            client.logout()
        return name

    def append(self, folder: str, messages: list[bytes], flags: str = "") -> None:
        client = self.client()
        try:
            for raw in messages:
                typ, data = client.append(folder, flags or None, None, raw)
                assert typ == "OK", data
        finally:
            client.logout()

    def recreate(self, folder: str) -> None:
        """Delete and recreate ``folder`` (gets a new UIDVALIDITY)."""
        client = self.client()
        try:
            client.delete(folder)
            client.create(folder)
        finally:
            client.logout()

    def deliver_to_maildir(self, folder: str, raw: bytes) -> None:
        """Write into the folder's Maildir directly, as a local delivery agent does (works while
        the IMAP server is stopped; Dovecot picks the file up when it next looks)."""
        base = self.root / "home" / USER / "Maildir" / f".{folder}"
        tmp = base / "tmp" / f"{time.time_ns()}.{uuid.uuid4().hex}.test"
        tmp.write_bytes(raw)
        os.chown(tmp, self.mail_uid, self.mail_gid)
        tmp.rename(base / "new" / tmp.name)

    def mailbox_settings(self, folder: str, **extra: object) -> dict[str, dict[str, object]]:
        options: dict[str, object] = {
            "BACKEND": "charterdesk.channels.email.transports.imap.ImapMailbox",
            "HOST": "127.0.0.1",
            "PORT": self.port,
            "SECURITY": "none",
            "USER": USER,
            "PASSWORD": PASSWORD,
            "FOLDERS": [folder],
        }
        options.update(extra)
        return {"test": options}


def count_errors(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """How many connection errors each folder has recorded so far (kept up to date)."""
    from charterdesk.channels.email.transports.imap import ImapMailbox  # Django is set up now

    counted: collections.Counter[str] = collections.Counter()
    real = ImapMailbox._record_error

    def counting(self: ImapMailbox, error: str, folders: list[str]) -> None:
        real(self, error, folders)
        counted.update(folders)

    monkeypatch.setattr(ImapMailbox, "_record_error", counting)
    return counted
