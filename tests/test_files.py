"""pipeline/files.py: whole files or none, and what a file was built from."""
import os

import pytest

from pipeline import files


def test_atomic_write_replaces_the_file_whole(tmp_path):
    target = tmp_path / "out" / "report.html"
    files.atomic_write(target, "first")
    files.atomic_write(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "bi.duckdb"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with files.atomic_output(target) as temp:
            temp.write_bytes(b"half")
            raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["bi.duckdb"]


def test_stale_temps_of_a_killed_writer_are_removed_and_finished_files_kept(tmp_path):
    (tmp_path / "index.html").write_text("done")
    files.temp_path(tmp_path / "index.html").write_text("half")
    (tmp_path / f".report.pdf.tmp-{os.getpid() + 1}").write_text("half")
    files.remove_stale_temps(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_built_from_tells_whether_a_file_is_current(tmp_path):
    page = tmp_path / "data-dictionary.html"
    assert not files.is_built_from(page, "v1")
    files.atomic_write(page, "<html>")
    assert not files.is_built_from(page, "v1")          # never marked
    files.mark_built(page, "v1")
    assert files.is_built_from(page, "v1")
    assert not files.is_built_from(page, "v2")          # other inputs
    files.forget_built(page)
    assert not files.is_built_from(page, "v1")
    files.mark_built(page, "v1")
    page.unlink()
    assert not files.is_built_from(page, "v1")          # a mark without its file
