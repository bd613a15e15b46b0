"""Real telephony on loopback: Kamailio as the exchange, SIPp as callers and desk phones."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from importlib import resources
from pathlib import Path

SIPP_DIR = Path(__file__).parent / "sipp"


def have_telephony() -> bool:
    return bool(shutil.which("kamailio") and shutil.which("sipp"))


_GIVEN: set[int] = set()


def free_udp_port(span: int = 4) -> int:
    """A free UDP port whose next ``span - 1`` ports are free too (SIPp's media takes the port
    and the ones after it: RTP, RTCP, video), none handed out before in this process, so five
    callers started at once never take each other's ports."""
    for _attempt in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        block = range(port, port + span)
        if port + span > 65535 or _GIVEN.intersection(block):
            continue
        try:
            for other in block[1:]:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind(("127.0.0.1", other))
        except OSError:
            continue
        _GIVEN.update(block)
        return port
    raise RuntimeError("no free block of UDP ports on 127.0.0.1")


def kamailio_config(
    *,
    port: int,
    events_url: str,
    exchange: str,
    secret: str,
    dialplan: dict[str, tuple[str, int]],
    ring_timeout_ms: int,
) -> str:
    """Fill the shipped template; ``dialplan`` maps a dialled line to (extension, phone's UDP port)."""
    template = (
        resources.files("charterdesk.channels.phone") / "kamailio" / "charterdesk.cfg.tpl"
    ).read_text()
    lines = []
    for line, (ext, phone_port) in dialplan.items():
        lines.append(
            f'    if ($rU == "{line}") {{ $avp(ext) = "{ext}"; $du = "sip:127.0.0.1:{phone_port}"; return; }}'
        )
    values = {
        "LISTEN": f"udp:127.0.0.1:{port}",
        "EVENTS_URL": events_url,
        "EXCHANGE": exchange,
        "SECRET": secret,
        "RING_TIMEOUT_MS": str(ring_timeout_ms),
        "DIALPLAN": "\n".join(lines),
    }
    for key, value in values.items():
        template = template.replace(f"@@{key}@@", value)
    return template


class Processes:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            argv,
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.procs.append((name, proc))
        return proc

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for _name, proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def start_kamailio(procs: Processes, config: str) -> int:
    cfg = procs.workdir / "kamailio.cfg"
    cfg.write_text(config)
    rundir = procs.workdir / "run"
    rundir.mkdir(exist_ok=True)
    check = subprocess.run(["kamailio", "-c", "-f", str(cfg)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"kamailio refuses the configuration:\n{check.stderr[-3000:]}")
    procs.start(
        "kamailio",
        ["kamailio", "-f", str(cfg), "-DD", "-E", "-Y", str(rundir), "-m", "64", "-M", "8"],
    )
    port = int(config.split("listen=udp:127.0.0.1:")[1].split()[0])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if "charterdesk" in procs.log("kamailio") or _udp_in_use(port):
            return port
        time.sleep(0.2)
    raise RuntimeError(f"kamailio did not start:\n{procs.log('kamailio')[-3000:]}")


def _udp_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def sipp(
    procs: Processes,
    name: str,
    scenario: str,
    *,
    port: int,
    media_port: int,
    target: str | None = None,
    pause_ms: int = 0,
    keys: dict[str, str] | None = None,
    service: str = "",
) -> subprocess.Popen[bytes]:
    argv = ["sipp"]
    if target:
        argv.append(target)
    argv += [
        "-sf", str(SIPP_DIR / scenario), "-i", "127.0.0.1", "-p", str(port), "-mp", str(media_port),
        "-m", "1", "-nostdin", "-timeout", "90s", "-trace_err", "-error_file", str(procs.workdir / f"{name}.err"),
    ]  # fmt: skip
    if pause_ms:
        argv += ["-d", str(pause_ms)]
    if service:
        argv += ["-s", service]
    for key, value in (keys or {}).items():
        argv += ["-key", key, value]
    return procs.start(name, argv)
