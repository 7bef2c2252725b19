"""Writing what govcard writes, so that a reader or a crash never sees half of it and govcard never
deletes what it did not write.

Files are written through a temporary file and a rename. Folders govcard owns as a whole (the
rendered cards, the built site, the site's kept MkDocs project) are replaced by one mechanism:

- A folder is govcard's only if it holds a marker that only govcard writes: a JSON file that
  starts with `"generator": "govcard"` (for rendered cards, their governance.json; for a site and
  its MkDocs project, a `.govcard.json` that names the kind of folder and lists its files). A
  non-empty folder without it, or with files govcard did not write, is refused with one line and
  nothing is touched.
- The new content is written into a staging folder beside the old one, `.<name>.govcard-new-*`,
  which the running process holds a lock on; then staging and output trade places in one atomic
  exchange (`renameat2(RENAME_EXCHANGE)` on Linux, `renamex_np(RENAME_SWAP)` on macOS), so at
  every moment, killed or not, the folder holds the old output or the new one. Where the system
  cannot exchange, two renames with Ctrl-C and SIGTERM held back between them do it, and a later
  run puts back an old output a kill left in `.<name>.govcard-old-*`.
- A killed run's staging and old folders are recognised by those names and by nobody holding
  their lock, and the next run into the same folder removes them.
- A write error (a read-only or full file system) or Ctrl-C ends with one line, the old output
  left in place; Ctrl-C during the swap or the cleanup is held back until they are done.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from govcard.errors import GovcardError, Problem

MARKER = ".govcard.json"
# How every marker starts: json.dumps(..., indent=2) of a mapping whose first key is "generator".
_SIGNATURE = b'{\n  "generator": "govcard",\n'
_MARKER_MAX_BYTES = 16_000_000  # a site of some 100,000 pages
_STAGING = "new"
_OLD = "old"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


def write_text(path: Path, text: str) -> None:
    """Write `text` (UTF-8, LF) to `path` through a temporary file and an atomic rename.

    A new file gets the permissions the user's umask gives (not tempfile's 0600: a project file
    is shared like any source file); a file it replaces keeps its own.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        kept = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        kept = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(temporary, flags | getattr(os, "O_CLOEXEC", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        if kept is not None:
            os.chmod(temporary, kept)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_files(folder: Path, files: dict[str, str]) -> None:
    """Write each text of `files` (relative POSIX path -> text) under `folder`, UTF-8 with LF,
    in path order: how a staging folder is filled before `replace` swaps it in."""
    for relative, text in sorted(files.items()):
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)


class Interrupted(GovcardError):
    """Ctrl-C (or SIGTERM): one line saying what is on disk, exit 130."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, where: str, message: str) -> None:
        super().__init__([Problem(where, 0, 0, message)])


@dataclass(frozen=True)
class Kind:
    """A kind of folder govcard writes and replaces as a whole."""

    name: str
    """What the marker calls it (`site`, `site source`); empty when the marker is governance.json."""
    refusal: str
    """Said of a folder that is not of this kind, after `FOLDER: `; `{files}` lists a few entries."""
    marker: str = MARKER
    """The marker's path inside the folder."""
    foreign: Callable[[Path], list[str]] | None = None
    """What in a marked folder govcard did not write (it stops the replacement); by default, for
    a `.govcard.json` marker, the files the marker does not list."""
    unmarked: Callable[[Path], list[str]] | None = None
    """What in a folder without the marker govcard did not write; by default, everything in it.
    (An output folder may hold only folders of another kind govcard wrote there first.)"""


def marker_text(kind: Kind, files: Sequence[str]) -> str:
    """A `.govcard.json` marker of `kind` that lists the files govcard wrote beside it."""
    note = (
        f"govcard wrote this folder ({kind.name}) with the files listed here. It replaces the "
        "folder as a whole when it writes it again, and refuses to while the folder holds other "
        "files."
    )
    document = {"generator": "govcard", "kind": kind.name, "note": note, "files": sorted(files)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _read_marker(folder: Path, kind: Kind) -> dict[str, Any] | None:
    """The marker of `kind` in `folder` (a regular file, not a link), or None. Of a
    governance.json only the start is read: its content is the facts, not a list of files."""
    path = folder / kind.marker
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None  # a FIFO or a device is not read (and cannot block)
        if kind.marker != MARKER:
            return {} if os.read(fd, len(_SIGNATURE)) == _SIGNATURE else None
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(_MARKER_MAX_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if not data.startswith(_SIGNATURE) or len(data) > _MARKER_MAX_BYTES:
        return None
    try:
        document = json.loads(data.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(document, dict) or document.get("kind") != kind.name:
        return None
    files = document.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return document


def is_marked(folder: Path, kind: Kind) -> bool:
    """Whether `folder` holds the marker of `kind`."""
    return _read_marker(folder, kind) is not None


def stamp(folder: Path, kind: Kind) -> None:
    """Write the `.govcard.json` marker of `kind` into `folder`, listing every file in it."""
    files = sorted(files_in(folder) - {kind.marker})
    (folder / kind.marker).write_text(marker_text(kind, files), encoding="utf-8", newline="\n")


def files_in(folder: Path) -> set[str]:
    """Every entry under `folder` that is not a folder, by relative POSIX path; a folder that
    cannot be listed (unreadable, too deep for a path) counts as one entry. Links are not
    followed, and there is no recursion: any depth is fine."""
    found: set[str] = set()
    stack = [""]
    while stack:
        relative = stack.pop()
        try:
            with os.scandir(folder / relative if relative else folder) as listing:
                entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in listing]
        except OSError:
            found.add(relative)
            continue
        for name, is_dir in entries:
            path = f"{relative}/{name}" if relative else name
            (stack.append if is_dir else found.add)(path)
    return found


def is_own(folder: Path, kind: Kind) -> bool:
    """Whether `folder` is govcard's folder of `kind`: marked, and holding nothing else."""
    try:
        return is_marked(folder, kind) and not _foreign(folder, kind, folder)
    except GovcardError:
        return False


def check_replaceable(folder: Path, kind: Kind, inputs: Sequence[Path] = ()) -> Path:
    """Refuse, with one line, to replace `folder` unless it is missing, empty or govcard's own
    folder of `kind`; return its resolved path. `inputs` (the files a command reads) must not be
    inside it."""
    shown = str(folder)
    try:
        target = folder.resolve()
        here = Path.cwd().resolve()
    except (OSError, RuntimeError) as exc:
        raise GovcardError.at(shown, f"cannot be resolved: {exc}") from None
    if here.is_relative_to(target):
        raise GovcardError.at(
            shown,
            "is the current folder or holds it; govcard replaces its output folder as a whole, "
            "so give it a folder of its own",
        )
    for path in inputs:
        if path.resolve().is_relative_to(target):
            raise GovcardError.at(
                shown,
                f"holds {path}, which this command reads; govcard replaces this folder as a "
                "whole, so give it a folder of its own",
            )
    foreign = _foreign(target, kind, folder)
    if foreign:
        raise refusal(folder, kind, foreign)
    return target


def refusal(folder: Path, kind: Kind, foreign: list[str]) -> GovcardError:
    """The one line that refuses `folder`, naming a few of the files govcard did not write."""
    names = [name if len(name) <= 80 else f"{name[:77]}..." for name in foreign[:3]]
    if len(foreign) > 3:
        names.append(f"{len(foreign) - 3} more")
    return GovcardError.at(str(folder), kind.refusal.format(files=", ".join(names)))


def _foreign(target: Path, kind: Kind, folder: Path) -> list[str]:
    """What stops `target` from being replaced: every entry of a non-empty folder without the
    marker of `kind`, or what `kind.foreign` finds in a marked one."""
    if not os.path.lexists(target):
        return []
    if not target.is_dir():
        raise GovcardError.at(str(folder), "is a file, not a folder")
    try:
        entries = sorted(p.name for p in target.iterdir())
    except OSError as exc:
        raise write_error(folder, exc, target) from None
    if not entries:
        return []
    # A folder without the marker is not govcard's, whatever its files are called (but for
    # what its kind's `unmarked` allows).
    marker = _read_marker(target, kind)
    if marker is None:
        if kind.unmarked is None:
            return entries
        try:
            return kind.unmarked(target)
        except OSError as exc:
            raise write_error(folder, exc, target) from None
    try:
        if kind.foreign is not None:
            return kind.foreign(target)
    except OSError as exc:
        raise write_error(folder, exc, target) from None
    listed = set(marker.get("files", [])) | {kind.marker}
    return sorted(files_in(target) - listed)


def replace(
    folder: Path,
    kind: Kind,
    fill: Callable[[Path], None],
    inputs: Sequence[Path] = (),
) -> None:
    """Fill a staging folder with `fill`, mark it as `kind`, and put it in place of `folder`.

    `folder` must be missing, empty or govcard's own (see `check_replaceable`). On any failure
    or Ctrl-C the old folder stays as it was and the staging folder is removed.
    """
    target = check_replaceable(folder, kind, inputs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _sweep(target)
        staging, lock = _staging(target)
    except OSError as exc:
        raise write_error(folder, exc, target) from None
    swapped = False
    trash: Path | None = None
    try:
        try:
            fill(staging)
            if kind.marker == MARKER:
                stamp(staging, kind)
            elif not is_marked(staging, kind):
                raise AssertionError(f"{kind.marker} was not written")  # a govcard bug
            with uninterrupted():
                trash = _swap(staging, target, kind, folder)
                swapped = True
        finally:
            # Whatever happened, what is not in place is removed: the unused staging folder, or
            # the old output the swap put aside. A Ctrl-C waits for it.
            with uninterrupted():
                for leftover in (staging, trash):
                    if leftover is not None and os.path.lexists(leftover):
                        _remove_tree(leftover)
    except KeyboardInterrupt:
        raise Interrupted(
            str(folder),
            "interrupted; the new output is in place"
            if swapped
            else "interrupted; the previous output is unchanged",
        ) from None
    except OSError as exc:
        raise write_error(folder, exc, staging if not swapped else target) from None
    finally:
        _unlock(lock)


@contextlib.contextmanager
def scratch(folder: Path) -> Iterator[Path]:
    """A temporary folder beside `folder`, for work on the way to it (the site's MkDocs project):
    removed afterwards, or by the next run's sweep if this one is killed."""
    target = folder.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _sweep(target)
        work, lock = _staging(target)
    except OSError as exc:
        raise write_error(folder, exc) from None
    completed = False
    try:
        yield work
        completed = True
    except OSError as exc:
        raise write_error(folder, exc) from None
    finally:
        try:
            with uninterrupted():
                _remove_tree(work)
        except KeyboardInterrupt:
            if completed:
                raise Interrupted(str(folder), "interrupted; the new output is in place") from None
            # Otherwise an error or an interrupt is on its way already, and says what happened.
        finally:
            _unlock(lock)


def write_error(folder: Path, exc: OSError, written: Path | None = None) -> GovcardError:
    """One line for a failed write: which file (under the name the user gave), and why."""
    where = str(folder)
    name = exc.filename
    if written is not None and isinstance(name, str | bytes | os.PathLike):
        path = Path(os.fsdecode(name))
        with contextlib.suppress(ValueError):
            relative = path.relative_to(written)
            where = str(folder / relative) if relative.parts else str(folder)
    reason = exc.strerror or str(exc)
    return GovcardError.at(where, f"could not write: {reason}; the previous output is unchanged")


# --- the swap ----------------------------------------------------------------------------------


def _swap(staging: Path, target: Path, kind: Kind, folder: Path) -> Path | None:
    """Put `staging` in place of `target`; return where the old output now is, if anywhere."""
    if not os.path.lexists(target):
        try:
            os.rename(staging, target)
            return None
        except OSError as exc:  # another run was quicker
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
    # Checked again, right before: a folder that became another's since the start is left alone.
    foreign = _foreign(target, kind, folder)
    if foreign:
        raise refusal(folder, kind, foreign)
    if exchange(staging, target):
        return staging
    # No atomic exchange here: the old output steps aside under a name a later run recognises,
    # and is put back by that run if a kill came between the two renames.
    old = staging.with_name(staging.name.replace(f".govcard-{_STAGING}-", f".govcard-{_OLD}-", 1))
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        raise
    return old


def exchange(a: Path, b: Path) -> bool:
    """Swap two directory entries in one atomic step; False where the system cannot."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    if sys.platform.startswith("linux"):
        function = getattr(libc, "renameat2", None)
        if function is None:
            return False
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
        function.argtypes += [ctypes.c_uint]
        at_fdcwd, rename_exchange = -100, 2
        result = function(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    elif sys.platform == "darwin":
        function = getattr(libc, "renamex_np", None)
        if function is None:
            return False
        function.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        rename_swap = 2
        result = function(os.fsencode(a), os.fsencode(b), rename_swap)
    else:
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back until the block is done, then deliver them (a Ctrl-C raises
    KeyboardInterrupt there). A signal the process ignores stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous: dict[signal.Signals, Any] = {}
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, hold)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for number in dict.fromkeys(received):
            signal.raise_signal(number)


# --- staging folders and leftovers -------------------------------------------------------------


def _prefix(target: Path, role: str) -> str:
    return f".{target.name}.govcard-{role}-"


def _staging(target: Path) -> tuple[Path, int | None]:
    """A fresh staging folder beside `target`, locked by this process while it works.

    It becomes the output folder, so it is made with the permissions of the folder it replaces,
    or those the user's umask gives a new folder (not tempfile's 0700, which left the rendered
    cards unreadable to anyone else, a web server included).
    """
    try:
        info = target.lstat()
        kept = stat.S_IMODE(info.st_mode) if stat.S_ISDIR(info.st_mode) else None
    except OSError:
        kept = None
    while True:
        staging = target.parent / f"{_prefix(target, _STAGING)}{secrets.token_hex(6)}"
        try:
            os.mkdir(staging, 0o777)
        except FileExistsError:
            continue
        try:
            lock = _lock(staging)
        except FileNotFoundError:
            continue
        # A sweep of another run may have taken the empty folder before the lock: start again.
        if lock is None or os.fstat(lock).st_ino == _inode(staging):
            try:
                if kept is not None:
                    os.chmod(staging, kept)
            except FileNotFoundError:  # swept where there are no locks
                continue
            return staging, lock
        _unlock(lock)


def _inode(path: Path) -> int | None:
    try:
        return path.lstat().st_ino
    except OSError:
        return None


def _lock(folder: Path, wait: bool = True) -> int | None:
    """An exclusive lock on `folder` (its descriptor), or None where locks are unavailable or,
    with `wait=False`, when another process holds it."""
    try:
        import fcntl
    except ImportError:
        return None
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        # Held by another process, or a file system without locks: either way a sweep leaves
        # the folder alone, and a run that cannot lock its own staging folder goes on without.
        os.close(fd)
        return None
    return fd


def _unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)


def leftovers(target: Path) -> list[Path]:
    """Staging and old folders that govcard runs into `target` left beside it."""
    names = (_prefix(target, _STAGING), _prefix(target, _OLD))
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    return sorted(p for p in entries if p.name.startswith(names) and _is_real_dir(p))


def _is_real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def _sweep(target: Path) -> None:
    """Remove what killed runs into `target` left behind; put back an old output a kill left
    aside. A folder another running govcard holds the lock of is left alone."""
    try:
        import fcntl  # noqa: F401
    except ImportError:
        return  # without locks a running build cannot be told from a dead one
    for leftover in leftovers(target):
        staging = leftover.with_name(
            leftover.name.replace(f".govcard-{_OLD}-", f".govcard-{_STAGING}-", 1)
        )
        if leftover != staging and os.path.lexists(staging):
            # Its run may still be between its two renames; the staging folder's lock says.
            owner = _lock_or_none(staging)
            if owner is None:
                continue
            _unlock(owner)
        lock = _lock_or_none(leftover)
        if lock is None:
            continue
        try:
            if leftover.name.startswith(_prefix(target, _OLD)) and not os.path.lexists(target):
                os.rename(leftover, target)
            else:
                _remove_tree(leftover)
        finally:
            _unlock(lock)


def _lock_or_none(folder: Path) -> int | None:
    try:
        return _lock(folder, wait=False)
    except OSError:
        return None


def _remove_tree(folder: Path) -> None:
    """Remove `folder` and everything in it, however deep; what cannot be removed stays for the
    next run's sweep."""
    try:
        shutil.rmtree(folder)
    except FileNotFoundError:
        return
    except (OSError, RecursionError):
        if os.rename in os.supports_dir_fd and os.path.lexists(folder):
            with contextlib.suppress(OSError):
                _remove_flat(folder)


def _remove_flat(folder: Path) -> None:
    """Remove a tree too deep for a recursive walk: subfolders are moved up to `folder` itself
    before their parent is emptied, so nothing is ever more than two levels down."""
    root = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        while True:
            with os.scandir(root) as listing:
                entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in listing]
            if not entries:
                break
            for name, is_dir in entries:
                if not is_dir:
                    os.unlink(name, dir_fd=root)
                    continue
                child = os.open(name, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0), dir_fd=root)
                try:
                    with os.scandir(child) as listing:
                        inner = [(e.name, e.is_dir(follow_symlinks=False)) for e in listing]
                    for inner_name, inner_is_dir in inner:
                        if inner_is_dir:
                            os.rename(
                                inner_name,
                                f"{secrets.token_hex(8)}",
                                src_dir_fd=child,
                                dst_dir_fd=root,
                            )
                        else:
                            os.unlink(inner_name, dir_fd=child)
                finally:
                    os.close(child)
                os.rmdir(name, dir_fd=root)
    finally:
        os.close(root)
    os.rmdir(folder)
