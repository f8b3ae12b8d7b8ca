"""Running the real command in a pseudo-terminal (the `pty` module), as an operator at a terminal
would, and reading back what the terminal showed."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
REPO = Path(__file__).resolve().parent.parent


def run_in_terminal(args: list[str], columns: int = 120, rows: int = 40, env: dict | None = None,
                    timeout: float = 900) -> tuple[int, bytes]:
    """`python -m pipeline <args>` with stdin, stdout and stderr on a pseudo-terminal of that size;
    (exit code, every byte the terminal received)."""
    parent, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    environment = {**os.environ, "TERM": "xterm-256color", "GX_ANALYTICS_ENABLED": "false", **(env or {})}
    environment.pop("DAGSTER_HOME", None)
    for name in ("COLUMNS", "LINES", "NO_COLOR"):
        environment.pop(name, None)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=REPO, env=environment,
                            stdin=child, stdout=child, stderr=child, close_fds=True, start_new_session=True)
    os.close(child)
    received = bytearray()
    try:
        while True:
            ready, _, _ = select.select([parent], [], [], 1)
            if ready:
                try:
                    data = os.read(parent, 65536)
                except OSError:   # the other side closed: the process has ended
                    break
                if not data:
                    break
                received += data
            elif proc.poll() is not None:
                break
        return proc.wait(timeout=timeout), bytes(received)
    finally:
        os.close(parent)
        if proc.poll() is None:
            proc.kill()


def screen_lines(received: bytes) -> list[str]:
    """The lines the terminal kept, as a person reads them: each line's last drawing (a progress bar
    redraws itself after a carriage return; the bar is erased at the end), escape codes removed."""
    text = received.decode("utf-8", errors="replace")
    lines = []
    for line in text.split("\n"):
        drawn = [part for part in ESCAPE.sub("", line).split("\r") if part.strip()]
        lines.append(drawn[-1] if drawn else "")
    while lines and not lines[-1].strip():
        lines.pop()
    return lines
