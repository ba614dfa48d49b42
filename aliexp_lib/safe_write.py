"""Every file we write for the user goes through here: never over a file we did not write, never half a file.

``write_file`` puts bytes at a path the user named (``-o``). An existing file there is replaced only
when it is provably ours: ``recorded`` (a record of what we wrote, kept in the user's state folder,
says this very content was written by us at this very path) or the caller's structural test
(``own_marks``: a marker in a place the user's data cannot reach). Anything else is refused with
one line naming the file and ``--overwrite``; an input of the command (``report FILE -o FILE``) is
refused even then.

The bytes are staged in a temporary file created exclusively (``tempfile.mkstemp``: an unpredictable
name, ``O_EXCL``, so no planted file or link is followed) in the target's folder, synced to disk,
then renamed over the target in one step (``os.replace``; a symbolic link at the target is replaced,
never written through). A failure (a missing folder, a folder or device as target, a read-only
folder, a full disk) is an ``InputError`` naming the file and the reason, the temporary file is
removed and nothing is left under the final name. Two writers of the same file at once: the last
rename wins and the file is always one writer's whole output.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from aliexp_lib.errors import InputError

#: The environment variable naming the folder of write records (default: the user's state folder).
STATE_DIR_VARIABLE = "ALIEXP_STATE_DIR"
#: Write records kept per target path (older ones are removed).
KEEP_RECORDS = 8
#: Files larger than this (bytes) are never read by a format's own check of ownership (``ours``); the write
#: records hold each file's size, so a large file of ours is recognised by its record without that check.
MAX_OWN_SIZE = 256 * 1024 * 1024
_OVERWRITE = "choose another name (-o) or add --overwrite to replace it"


def write_file(
    path: str | os.PathLike,
    data: bytes,
    ours: Callable[[Path], bool] | None = None,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike] = (),
) -> Path:
    """Put ``data`` at ``path`` in one step, replacing only a file that is provably ours.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder must exist.
    data : bytes
        The whole content.
    ours : callable, optional
        ``ours(path) -> bool``: the structural test that an existing file is one of ours (e.g.
        ``report.ours_report``); a file ``recorded`` as written by us unchanged is ours in any case.
    overwrite : bool, default False
        Replace whatever file is there (the user's explicit ``--overwrite``); never a folder, a
        device or one of ``inputs``.
    inputs : iterable of path-like
        The files the command read: never written over.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        One line naming the file and why nothing was written.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_file(folder / "out.csv", b"a,b\\n1,2\\n").read_bytes()
    b'a,b\\n1,2\\n'
    >>> write_file(folder / "out.csv", b"a,b\\n3,4\\n").read_bytes()  # our own, unchanged: replaced
    b'a,b\\n3,4\\n'
    >>> _ = (folder / "mine.csv").write_bytes(b"my data")
    >>> write_file(folder / "mine.csv", b"x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    aliexp_lib.errors.InputError: .../mine.csv exists and was not written by aliexp ... or add --overwrite to replace it
    >>> write_file(folder / "missing" / "out.csv", b"x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    aliexp_lib.errors.InputError: .../missing/out.csv: cannot write: the folder .../missing does not exist
    """
    return write_pieces(path, [data], ours, overwrite, inputs)


def write_pieces(
    path: str | os.PathLike,
    pieces: Iterable[bytes | memoryview],
    ours: Callable[[Path], bool] | None = None,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike] = (),
) -> Path:
    """``write_file`` of the concatenation of ``pieces``, written as they come (a large file in bounded memory).

    The pieces are produced only after the target was checked; an exception while producing them
    removes the temporary file and leaves nothing under the final name.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_pieces(folder / "out.csv", (f"{n}\\n".encode() for n in range(3))).read_bytes()
    b'0\\n1\\n2\\n'
    >>> recorded(folder / "out.csv")
    True
    """
    path = Path(path)
    existed = check_target(path, ours, overwrite, inputs)
    staged, digest = _stage(path, pieces)
    try:
        _record(path, digest, os.stat(staged).st_size)  # before the rename: a file of ours is never seen unrecorded
        if existed:
            os.replace(staged, path)
        else:
            _create(staged, path, ours, overwrite, inputs)
        _sync_folder(path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    finally:
        _remove(staged)
    return path


def write_new(path: str | os.PathLike, data: bytes) -> bool:
    """Create ``path`` holding ``data`` in one step, unless anything is there already (then False).

    Never replaces a file, even one of ours (``lab``'s copies of the notebooks, which the user edits).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_new(folder / "a.ipynb", b"{}"), write_new(folder / "a.ipynb", b"[]"), (folder / "a.ipynb").read_bytes()
    (True, False, b'{}')
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"{path}: cannot write: the folder {path.parent} does not exist")
    staged, _ = _stage(path, [data])
    try:
        os.link(staged, path)
        _sync_folder(path.parent)
    except FileExistsError:
        return False
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    finally:
        _remove(staged)
    return True


def _stage(path: Path, pieces: Iterable[bytes | memoryview]) -> tuple[str, str]:
    """``pieces`` in a new temporary file beside ``path`` (exclusive, unpredictable name), synced; its name
    and the SHA-256 digest (hex) of its content.

    Two helper threads, one writing each piece and one hashing it, work while the next is made (both
    let go of the GIL): the writing of a big table costs about as long as the slowest of the three,
    not their sum. At most ``_AHEAD`` pieces wait for them.
    """
    try:
        handle, staged = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        try:
            os.fchmod(handle, 0o666 & ~_umask())
            digest = hashlib.sha256()
            with (
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="aliexp-write") as writer,
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="aliexp-hash") as hasher,
            ):
                waiting: deque[tuple[Future, Future]] = deque()
                for data in pieces:
                    waiting.append((writer.submit(_write, handle, data), hasher.submit(digest.update, data)))
                    if len(waiting) > _AHEAD:
                        for done in waiting.popleft():
                            done.result()  # its error (a full disk) here, in order
                for both in waiting:
                    for done in both:
                        done.result()
            os.fsync(handle)
        finally:
            os.close(handle)
    except OSError as exc:
        _remove(staged)
        raise _cannot_write(path, exc) from None
    except BaseException:
        _remove(staged)
        raise
    return staged, digest.hexdigest()


#: Pieces made ahead of the one being written [pieces] (each a slice of a table: tens of MB at most).
_AHEAD = 2


def _write(handle: int, data: bytes | memoryview) -> None:
    """``data`` written whole to the file ``handle``."""
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


def check_target(
    path: str | os.PathLike,
    ours: Callable[[Path], bool] | None = None,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike] = (),
) -> bool:
    """Whether ``path`` exists; an ``InputError`` if ``write_file`` would refuse it (checked before long work).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> check_target(folder / "new.html")
    False
    >>> check_target(folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    aliexp_lib.errors.InputError: ... is a folder; give a file name (-o)
    """
    path = Path(path)
    for given in inputs:
        if _same(path, Path(given)):
            raise InputError(f"{path} is the file this command reads; nothing was written: choose another name (-o)")
    if not path.parent.is_dir():
        raise InputError(f"{path}: cannot write: the folder {path.parent} does not exist")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{path} is a folder; give a file name (-o)")
    if stat.S_ISLNK(mode):
        if not overwrite:
            raise InputError(f"{path} is a symbolic link; nothing was written: {_OVERWRITE} (the link, not its target)")
        return True
    if not stat.S_ISREG(mode):
        raise InputError(f"{path} is not a regular file (a device, pipe or socket); give a file name (-o)")
    if not overwrite and not _is_ours(path, ours):
        raise InputError(
            f"{path} exists and was not written by aliexp (or was changed since); nothing was written: " + _OVERWRITE
        )
    return True


