"""Processes the drills start and stop themselves: a PostgreSQL cluster, the portal under
gunicorn, a Celery worker, a slow SMTP server. Each runs on a free port of its own, so a drill
never stops anything the machine or a colleague's run shares (the 5432 PostgreSQL, the 6379
Redis)."""

import contextlib
import glob
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def missing(what: str) -> None:
    """Skip, saying why; CI sets ``REQUIRE_DRILLS`` so a missing binary fails there instead."""
    if os.environ.get("REQUIRE_DRILLS"):
        pytest.fail(f"{what} (REQUIRE_DRILLS is set: the drill must run)")
    pytest.skip(f"{what}; CI sets REQUIRE_DRILLS and runs it")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, *, timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


def postgres_bin_dir() -> Path | None:
    """The newest PostgreSQL server binaries on the machine (Debian keeps them out of PATH)."""
    if os.environ.get("PG_BIN_DIR"):
        candidates = [os.environ["PG_BIN_DIR"]]
    else:
        candidates = sorted(
            glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
        )
        if shutil.which("initdb"):
            candidates.insert(0, str(Path(shutil.which("initdb")).parent))
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


class OwnPostgres:
    """A throwaway cluster in a temporary directory: trust authentication, TCP on 127.0.0.1
    and a free port, its socket in the same directory. PostgreSQL refuses to run as root, so
    as root it runs as the ``postgres`` system user, which then owns the directory."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="camps-pg-drill-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            if not shutil.which("runuser"):
                missing("running as root without runuser: PostgreSQL refuses to run as root")
            shutil.chown(self.dir, user="postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_user, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )

    def init(self) -> None:
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` is a crash as far as clients are concerned: no goodbye to any
        connection, and recovery from the WAL at the next start."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def is_ready(self) -> bool:
        result = subprocess.run(
            [str(self.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
            check=False,
        )
        return result.returncode == 0

    def create_database(self, name: str) -> str:
        self._run(
            str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
            "postgres", name,
        )  # fmt: skip
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def portal_env(**overrides: str) -> dict[str, str]:
    """The environment of a portal process of the drill's own: production settings (DEBUG
    off) on the drill's database, plain HTTP on loopback."""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="0",
        ALLOW_SIMULATED_PAYMENTS="1",
        STATIC_MANIFEST="0",
        STAFF_MFA_REQUIRED="0",
        DJANGO_SETTINGS_MODULE="portal.settings",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Gunicorn:
    """The production web process (``gunicorn.conf.py``: gthread workers, persistent
    database connections) serving the portal on a free port."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": "2",
        }
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        def answers() -> bool:
            try:
                return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        if not wait_until(answers, timeout=60, every=0.2):
            raise AssertionError(f"gunicorn did not answer /healthz:\n{self.log.read_text()}")

    def stop(self) -> None:
        stop_group(self.process)


def stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Stop a process started with ``start_new_session`` and everything it forked."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


class SlowSMTPServer(socketserver.ThreadingTCPServer):
    """A small SMTP server, slow on purpose: after the end of a message's DATA it keeps the
    message (as a real server that has queued it would) and waits ``delay`` seconds before its
    ``250``. A client killed during that wait has sent an email it never heard was sent,
    which is exactly when a retry sends it twice (RFC 1047)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, delay: float) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPSession)
        self.port = self.server_address[1]
        self.delay = delay
        self.lock = threading.Lock()
        self.received: Counter[str] = Counter()
        self.awaiting_reply: set[int] = set()  # messages kept whose 250 was not yet sent
        self._next_id = 0
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()

    def keep(self, raw: bytes) -> int:
        subject = str(make_header(decode_header(message_from_bytes(raw)["Subject"] or "")))
        with self.lock:
            self._next_id += 1
            self.received[subject] += 1
            self.awaiting_reply.add(self._next_id)
            return self._next_id

    def replied(self, message_id: int) -> None:
        with self.lock:
            self.awaiting_reply.discard(message_id)

    def counts(self) -> dict[str, int]:
        """How many times each subject was received."""
        with self.lock:
            return dict(self.received)

    def in_flight(self) -> int:
        with self.lock:
            return len(self.awaiting_reply)


class _SMTPSession(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        server: SlowSMTPServer = self.server
        self.reply("220 drill.example.org ESMTP")
        try:
            while line := self.rfile.readline():
                verb = line.strip().split(b" ", 1)[0].upper()
                if verb == b"EHLO":
                    self.reply("250-drill.example.org")
                    self.reply("250 8BITMIME")
                elif verb == b"DATA":
                    self.reply("354 end with <CRLF>.<CRLF>")
                    lines = []
                    while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                        lines.append(data[1:] if data.startswith(b"..") else data)
                    message_id = server.keep(b"".join(lines))
                    time.sleep(server.delay)
                    self.reply("250 queued")
                    server.replied(message_id)
                elif verb == b"QUIT":
                    self.reply("221 bye")
                    return
                else:  # HELO, MAIL, RCPT, RSET, NOOP
                    self.reply("250 ok")
        except OSError:  # the client died: its message (if kept) stays kept
            return


def worker_database_url() -> str:
    """The test database, for the worker processes."""
    from django.db import connection

    if connection.vendor != "postgresql":
        missing("the worker processes share the test database: DATABASE_URL must be PostgreSQL")
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}"


class Worker:
    """A Celery worker in a process of its own, as ``scripts/stack.sh`` starts one."""

    def __init__(
        self, name: str, env: dict[str, str], log: Path, *, pool: str, concurrency: int
    ) -> None:
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "portal",
                    "worker",
                    "--pool",
                    pool,
                    "--concurrency",
                    str(concurrency),
                    "--hostname",
                    f"{name}@drill",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "INFO",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its pool's children die with it
            )

    def kill_9(self) -> None:
        stop_group(self.process, signal.SIGKILL)

    def stop(self) -> None:
        stop_group(self.process)


def queue_emails(subjects: list[str]) -> None:
    """One confirmation-like email per subject, queued in one transaction (enqueued for the
    worker after its commit)."""
    from django.db import transaction

    from portal.emails import queue_rendered_email

    with transaction.atomic():
        for number, subject in enumerate(subjects, start=1):
            queue_rendered_email(
                to=f"parent{number}@example.org",
                subject=subject,
                body_text="Confirmation d'inscription",
                language="fr",
                kind="order_confirmation",
            )
