"""The editor's libraries as one committed ES module: server/static/editor/vendor/editor-libs.js,
built from editor-bundle/ by `make editor-bundle`. Without Node.js the committed manifest is checked
against the committed files, so a lock changed without a rebuild, or a bundle edited by hand, fails;
with FORGE_TEST_REBUILD_BUNDLE=1 (and node and npm) the bundle is also rebuilt and compared byte
for byte."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from server.controllers.editor import EDITOR_POLICY, VENDOR_DIR

REPO = Path(__file__).resolve().parents[2]
PACKAGE_DIR = REPO / "editor-bundle"
BUNDLE = "editor-libs.js"
OUTPUTS = [BUNDLE, "editor-libs.LICENSES.txt", "editor-libs.manifest.json"]
# yjs keeps this name on globalThis to warn when a page has two copies of it.
YJS_GUARD = b"__ $YJS$ __"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest() -> Any:
    return load_json(VENDOR_DIR / "editor-libs.manifest.json")


@pytest.fixture(scope="module")
def lock() -> Any:
    return load_json(PACKAGE_DIR / "package-lock.json")


def test_the_bundle_was_built_from_the_committed_inputs(manifest):
    recorded = manifest["inputs"]

    assert "editor-bundle/package-lock.json" in recorded
    assert {name: sha256(REPO / name) for name in recorded} == recorded, (
        "editor-bundle/ changed since the bundle was built: run `make editor-bundle` and commit its outputs"
    )


def test_the_bundle_and_its_licences_are_the_built_bytes(manifest):
    for output in (manifest["bundle"], manifest["licenses"]):
        assert sha256(VENDOR_DIR / output["path"]) == output["sha256"], f"{output['path']} was edited by hand"
    assert (VENDOR_DIR / BUNDLE).stat().st_size == manifest["bundle"]["bytes"]


def test_every_bundled_package_is_the_locked_version_and_has_its_licence(manifest, lock):
    licences = (VENDOR_DIR / "editor-libs.LICENSES.txt").read_text(encoding="utf-8")

    for name, version in manifest["packages"].items():
        copies = [
            key
            for key in lock["packages"]
            if key == f"node_modules/{name}" or key.endswith(f"/node_modules/{name}")
        ]
        assert copies == [f"node_modules/{name}"], f"{name} is in the lock more than once: {copies}"
        assert lock["packages"][copies[0]]["version"] == version
        assert f"\n{name}@{version}, licence: " in licences


def test_the_direct_dependencies_are_pinned_exactly(lock):
    package = load_json(PACKAGE_DIR / "package.json")
    wanted = {**package["dependencies"], **package["devDependencies"]}

    assert package["private"] is True
    assert {name: lock["packages"][f"node_modules/{name}"]["version"] for name in wanted} == wanted
    assert lock["packages"][""]["dependencies"] == package["dependencies"]


def test_the_bundle_has_one_copy_of_yjs():
    assert (VENDOR_DIR / BUNDLE).read_bytes().count(YJS_GUARD) == 1


async def test_the_bundle_is_served_as_javascript_under_the_page_s_policy(client):
    response = await client.get(f"/editor/vendor/{BUNDLE}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.content == (VENDOR_DIR / BUNDLE).read_bytes()
    assert "script-src 'self';" in response.headers["content-security-policy"]
    assert response.headers["content-security-policy"] == EDITOR_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_bundle_s_licences_are_served_beside_it(client):
    response = await client.get("/editor/vendor/editor-libs.LICENSES.txt")

    assert (response.status_code, response.headers["content-type"]) == (200, "text/plain; charset=utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "/editor/vendor/missing.js",
        "/editor/vendor/.gitignore",
        "/editor/vendor/..%2Fapp.js",
        "/editor/vendor/%2E%2E",
        "/editor/vendor/..%2F..%2F..%2Fcontrollers%2Feditor.py",
        "/editor/vendor",
        "/editor/vendor/",
    ],
)
async def test_only_the_vendor_folder_s_own_files_are_served(client, path):
    response = await client.get(path)

    assert response.status_code == 404


@pytest.mark.slow
def test_a_rebuild_from_the_lock_gives_the_committed_bytes(tmp_path):
    """`npm ci` and the build in a copy of editor-bundle/, then the three outputs compared."""
    if os.environ.get("FORGE_TEST_REBUILD_BUNDLE") != "1":
        pytest.skip("set FORGE_TEST_REBUILD_BUNDLE=1 to rebuild the editor bundle (needs node and npm)")
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed to rebuild the editor bundle")
    copy = tmp_path / "editor-bundle"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("node_modules"))
    out = tmp_path / "out"

    subprocess.run(["npm", "ci", "--ignore-scripts"], cwd=copy, check=True, capture_output=True, timeout=600)
    subprocess.run(["node", "build.mjs", "--out-dir", str(out)], cwd=copy, check=True, timeout=120)

    for name in OUTPUTS:
        assert (out / name).read_bytes() == (VENDOR_DIR / name).read_bytes(), f"{name} differs"
