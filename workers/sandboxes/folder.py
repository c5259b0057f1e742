"""Files of a local sandbox's folder, read, written and removed without ever leaving the folder.

The folder is shared with code the model wrote (its commands, its dev server), which can put
links in it: `ln -s / out` and a later write to `out/etc/...`, a link to this server's database
served as a preview, a hard link to a file of this server's user. So a path is never handed to the
operating system whole. Each step is opened from the folder's own handle with O_NOFOLLOW, so a
symbolic link met on the way (even one swapped in between two steps) is refused, not followed.
Reads first resolve the path and go on only when it stays inside the folder, so links within the
app still work. Writes go to a new file renamed over the old one, so they never write into an
existing file (a hard link) and replace a link instead of following it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from workers.sandboxes.base import FileRefused, SandboxError

_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
"""O_NONBLOCK: a FIFO named like a page must not hang its reader; regular files ignore it."""
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_REFUSALS = {
    errno.ELOOP: "is a symbolic link, which is not followed",
    errno.ENOTDIR: "goes through a file or a symbolic link where a folder should be",
    errno.EISDIR: "is a folder",
}
_ABSENT = (FileNotFoundError, NotADirectoryError)


def read_file(root: Path, relative: str) -> bytes | None:
    """The bytes of the regular file at `relative`; None when there is none inside `root`:
    missing, a folder or a FIFO, or reached through a link leading out."""
    steps = _resolved_inside(root, relative)
    if not steps:
        return None
    try:
        with _folder(root) as top, _walk(top, steps[:-1], create=False) as parent:
            fd = os.open(steps[-1], _READ, dir_fd=parent)
            with os.fdopen(fd, "rb") as file:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    return None
                return file.read()
    except _ABSENT:
        return None
    except OSError as error:
        if error.errno in _REFUSALS:
            return None
        raise


def write_files(root: Path, files: dict[str, bytes]) -> None:
    """Creates or replaces each file, creating its folders. A symbolic link on the way, or a
    folder where the file should be, refuses that file (FileRefused). The sandbox's folder itself
    must exist: one removed meanwhile (its project deleted) is not brought back."""
    try:
        with _folder(root) as top:
            for relative, content in files.items():
                *folders, name = relative.split("/")
                try:
                    with _walk(top, folders, create=True) as parent:
                        _replace(parent, name, content)
                except OSError as error:
                    raise _refusal(relative, error) from error
    except FileNotFoundError:
        raise SandboxError("The sandbox's folder is gone (its project was deleted).") from None


def remove_files(root: Path, paths: Iterable[str]) -> None:
    """Removes each of these files that exists, and the folders that leaves empty; a path through a
    link is left alone."""
    with contextlib.suppress(FileNotFoundError), _folder(root) as top:
        for relative in paths:
            with contextlib.suppress(*_ABSENT, IsADirectoryError, PermissionError):
                _remove(top, relative.split("/"))


def _replace(parent: int, name: str, content: bytes) -> None:
    temporary = f".forge-write-{secrets.token_hex(8)}"  # short: `name` may already take 255 bytes
    fd = os.open(temporary, _CREATE, 0o644, dir_fd=parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
        os.rename(temporary, name, src_dir_fd=parent, dst_dir_fd=parent)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=parent)
        raise


def _remove(top: int, steps: list[str]) -> None:
    chain = [top]  # the handle of each folder from the top down to the file's own
    try:
        for name in steps[:-1]:
            chain.append(os.open(name, _FOLDER, dir_fd=chain[-1]))
        os.unlink(steps[-1], dir_fd=chain[-1])
        for depth in range(len(steps) - 1, 0, -1):  # the folders left empty, deepest first
            try:
                os.rmdir(steps[depth - 1], dir_fd=chain[depth - 1])
            except OSError:
                break
    finally:
        for fd in chain[1:]:
            os.close(fd)


def _resolved_inside(root: Path, relative: str) -> list[str] | None:
    """The steps from the folder to what `relative` really names, or None when that lies outside
    the folder (a link leading out) or cannot be resolved (a loop of links)."""
    try:
        real_root = root.resolve(strict=True)
        real = (real_root / relative).resolve()
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(real_root):
        return None
    return list(real.relative_to(real_root).parts)


@contextlib.contextmanager
def _folder(root: Path) -> Iterator[int]:
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield fd
    finally:
        os.close(fd)


@contextlib.contextmanager
def _walk(top: int, names: list[str], create: bool) -> Iterator[int]:
    """The handle of the folder `names` lead to from `top`, one step at a time, no link followed."""
    current = os.dup(top)
    try:
        for name in names:
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o755, dir_fd=current)
            step = os.open(name, _FOLDER, dir_fd=current)
            os.close(current)
            current = step
        yield current
    finally:
        os.close(current)


def _refusal(relative: str, error: OSError) -> SandboxError:
    reason = _REFUSALS.get(error.errno or 0)
    if reason is not None:
        return FileRefused(f"{relative} {reason}.")
    return SandboxError(f"Writing {relative} failed: {error.strerror}.")
