"""Which repository and ref a GitHub import names, and which of its files a draft gets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from domain.entities import Import
from domain.enums import ImportSource, ImportStatus
from domain.ids import ImportId, ProjectId, UserId
from workers.imports.github import (
    MAX_FILE_BYTES,
    RepositorySpec,
    Tree,
    TreeEntry,
    choose_files,
    repository_spec,
)
from workers.imports.http import ImportFailed

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _record(**overrides: Any) -> Import:
    values: dict[str, Any] = {
        "id": ImportId(uuid4()),
        "user_id": UserId("alice"),
        "project_id": ProjectId(uuid4()),
        "source": ImportSource.GITHUB,
        "source_id": "123456",
        "source_name": "todo",
        "source_url": "https://github.com/octo/todo",
        "status": ImportStatus.PROCESSING,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Import(**{**values, **overrides})


@pytest.mark.parametrize(
    ("overrides", "spec"),
    [
        ({}, RepositorySpec(full_name="octo/todo")),
        ({"source_url": "https://github.com/octo/todo.git"}, RepositorySpec(full_name="octo/todo")),
        (
            {"source_url": "https://github.com/octo/todo/tree/release/1.0"},
            RepositorySpec(full_name="octo/todo", ref="release/1.0"),
        ),
        (
            {"source_url": "https://github.com/octo/todo/tree/dev", "metadata": {"branch": "main"}},
            RepositorySpec(full_name="octo/todo", ref="main"),
        ),
        (
            {"source_url": "https://api.github.com/repos/octo/todo"},
            RepositorySpec(full_name="octo/todo"),
        ),
        (
            {"source_url": "https://example.com", "source_name": "octo/todo"},
            RepositorySpec(full_name="octo/todo"),
        ),
        ({"source_url": "https://example.com"}, RepositorySpec(repository_id="123456")),
    ],
)
def test_the_repository_comes_from_the_url_then_the_names_then_the_id(
    overrides: dict[str, Any], spec: RepositorySpec
) -> None:
    assert repository_spec(_record(**overrides)) == spec


def test_an_import_naming_no_repository_is_refused_with_what_to_give() -> None:
    with pytest.raises(ImportFailed) as refused:
        repository_spec(_record(source_url="https://example.com", source_id="todo"))

    assert str(refused.value) == (
        "Which GitHub repository to import is unclear: give sourceUrl as https://github.com/OWNER/REPO."
    )


def test_binaries_links_vendored_and_large_files_are_left_out() -> None:
    def blob(path: str, size: int = 10, mode: str = "100644") -> TreeEntry:
        return TreeEntry(path=path, mode=mode, type="blob", sha="0" * 40, size=size)

    tree = Tree(
        sha="1" * 40,
        tree=[
            TreeEntry(path="src", mode="040000", type="tree", sha="2" * 40),
            blob("src/App.jsx"),
            blob("Makefile"),
            blob("public/logo.PNG"),
            blob("node_modules/x/index.js"),
            blob("link", mode="120000"),
            blob("dump.sql", size=MAX_FILE_BYTES + 1),
            TreeEntry(path="vendor/lib", mode="160000", type="commit", sha="3" * 40),
        ],
    )

    chosen, skipped = choose_files(tree)

    assert [e.path for e in chosen] == ["src/App.jsx", "Makefile"]
    assert skipped == ["public/logo.PNG", "node_modules/x/index.js", "link", "dump.sql", "vendor/lib"]


def test_a_tree_github_truncated_is_refused_as_too_large() -> None:
    with pytest.raises(ImportFailed, match="too large to import"):
        choose_files(Tree(sha="1" * 40, tree=[], truncated=True))
