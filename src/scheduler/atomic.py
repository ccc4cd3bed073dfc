"""Files that appear whole or not at all: the one place that writes atomically.

- :func:`atomic_file` (and :func:`write_atomic`): one file, written beside its target, flushed
  to disk and renamed over it; a reader sees the old file or the new one, never a part.
- :func:`staged_files`: a set of files written into a staging folder and moved into place only
  when every one of them was written (the roster's files, the report's, a scenario's CSVs).
- :class:`OutputFolder`: a command's whole ``--out`` folder as one version. ``DIR`` is a link to
  the newest of the versions kept beside it in ``.DIR.versions/``; a run writes a new version,
  flushes it to disk and switches the link with one rename, so ``DIR`` always shows one run's
  complete output. A version left half-written by a killed run is removed by the next run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from scheduler.errors import OutputError, Problem

# Versions of an output folder kept besides the newest (older ones are removed).
VERSIONS_KEPT = 3
_STAGING = ".staging-"
_LINK = ".link-"


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new entry in ``folder`` durable (a no-op where directories cannot
    be opened)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def fsync_tree(folder: Path) -> None:
    """Flush every file and folder under ``folder`` to disk."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with open(Path(root) / name, "rb") as handle:
                os.fsync(handle.fileno())
        fsync_dir(Path(root))


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """A handle on a temporary file beside ``path`` that replaces ``path`` when the block ends
    without an error (after it is flushed to disk); on an error ``path`` is untouched."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if "b" not in mode:
        open_args.setdefault("encoding", "utf-8")
    # closed by the `with handle` below; kept on an error only long enough to be removed
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        mode, dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False, **open_args
    )
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def write_atomic(path: str | Path, data: str | bytes) -> None:
    with atomic_file(path, "wb" if isinstance(data, bytes) else "w") as handle:
        handle.write(data)


@contextlib.contextmanager
def staged_files(out_dir: str | Path) -> Iterator[Path]:
    """A staging folder inside ``out_dir``; what the block wrote there (files and folders) is
    moved into ``out_dir`` when the block ends without an error, replacing what had the same
    names. On an error nothing in ``out_dir`` changes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staged-", dir=out))
    try:
        yield staging
        fsync_tree(staging)
        for entry in sorted(staging.iterdir()):
            target = out / entry.name
            if entry.is_dir() and target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(entry, target)
        fsync_dir(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class OutputFolder:
    """A new version of the output folder ``out``: write into :attr:`path`, then
    :meth:`commit` (the link switch) or :meth:`discard`.

    Opening one checks, before any work is done, that ``out`` can be written: it is not a file,
    it is a new or empty folder or one this class manages (or that an earlier run of a command
    wrote: it becomes the first kept version), and the staging folder can be created there.
    """

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.versions = self.out.parent / f".{self.out.name}.versions"
        self._check_target()
        try:
            self.versions.mkdir(parents=True, exist_ok=True)
            _remove_abandoned(self.versions)
            self.path = Path(
                tempfile.mkdtemp(prefix=f"{_STAGING}{os.getpid()}-", dir=self.versions)
            )
        except OSError as error:
            raise _cannot_write(self.out, error) from None

    def _check_target(self) -> None:
        out = self.out
        if out.is_symlink() or not out.exists():
            return
        if not out.is_dir():
            raise OutputError(
                [Problem(str(out), "is a file, not a folder: give a folder for --out")]
            )
        if any(out.iterdir()) and not _written_by_a_command(out):
            raise OutputError(
                [
                    Problem(
                        str(out),
                        "holds files no command wrote: give a new or empty folder for --out "
                        "(it becomes a link to the newest of its versions)",
                    )
                ]
            )

    def commit(self) -> Path:
        """Flush the new version to disk and make ``out`` show it; returns ``out``."""
        try:
            fsync_tree(self.path)
            number = _next_number(self.versions)
            while True:  # another run may take a number at the same moment
                final = self.versions / f"v{number:04d}"
                try:
                    os.rename(self.path, final)
                    break
                except OSError:
                    if not final.exists():
                        raise
                    number += 1
            fsync_dir(self.versions)
            self._adopt_earlier_folder()
            link = self.out.parent / f".{self.out.name}{_LINK}{os.getpid()}"
            link.unlink(missing_ok=True)
            link.symlink_to(Path(self.versions.name) / final.name)
            os.replace(link, self.out)
            fsync_dir(self.out.parent)
        except OSError as error:
            raise _cannot_write(self.out, error) from None
        _prune(self.versions, keep=final)
        return self.out

    def _adopt_earlier_folder(self) -> None:
        """A plain folder ``out`` (empty, or written before versions were kept) becomes a kept
        version, so that the link can take its place."""
        if self.out.is_symlink() or not self.out.is_dir():
            return
        if any(self.out.iterdir()):
            os.rename(self.out, self.versions / f"v0000-earlier-{os.getpid()}")
        else:
            self.out.rmdir()

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


@contextlib.contextmanager
def output_folder(out: str | Path) -> Iterator[OutputFolder]:
    """An :class:`OutputFolder` that is discarded unless committed inside the block."""
    folder = OutputFolder(out)
    try:
        yield folder
    finally:
        folder.discard()  # a no-op once committed: the staging folder was renamed


# What a command writes at the top of its --out (a what-if adds a folder per variant).
_COMMAND_FILES = ("roster.json", "compare.csv", "compare.md", "summary.txt")


def _written_by_a_command(folder: Path) -> bool:
    return any((folder / name).exists() for name in _COMMAND_FILES)


def _next_number(versions: Path) -> int:
    numbers = [
        int(p.name[1:5]) for p in versions.iterdir() if p.name[:1] == "v" and p.name[1:5].isdigit()
    ]
    return max(numbers, default=0) + 1


def _prune(versions: Path, keep: Path) -> None:
    kept = sorted(
        (p for p in versions.iterdir() if p.name[:1] == "v" and p != keep),
        key=lambda p: p.name,
    )
    for old in kept[: max(0, len(kept) - VERSIONS_KEPT)]:
        shutil.rmtree(old, ignore_errors=True)


def _remove_abandoned(versions: Path) -> None:
    """Staging folders and links of runs that are no longer running (killed mid-write)."""
    for entry in versions.iterdir():
        if entry.name.startswith(_STAGING) and not _running(entry.name[len(_STAGING) :]):
            shutil.rmtree(entry, ignore_errors=True)
    stem = versions.name[: -len(".versions")]
    for entry in versions.parent.glob(f"{stem}{_LINK}*"):
        if not _running(entry.name[len(stem) + len(_LINK) :]):
            entry.unlink(missing_ok=True)


def _running(pid_text: str) -> bool:
    pid = pid_text.split("-", 1)[0]
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _cannot_write(out: Path, error: OSError) -> OutputError:
    return OutputError([Problem(str(out), f"cannot be written: {error.strerror or error}")])
