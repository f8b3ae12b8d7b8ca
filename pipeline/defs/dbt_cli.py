"""DbtCliResource without the `dbt --version` subprocess it starts before every dbt command.

dagster-dbt asks the dbt executable for its version each run: a new Python process importing
dbt-core, 2-3 s on an idle box and 8 s on a busy one, before dbt itself starts. Ours is the dbt
beside this Python (transform.dbt_executable), i.e. the dbt-core installed here: its version
is known without asking. Any other executable is still asked.
"""
from __future__ import annotations

import sys
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version


class LocalDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version
