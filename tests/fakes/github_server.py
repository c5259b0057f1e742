"""A local server speaking the parts of GitHub's REST API an import reads: a repository, its
recursive git tree and the blobs, with GitHub's shapes, status codes and error bodies.

    async with FakeGitHub(token="gho_test") as github:
        github.add_repository("octo/todo", {"README.md": "# Todo", "logo.png": PNG_BYTES})
        ...  # the server's FORGE_GITHUB_API_URL is github.base_url

A request without `Authorization: Bearer <token>` gets 401 "Bad credentials", an unknown
repository or ref 404 "Not Found", as GitHub answers them.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.json_server import Answer, JsonServer, Request

DOCS = "https://docs.github.com/rest"
NOT_FOUND: Answer = (404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
BAD_CREDENTIALS: Answer = (401, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"})
LINE = 60
"""GitHub wraps base64 blob contents in lines this long."""


def git_sha(kind: str, data: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data).hexdigest()


@dataclass
class FakeRepository:
    id: int
    full_name: str
    default_branch: str
    branches: dict[str, dict[str, bytes]] = field(default_factory=dict)
    """Branch → path → content."""


class FakeGitHub(JsonServer):
    def __init__(self, token: str = "gho_test_token") -> None:
        super().__init__()
        self.token = token
        self.repositories: dict[str, FakeRepository] = {}
        self.blobs: dict[str, bytes] = {}
        self._ids = itertools.count(1000)

    async def __aenter__(self) -> FakeGitHub:
        await super().__aenter__()
        return self

    def add_repository(
        self, full_name: str, files: dict[str, str | bytes], branch: str = "main", default: bool = True
    ) -> FakeRepository:
        """The repository (made on first use) gets `branch` with these files."""
        repository = self.repositories.get(full_name)
        if repository is None:
            repository = FakeRepository(id=next(self._ids), full_name=full_name, default_branch=branch)
            self.repositories[full_name] = repository
        if default:
            repository.default_branch = branch
        contents = {p: c.encode() if isinstance(c, str) else c for p, c in files.items()}
        repository.branches[branch] = contents
        for content in contents.values():
            self.blobs[git_sha("blob", content)] = content
        return repository

    def answer(self, request: Request) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return BAD_CREDENTIALS
        parts = request.path.strip("/").split("/")
        if request.method != "GET":
            return NOT_FOUND
        if parts[0] == "repositories" and len(parts) == 2:
            found = [r for r in self.repositories.values() if str(r.id) == parts[1]]
            return (200, _repository_body(found[0])) if found else NOT_FOUND
        if parts[0] != "repos" or len(parts) < 3:
            return NOT_FOUND
        repository = self.repositories.get(f"{parts[1]}/{parts[2]}")
        if repository is None:
            return NOT_FOUND
        rest = parts[3:]
        if not rest:
            return 200, _repository_body(repository)
        if rest[:2] == ["git", "trees"] and len(rest) >= 3:
            return self._tree(repository, "/".join(rest[2:]), request.query.get("recursive") == "1")
        if rest[:2] == ["git", "blobs"] and len(rest) == 3 and rest[2] in self.blobs:
            return 200, _blob_body(rest[2], self.blobs[rest[2]])
        return NOT_FOUND

    def _tree(self, repository: FakeRepository, ref: str, recursive: bool) -> Answer:
        files = repository.branches.get(ref)
        if files is None or not recursive:
            return NOT_FOUND
        folders = sorted({"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)})
        entries: list[dict[str, Any]] = [
            {"path": f, "mode": "040000", "type": "tree", "sha": git_sha("tree", f.encode())} for f in folders
        ]
        for path, content in sorted(files.items()):
            sha = git_sha("blob", content)
            entries.append({"path": path, "mode": "100644", "type": "blob", "sha": sha, "size": len(content)})
        sha = git_sha("tree", repr(sorted(files)).encode())
        return 200, {"sha": sha, "url": f"{DOCS}/trees/{sha}", "tree": entries, "truncated": False}


def _repository_body(repository: FakeRepository) -> dict[str, Any]:
    owner, name = repository.full_name.split("/")
    return {
        "id": repository.id,
        "name": name,
        "full_name": repository.full_name,
        "owner": {"login": owner},
        "private": False,
        "default_branch": repository.default_branch,
    }


def _blob_body(sha: str, content: bytes) -> dict[str, Any]:
    encoded = base64.b64encode(content).decode()
    wrapped = "\n".join(encoded[i : i + LINE] for i in range(0, len(encoded), LINE)) + "\n"
    return {
        "sha": sha,
        "node_id": f"B_{sha[:8]}",
        "size": len(content),
        "content": wrapped,
        "encoding": "base64",
    }
