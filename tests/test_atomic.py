"""Atomic output: one file, a set of files, and a command's whole output folder as versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.atomic import VERSIONS_KEPT, OutputFolder, atomic_file, staged_files, write_atomic
from scheduler.errors import OutputError


def _version(out: Path, text: str) -> Path:
    folder = OutputFolder(out)
    (folder.path / "roster.json").write_text(text, encoding="utf-8")
    (folder.path / "sub").mkdir()
    (folder.path / "sub" / "a.txt").write_text(text, encoding="utf-8")
    return folder.commit()


def test_a_failed_write_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "cache.json"
    write_atomic(target, "old")
    with pytest.raises(RuntimeError), atomic_file(target) as handle:
        handle.write("half")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.json"]


def test_staged_files_appear_together_or_not_at_all(tmp_path: Path) -> None:
    with staged_files(tmp_path) as staging:
        (staging / "a.csv").write_text("1", encoding="utf-8")
        (staging / "b.csv").write_text("1", encoding="utf-8")
    with pytest.raises(RuntimeError), staged_files(tmp_path) as staging:
        (staging / "a.csv").write_text("2", encoding="utf-8")
        raise RuntimeError("killed while writing b.csv")
    assert [(p.name, p.read_text(encoding="utf-8")) for p in sorted(tmp_path.iterdir())] == [
        ("a.csv", "1"),
        ("b.csv", "1"),
    ]


def test_the_output_folder_is_a_link_to_its_newest_complete_version(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for run in range(VERSIONS_KEPT + 3):
        _version(out, f"run {run}")
        assert out.is_symlink()
        assert (out / "roster.json").read_text(encoding="utf-8") == f"run {run}"
        assert (out / "sub" / "a.txt").read_text(encoding="utf-8") == f"run {run}"
    versions = sorted(p.name for p in (tmp_path / ".out.versions").iterdir())
    assert len(versions) == VERSIONS_KEPT + 1 and versions[-1] == f"v{VERSIONS_KEPT + 3:04d}"


def test_a_run_that_does_not_commit_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _version(out, "kept")
    folder = OutputFolder(out)
    (folder.path / "roster.json").write_text("half", encoding="utf-8")
    folder.discard()
    assert (out / "roster.json").read_text(encoding="utf-8") == "kept"
    assert not any(p.name.startswith(".staging-") for p in (tmp_path / ".out.versions").iterdir())


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _version(out, "first")
    dead_pid = 2**22 + 12345  # above the kernel's pid_max: no process has it
    abandoned = tmp_path / ".out.versions" / f".staging-{dead_pid}-x1"
    abandoned.mkdir()
    (abandoned / "roster.json").write_text("half", encoding="utf-8")
    stale_link = tmp_path / f".out.link-{dead_pid}"
    stale_link.symlink_to("nowhere")
    _version(out, "second")
    assert not abandoned.exists() and not stale_link.is_symlink()


def test_an_earlier_plain_output_folder_becomes_a_kept_version(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "roster.json").write_text("before versions", encoding="utf-8")
    _version(out, "new")
    assert (out / "roster.json").read_text(encoding="utf-8") == "new"
    kept = [p for p in (tmp_path / ".out.versions").iterdir() if "earlier" in p.name]
    assert (kept[0] / "roster.json").read_text(encoding="utf-8") == "before versions"


def test_an_output_folder_that_cannot_be_used_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a coordinator's notes", encoding="utf-8")
    with pytest.raises(OutputError, match="holds files no command wrote"):
        OutputFolder(tmp_path)
    with pytest.raises(OutputError, match="is a file"):
        OutputFolder(tmp_path / "notes.txt")
    with pytest.raises(OutputError, match="cannot be written"):
        OutputFolder(tmp_path / "notes.txt" / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