def recorded(path: str | os.PathLike) -> bool:
    """Whether the file at ``path`` is, byte for byte, what ``write_file`` last put there.

    The record is kept in ``ALIEXP_STATE_DIR`` (default: the user's state folder, e.g.
    ``~/.local/state/aliexp``), under a name made of SHA-256 digests of the path and the content; it
    holds the file's size, so only a file of a size we wrote there is read through to compare.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> recorded(write_file(folder / "out.csv", b"a\\n1\\n"))
    True
    >>> _ = (folder / "out.csv").write_bytes(b"a\\n2\\n")  # changed by hand: no longer ours
    >>> recorded(folder / "out.csv")
    False
    """
    try:
        size = os.stat(path).st_size
        sizes = {_recorded_size(note) for note in _records_of(_records(), Path(path))}
        if size not in sizes and not (None in sizes and size <= MAX_OWN_SIZE):  # None: a record without its size
            return False
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return (_records() / _record_name(Path(path), digest.hexdigest())).exists()
    except OSError:
        return False


def _recorded_size(note: Path) -> int | None:
    """The size [bytes] a write record notes (its second line), None where it has none (older records)."""
    try:
        lines = note.read_text(encoding="utf-8").splitlines()
        return int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else None
    except (OSError, UnicodeError):
        return None


