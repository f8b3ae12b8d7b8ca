"""The throwaway PostgreSQL cluster the PostgreSQL tests stand on (tests/pg.py)."""
from __future__ import annotations

import os
import pwd

import pytest


def test_cluster_runs_unprivileged_on_its_own_port(pg_cluster):
    owner = pg_cluster.execute("select current_setting('data_directory'), current_setting('port'), "
                               "current_setting('unix_socket_directories')")[0]
    assert owner == (str(pg_cluster.data), str(pg_cluster.port), str(pg_cluster.root))
    assert pwd.getpwuid(os.stat(pg_cluster.data).st_uid).pw_name != "root"
    assert pg_cluster.execute("select 1 + 1") == [(2,)]


def test_databases_are_separate_and_passwords_are_checked(pg_cluster, pg_database):
    import psycopg2

    pg_cluster.execute("create table t (x int)", database=pg_database.rsplit("/", 1)[1])
    assert pg_cluster.execute("select to_regclass('public.t')") == [(None,)]   # not in 'postgres'
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        pg_cluster.connect(password="wrong").close()
