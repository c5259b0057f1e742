"""What a tree of files may hold: safe relative paths, and sizes a browser and a zip can carry."""

from __future__ import annotations

from domain.entities import Files
from domain.errors import FieldError, InvalidInput

MAX_FILES = 2000
MAX_PATH_LENGTH = 512
MAX_TOTAL_BYTES = 4 * 1024 * 1024


def path_error(path: str) -> str | None:
    """Why `path` cannot name a file of an app, or None when it can."""
    if not path or len(path) > MAX_PATH_LENGTH:
        return f"must be 1 to {MAX_PATH_LENGTH} characters"
    if path.startswith("/") or "\\" in path or "\x00" in path:
        return "must be a relative path with forward slashes"
    if any(segment in ("", ".", "..") for segment in path.split("/")):
        return "must not contain empty, '.' or '..' segments"
    return None


def check_files(files: Files, field: str = "files") -> None:
    """Refuses paths that could escape a folder (zip slip) and trees too big to handle."""
    if len(files) > MAX_FILES:
        raise InvalidInput([FieldError(field, f"must hold at most {MAX_FILES} files")])
    errors = [FieldError(f"{field}.{path}", reason) for path in files if (reason := path_error(path))]
    if errors:
        raise InvalidInput(errors)
    total = sum(len(content.encode()) for content in files.values())
    if total > MAX_TOTAL_BYTES:
        raise InvalidInput([FieldError(field, f"must hold at most {MAX_TOTAL_BYTES} bytes in all")])
