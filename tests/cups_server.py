"""A private cupsd with a cups-pdf queue, for tests. Runs as root with its own ServerRoot
and port, so it never touches the machine's own CUPS."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CUPS_PDF_PPD = "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class CupsServer:
    root: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def server(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": self.server, "LANG": "C"}

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), env=self.env, capture_output=True, text=True,
                              check=check, timeout=30)

    def add_pdf_queue(self, name: str) -> None:
        self.run("lpadmin", "-p", name, "-E", "-v", "cups-pdf:/", "-m", CUPS_PDF_PPD)

    def add_queue(self, name: str, device_uri: str) -> None:
        self.run("lpadmin", "-p", name, "-E", "-v", device_uri, "-m", "raw")

    @staticmethod
    def pdf_output_dir() -> Path:
        # cups-pdf writes to ${HOME}/PDF of the job's user (root here); see cups-pdf.conf.
        return Path.home() / "PDF"

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a frozen cupsd could not act on TERM
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def start(self) -> None:
        """Start cupsd again after `stop()`, on the same root and port: the queues, job
        history and `CUPS_SERVER` of the clients all stay as they were."""
        if not self.running:
            self.process = _launch(self.root, self.port)

    def freeze(self) -> None:
        """SIGSTOP: cupsd still holds its port, so clients connect, but it never answers."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


def start_cups() -> CupsServer:
    if os.geteuid() != 0:
        raise RuntimeError("the private CUPS server for tests must run as root")
    if shutil.which("cupsd") is None:
        raise RuntimeError("cupsd is not installed: run scripts/system-deps.sh test")
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    for sub in ("spool", "spool/tmp", "cache", "state", "log", "ppd"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    port = free_port()
    (root / "cupsd.conf").write_text(
        f"Listen 127.0.0.1:{port}\nDefaultAuthType None\nLogLevel warn\n"
        # As a clinic should run it: no copy of a printed sheet (it holds a name) is kept
        # in the spool once the job is done.
        "JobRetryLimit 0\nErrorPolicy abort-job\nPreserveJobFiles No\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n"
    )
    (root / "cups-files.conf").write_text(
        f"ServerRoot {root}\nRequestRoot {root}/spool\nTempDir {root}/spool/tmp\n"
        f"CacheDir {root}/cache\nStateDir {root}/state\n"
        f"AccessLog {root}/log/access_log\nErrorLog {root}/log/error_log\n"
        f"PageLog {root}/log/page_log\nServerBin /usr/lib/cups\nDataDir /usr/share/cups\n"
        "Printcap\n"
    )
    return CupsServer(root, port, _launch(root, port))


def _launch(root: Path, port: int) -> subprocess.Popen[bytes]:
    """Run cupsd on the root's config and wait until it listens on the port."""
    process = subprocess.Popen(
        ["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"cupsd exited: {detail}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    process.wait(timeout=10)
    raise RuntimeError("cupsd did not start listening within 20 s")