def _is_ours(path: Path, ours: Callable[[Path], bool] | None) -> bool:
    try:
        if recorded(path):
            return True
        return ours is not None and os.stat(path).st_size <= MAX_OWN_SIZE and bool(ours(path))
    except (OSError, ValueError, UnicodeError):
        return False


def _create(staged: str, path: Path, ours, overwrite: bool, inputs) -> None:
    """``staged`` to the new name ``path`` without replacing a file that appeared there meanwhile."""
    try:
        os.link(staged, path)  # fails if ``path`` exists now, even as a dangling link
    except FileExistsError:
        check_target(path, ours, overwrite, inputs)  # another run of ours got there first: last wins
        os.replace(staged, path)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV, errno.EMLINK):
            raise
        os.replace(staged, path)  # a file system without hard links


def _sync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(handle)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(handle)


def _records() -> Path:
    import platformdirs

    return Path(os.environ.get(STATE_DIR_VARIABLE) or platformdirs.user_state_dir("aliexp")) / "written"


def _record_name(path: Path, content_sha: str) -> str:
    """A record's name: the digest of the target's real path, then of the path and the content."""
    where = _real(path)
    return f"{_sha(where)[:16]}-{_sha(where + chr(0) + content_sha)[:40]}"


def _records_of(folder: Path, path: Path) -> list[Path]:
    """The write records in ``folder`` for the target ``path`` (their names start with its digest)."""
    return list(folder.glob(f"{_sha(_real(path))[:16]}-*"))


def _real(path: Path) -> str:
    return os.path.join(os.path.realpath(path.parent), path.name)


def _record(path: Path, content_sha: str, size: int) -> None:
    """Note that we wrote ``size`` bytes of SHA-256 ``content_sha`` at ``path``; the oldest notes for the path
    beyond ``KEEP_RECORDS`` go.
    A note that cannot be written only means the next run asks for ``--overwrite``."""
    try:
        folder = _records()
        folder.mkdir(parents=True, exist_ok=True)
        name = _record_name(path, content_sha)
        (folder / name).write_text(f"{os.path.abspath(path)}\n{size}\n", encoding="utf-8")
        mine = sorted(_records_of(folder, path), key=lambda p: p.stat().st_mtime_ns)
        for old in mine[:-KEEP_RECORDS]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogateescape")).hexdigest()


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove(staged: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(staged)


def _cannot_write(path: Path, exc: OSError) -> InputError:
    reason = exc.strerror or type(exc).__name__
    return InputError(f"{path}: cannot write ({reason}); nothing was written")


__all__ = ["STATE_DIR_VARIABLE", "check_target", "recorded", "write_file", "write_new", "write_pieces"]
