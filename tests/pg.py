"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, `initdb` into a temp
dir, run as an unprivileged user (PostgreSQL refuses to run as root), a free port on 127.0.0.1,
the unix socket in the temp dir; stopped with `pg_ctl stop -m immediate` and removed at the end.

`scripts/test` installs Debian's `postgresql` where missing (like chromium)."""
from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

# the unprivileged account the server runs as when the tests run as root (CI does)
SERVICE_USER = os.environ.get("PIPELINE_TEST_SERVICE_USER", "nobody")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str:
    """Debian keeps the server binaries out of PATH, in /usr/lib/postgresql/<major>/bin."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} not found: apt-get install postgresql (scripts/test does)")
    return found


def as_service_user(args: list[str]) -> list[str]:
    """Root runs the command as SERVICE_USER (runuser); anyone else runs it as themselves."""
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", SERVICE_USER, "--", *args]


def private_tempdir(prefix: str) -> Path:
    """A 0700 temp dir owned by the account the service runs as (pytest's own tmp is root's only)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        user = pwd.getpwnam(SERVICE_USER)
        os.chown(path, user.pw_uid, user.pw_gid)
    return path


class PgCluster:
    """One postgres server; `url()` for clients, `execute()` as the superuser, `create_database()`."""

    superuser = "postgres"

    def __init__(self) -> None:
        self.root = private_tempdir("pg-cluster-")
        self.data = self.root / "data"
        self.port = free_port()
        self.password = secrets.token_hex(12)
        self.log = self.root / "server.log"

    def _run(self, args: list[str]) -> None:
        result = subprocess.run(as_service_user(args), cwd=self.root, capture_output=True, text=True)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{log}")

    def start(self) -> "PgCluster":
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(pwfile, SERVICE_USER)
        # passwords over TCP (as a real server), trust only on the private unix socket
        self._run([pg_bin("initdb"), "-D", str(self.data), "-U", self.superuser, f"--pwfile={pwfile}",
                   "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"])
        pwfile.unlink()
        # throwaway: durability off for speed (the crash tests kill the client, never the server)
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run([pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"])
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run([pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", user: str | None = None, password: str | None = None) -> str:
        user = user or self.superuser
        password = self.password if user == self.superuser and password is None else password
        auth = quote(user) + (f":{quote(password)}" if password else "")
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres", user: str | None = None, password: str | None = None):
        import psycopg2

        return psycopg2.connect(self.url(database, user, password))

    def execute(self, sql: str, database: str = "postgres", params=None) -> list[tuple]:
        """One statement in autocommit as the superuser (CREATE DATABASE cannot run in a transaction)."""
        con = self.connect(database)
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        finally:
            con.close()

    def create_database(self, name: str) -> str:
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
