"""Process-wide plumbing for running a tool inside this process: environment variables set for a
while, and a stdout whose lines go to a logger (pipeline/transform.py runs dbt with both)."""
from __future__ import annotations

import contextlib
import logging
import os


@contextlib.contextmanager
def environment(values: dict[str, str]):
    """Set these variables for the duration (dbt reads the PostgreSQL target's from the environment)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class LinesToLog:
    """A stdout whose lines become INFO records of `logger` (contextlib.redirect_stdout(LinesToLog(...)))."""

    def __init__(self, logger: logging.Logger):
        self._logger, self._pending = logger, ""

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            self._logger.info(line)
        return len(text)

    def flush(self) -> None:
        pass
