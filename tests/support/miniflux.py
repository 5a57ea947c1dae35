"""A real Miniflux on 127.0.0.1 over a throwaway PostgreSQL cluster, for the sync tests.

PostgreSQL comes from the machine (Debian's ``postgresql``: ``initdb`` and ``pg_ctl``), run
in a temporary folder on a free port with ``fsync=off``; as root, through ``runuser`` as the
``postgres`` user, since PostgreSQL refuses to run as root. Miniflux is the static binary
``scripts/get_miniflux.py`` finds or fetches. :func:`unavailable` says why either cannot be
had here, so that tests skip with that reason rather than fail.

Miniflux keeps its Google Reader and Fever APIs off per user; :meth:`Miniflux.enable_apis`
switches them on with SQL on its ``integrations`` table, as its settings page would.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.feedserver import FeedServer
from tests.support.paths import PROJECT_ROOT

ADMIN = "admin"
ADMIN_PASSWORD = "test-password-123"  # only ever on 127.0.0.1, in a cluster that is thrown away


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_bin() -> Path | None:
    """The newest PostgreSQL's bin folder on this machine, if any."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def miniflux_binary() -> Path | None:
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "get_miniflux.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    path = Path(result.stdout.strip()) if result.returncode == 0 else None
    return path if path is not None and path.exists() else None


def unavailable() -> str | None:
    """Why a Miniflux cannot be started here, or None when it can."""
    if postgres_bin() is None:
        return "PostgreSQL is not installed (Debian: apt-get install postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start PostgreSQL as its own user"
    if miniflux_binary() is None:
        return "no miniflux binary, and Debian's package could not be fetched"
    return None


class Postgres:
    """One PostgreSQL cluster in a temporary folder; :meth:`stop` throws it away."""

    def __init__(self) -> None:
        bindir = postgres_bin()
        assert bindir is not None, unavailable()
        self.bin = bindir
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="newsterm-pg-"))
        self.data = self.dir / "data"
        self.socket_dir = self.dir / "sockets"
        self.socket_dir.mkdir()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.socket_dir, "postgres", "postgres")

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        command = [*argv]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, capture_output=True, text=True, timeout=120, check=True, cwd=self.dir
        )

    def start(self) -> None:
        if not self.data.exists():
            self._run(
                str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                "--no-sync", "-E", "UTF8",
            )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-t", "60",
            "-l", str(self.dir / "postgres.log"), "start",
        )  # fmt: skip

    def sql(self, statement: str, database: str = "postgres") -> str:
        result = self._run(
            str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtc", statement,
        )  # fmt: skip
        return result.stdout.strip()

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Miniflux:
    """A Miniflux process on 127.0.0.1 over its own database in ``postgres``."""

    postgres: Postgres
    binary: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    database: str = "miniflux"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start (or restart, on the same port and data) and wait for /healthcheck."""
        if not self.port:
            self.port = _free_port()
            self.postgres.sql(f"CREATE DATABASE {self.database}")
            self.postgres.sql("CREATE EXTENSION IF NOT EXISTS pgcrypto", self.database)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "RUN_MIGRATIONS": "1",
            "CREATE_ADMIN": "1",
            "ADMIN_USERNAME": ADMIN,
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "LISTEN_ADDR": f"127.0.0.1:{self.port}",
            "BASE_URL": self.url,
            "DATABASE_URL": (
                f"postgres://postgres@127.0.0.1:{self.postgres.port}/{self.database}"
                "?sslmode=disable"
            ),
            "POLLING_FREQUENCY": "525600",  # feeds are refreshed when a test asks, not on a timer
            "BATCH_SIZE": "1000",
            "WORKER_POOL_SIZE": "4",
            "LOG_LEVEL": "error",
        }
        log = (self.postgres.dir / "miniflux.log").open("ab")
        self.process = subprocess.Popen(
            [str(self.binary)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"miniflux exited: {self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthcheck", timeout=1).text.strip() == "OK":
                    return
            time.sleep(0.05)
        raise RuntimeError(f"miniflux did not answer /healthcheck: {self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log_tail(self) -> str:
        path = self.postgres.dir / "miniflux.log"
        return path.read_text(errors="replace")[-1000:] if path.exists() else ""

    def enable_apis(self, user: str = ADMIN, password: str = ADMIN_PASSWORD) -> None:
        """Switch on the Google Reader and Fever APIs for ``user``, with ``password``."""
        quoted_user = user.replace("'", "''")
        quoted_password = password.replace("'", "''")
        self.postgres.sql(
            "UPDATE integrations SET"
            " googlereader_enabled = true,"
            f" googlereader_username = '{quoted_user}',"
            f" googlereader_password = crypt('{quoted_password}', gen_salt('bf')),"
            " fever_enabled = true,"
            f" fever_username = '{quoted_user}',"
            f" fever_token = md5('{quoted_user}:{quoted_password}')"
            f" WHERE user_id = (SELECT id FROM users WHERE username = '{quoted_user}')",
            self.database,
        )

    def make_api_key(self, user: str = ADMIN) -> str:
        """An API key for ``user``, as Miniflux's settings page makes one."""
        token = secrets.token_urlsafe(24)
        quoted_user = user.replace("'", "''")
        self.postgres.sql(
            "INSERT INTO api_keys (user_id, token, description) VALUES ("
            f"(SELECT id FROM users WHERE username = '{quoted_user}'), '{token}', "
            f"'newsterm tests {token[:6]}')",
            self.database,
        )
        return token

    def api(self) -> httpx.Client:
        """Miniflux's own REST API as the admin user."""
        return httpx.Client(base_url=f"{self.url}/v1", auth=(ADMIN, ADMIN_PASSWORD), timeout=30)


@dataclass
class Account:
    server: Miniflux
    feeds: FeedServer
    entry_ids: dict[str, int]  # Miniflux's entry id by title

    def entry(self, title: str) -> dict[str, object]:
        with self.server.api() as api:
            return dict(api.get(f"/entries/{self.entry_ids[title]}").json())


@contextlib.contextmanager
def running_miniflux() -> Iterator[Miniflux]:
    binary = miniflux_binary()
    assert binary is not None, unavailable()
    postgres = Postgres()
    postgres.start()
    server = Miniflux(postgres, binary)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        postgres.stop()
