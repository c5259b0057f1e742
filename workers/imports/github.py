"""A GitHub repository's text files, read through the REST API: which repository and ref an import
names, its tree, then the contents of the files worth a draft (no binaries, nothing huge)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
from urllib.parse import quote, urlsplit

import msgspec

from domain.entities import Files, Import
from domain.rules.files import path_error
from workers.imports.http import ImportFailed, ProviderApi

MAX_FILES = 500
"""Text files an import brings into the draft; a repository with more is refused."""
MAX_TOTAL_BYTES = 3 * 1024 * 1024
"""Their size in all (below the draft's own 4 MiB limit); a repository with more is refused."""
MAX_FILE_BYTES = 512 * 1024
"""A larger file (a bundle, a data dump, a lockfile of a monorepo) is left out and listed."""
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""A recursive tree of a big repository is a large JSON document; beyond this it is refused."""
CONCURRENT_BLOBS = 8
SKIPPED_LISTED = 50
"""Skipped paths named in the import's metadata."""

API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
SKIPPED_FOLDERS = frozenset({"node_modules", ".git"})
_BINARY = """
png jpg jpeg gif webp ico bmp tiff avif heic psd ai sketch fig
woff woff2 ttf otf eot mp3 mp4 m4a wav ogg webm mov avi flac
zip gz tgz bz2 xz 7z rar jar war tar pdf doc docx xls xlsx ppt pptx
exe dll so dylib bin class o a wasm pyc db sqlite sqlite3 lockb
"""
BINARY_EXTENSIONS = frozenset(_BINARY.split())
"""Left out by name, without fetching them; other binaries are recognised by their content."""
_SEGMENT = re.compile(r"^[A-Za-z0-9_.-]+$")
_FILE_MODES = frozenset({"100644", "100755"})
"""Regular files; symbolic links (120000) and submodules (commits) are not brought in."""


class RepositorySpec(msgspec.Struct, frozen=True, kw_only=True):
    """Which repository an import names: `owner/name`, or only GitHub's numeric id."""

    full_name: str | None = None
    repository_id: str | None = None
    ref: str | None = None
    """A branch, tag or commit; None: the repository's default branch."""


class RepositoryInfo(msgspec.Struct, frozen=True):
    full_name: str
    default_branch: str


class TreeEntry(msgspec.Struct, frozen=True):
    path: str
    mode: str
    type: str
    sha: str
    size: int | None = None


class Tree(msgspec.Struct, frozen=True):
    sha: str
    tree: list[TreeEntry]
    truncated: bool = False


class Blob(msgspec.Struct, frozen=True):
    content: str
    encoding: str


class Repository(msgspec.Struct, frozen=True, kw_only=True):
    full_name: str
    ref: str
    tree_sha: str
    files: Files
    skipped: list[str]
    """Paths left out: binaries, files too large, links, vendored folders."""


def repository_spec(record: Import) -> RepositorySpec:
    """The repository from `sourceUrl` (https://github.com/OWNER/REPO[/tree/REF]), else an
    `owner/name` in `sourceId` or `sourceName`, else a numeric `sourceId`; the ref from
    `metadata.ref` or `metadata.branch`, else the URL."""
    metadata = record.metadata or {}
    named_ref = metadata.get("ref") or metadata.get("branch")
    ref = named_ref if isinstance(named_ref, str) and named_ref.strip() else None
    parts = [p for p in urlsplit(record.source_url).path.split("/") if p]
    if parts[:1] == ["repos"]:  # an API URL: /repos/OWNER/REPO
        parts = parts[1:]
    if len(parts) >= 2 and _SEGMENT.match(parts[0]) and _SEGMENT.match(parts[1]):
        if ref is None and len(parts) >= 4 and parts[2] == "tree":
            ref = "/".join(parts[3:])
        return RepositorySpec(full_name=f"{parts[0]}/{parts[1].removesuffix('.git')}", ref=ref)
    for candidate in (record.source_id, record.source_name):
        owner, slash, name = candidate.strip().partition("/")
        if slash and _SEGMENT.match(owner) and _SEGMENT.match(name):
            return RepositorySpec(full_name=f"{owner}/{name.removesuffix('.git')}", ref=ref)
    if record.source_id.strip().isdigit():
        return RepositorySpec(repository_id=record.source_id.strip(), ref=ref)
    raise ImportFailed(
        "Which GitHub repository to import is unclear: give sourceUrl as https://github.com/OWNER/REPO."
    )


def is_wanted(entry: TreeEntry) -> bool:
    """A regular file worth a draft: not in a vendored folder, not binary by its extension."""
    if entry.type != "blob" or entry.mode not in _FILE_MODES or path_error(entry.path):
        return False
    if SKIPPED_FOLDERS.intersection(entry.path.split("/")[:-1]):
        return False
    name = entry.path.rsplit("/", 1)[-1].lower()
    return "." not in name or name.rsplit(".", 1)[-1] not in BINARY_EXTENSIONS


def choose_files(tree: Tree) -> tuple[list[TreeEntry], list[str]]:
    """The entries to fetch and the paths left out; raises ImportFailed past the limits."""
    if tree.truncated:
        raise ImportFailed("The repository is too large to import: GitHub could not list all its files.")
    chosen: list[TreeEntry] = []
    skipped: list[str] = []
    for entry in tree.tree:
        if entry.type == "tree":
            continue
        if is_wanted(entry) and (entry.size or 0) <= MAX_FILE_BYTES:
            chosen.append(entry)
        else:
            skipped.append(entry.path)
    if len(chosen) > MAX_FILES:
        raise ImportFailed(
            f"The repository is too large to import: {len(chosen)} text files, at most {MAX_FILES}."
        )
    total = sum(entry.size or 0 for entry in chosen)
    if total > MAX_TOTAL_BYTES:
        raise ImportFailed(
            f"The repository is too large to import: {total // 1024} KiB of text files, "
            f"at most {MAX_TOTAL_BYTES // 1024} KiB."
        )
    return chosen, skipped


def text_of(blob: Blob) -> str | None:
    """The file's text, or None for content that is not UTF-8 text (binary)."""
    if blob.encoding != "base64":
        return blob.content if blob.encoding in ("utf-8", "utf8") else None
    try:
        raw = base64.b64decode(blob.content)
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return None if "\x00" in text else text


async def fetch_repository(api: ProviderApi, spec: RepositorySpec) -> Repository:
    full_name, ref = spec.full_name, spec.ref
    if full_name is None or ref is None:
        path = f"/repos/{full_name}" if full_name else f"/repositories/{spec.repository_id}"
        info = await api.get(path, f"repository {full_name or spec.repository_id}", RepositoryInfo)
        full_name, ref = info.full_name, ref or info.default_branch
    what = f"repository {full_name} at {ref}"
    tree = await api.get(f"/repos/{full_name}/git/trees/{quote(ref, safe='')}?recursive=1", what, Tree)
    chosen, skipped = choose_files(tree)
    limit = asyncio.Semaphore(CONCURRENT_BLOBS)

    async def content(entry: TreeEntry) -> str | None:
        async with limit:
            blob = await api.get(f"/repos/{full_name}/git/blobs/{entry.sha}", f"file {entry.path}", Blob)
        return text_of(blob)

    # A task group, so that one failed file stops the others at once.
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(content(entry)) for entry in chosen]
    except* ImportFailed as failures:
        raise failures.exceptions[0] from None
    files: Files = {}
    for entry, task in zip(chosen, tasks, strict=True):
        text = task.result()
        if text is None:
            skipped.append(entry.path)
        else:
            files[entry.path] = text
    return Repository(full_name=full_name, ref=ref, tree_sha=tree.sha, files=files, skipped=sorted(skipped))
