"""The dbt resource knows the version of the dbt beside this Python without running it, and it
is the version that dbt reports; another executable is still asked."""
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version

from pipeline import transform
from pipeline.defs.resources import dbt_resource


def test_the_venv_dbt_version_is_the_one_dbt_reports():
    resource = dbt_resource()
    assert isinstance(resource, DbtCliResource)
    assert Path(resource.dbt_executable).parent == Path(sys.executable).parent
    reported = subprocess.run([transform.dbt_executable(), "--version"], capture_output=True, text=True,
                              timeout=300).stdout
    assert f"installed: {resource._cli_version}" in reported, reported
    assert resource._cli_version.major == 1


def test_another_executable_is_still_asked(tmp_path):
    fake = tmp_path / "dbt"
    fake.write_text("#!/bin/sh\necho 'Core:\n  - installed: 9.8.7'\n")
    fake.chmod(0o755)
    resource = type(dbt_resource())(project_dir=transform.dbt_project(), dbt_executable=str(fake))
    assert resource._cli_version == version.parse("9.8.7")
