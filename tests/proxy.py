"""The deployment recipe's nginx (deploy/nginx-dagster.conf.template) started for a test: its own
prefix, config, pid file, logs and temp dirs in a temp dir, run as an unprivileged user, in the
foreground; a bcrypt htpasswd made with `htpasswd` (apache2-utils), as the recipe says.

`scripts/test` installs Debian's `nginx` and `apache2-utils` where missing."""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from pg import SERVICE_USER, as_service_user, free_port, private_tempdir

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "deploy" / "nginx-dagster.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HTPASSWD = shutil.which("htpasswd") or "/usr/bin/htpasswd"


def render(template: str, **values: str) -> str:
    """envsubst with an explicit list of names: only ${DAGSTER_*} are replaced, nginx's $vars stay."""
    for name, value in values.items():
        template = template.replace("${" + name + "}", value)
    assert "${DAGSTER_" not in template, "a recipe variable was left unset"
    return template


MAIN_CONF = """\
pid {root}/nginx.pid;
error_log {root}/error.log;
daemon off;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    include {root}/dagster.conf;
}}
"""


@contextlib.contextmanager
def nginx_proxy(upstream: str, user: str, password: str):
    """Yield the proxy's base URL; nginx is stopped and its dir removed afterwards."""
    root = private_tempdir("nginx-")
    try:
        (root / "tmp").mkdir()
        htpasswd = root / "dagster.htpasswd"
        subprocess.run([HTPASSWD, "-cbB", str(htpasswd), user, password], check=True, capture_output=True)
        port = free_port()
        (root / "dagster.conf").write_text(render(TEMPLATE.read_text(), DAGSTER_PROXY_LISTEN=f"127.0.0.1:{port}",
                                                  DAGSTER_WEBSERVER=upstream, DAGSTER_HTPASSWD=str(htpasswd)))
        (root / "nginx.conf").write_text(MAIN_CONF.format(root=root))
        if os.geteuid() == 0:
            account = pwd.getpwnam(SERVICE_USER)
            for path in [root / "tmp", htpasswd, root / "dagster.conf", root / "nginx.conf"]:
                os.chown(path, account.pw_uid, account.pw_gid)
        args = [NGINX, "-e", str(root / "error.log"), "-p", str(root), "-c", str(root / "nginx.conf")]
        check = subprocess.run(as_service_user([*args, "-t"]), cwd=root, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen(as_service_user(args), cwd=root, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_listening(port, proc, root)
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(proc.pid, signal.SIGTERM)   # runuser passes it on; nginx exits on TERM
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _wait_listening(port: int, proc: subprocess.Popen, root: Path) -> None:
    deadline = time.monotonic() + 60   # a generous limit only turns a hang into a failure
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = (root / "error.log").read_text(errors="replace") if (root / "error.log").exists() else ""
            raise AssertionError(f"nginx exited with {proc.returncode}: {proc.stderr.read()}\n{log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
            return
        except urllib.error.HTTPError:
            return   # 401: nginx answers
        except OSError:
            time.sleep(0.2)
    raise AssertionError("nginx did not start listening")
