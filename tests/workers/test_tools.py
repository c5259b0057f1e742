"""The tools against the local sandbox: mistakes go back to the model, files go out to the tabs."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest

from domain.enums import Framework
from domain.ids import ProjectId
from workers.agent.model import ToolCall
from workers.agent.tools import Toolbox
from workers.sandboxes.confinement import Confinement
from workers.sandboxes.local import LocalSandboxProvider


class Announced:
    """The paths announced to the tabs, in order (the run always holds its lease here)."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def check(self) -> None:
        return None

    async def announce(self, files: dict[str, str]) -> None:
        self.paths.extend(files)


class CodeAlone:
    """The shared code with nobody else editing it: what is written is what is read."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}

    async def read(self, path: str) -> str | None:
        return self.files.get(path)

    async def write(self, files: dict[str, str]) -> dict[str, str]:
        self.files.update(files)
        return dict(files)


@pytest.fixture
def announced() -> Announced:
    return Announced()


@pytest.fixture
async def toolbox(tmp_path: Path, announced: Announced) -> Toolbox:
    provider = LocalSandboxProvider(tmp_path, "http://127.0.0.1:8000")
    return Toolbox(await provider.create(ProjectId(uuid4()), Framework.REACT), announced, CodeAlone())


def call(name: str, **arguments: object) -> ToolCall:
    return ToolCall(id="toolu_1", name=name, input=dict(arguments))


async def test_written_files_land_in_the_sandbox_and_go_out_as_events(
    toolbox: Toolbox, announced: Announced
) -> None:
    result = await toolbox.run(call("createOrUpdateFiles", files=[{"path": "src/a.js", "content": "1"}]))

    assert result["content"] == "Wrote src/a.js"
    assert await toolbox.sandbox.read_file("src/a.js") == "1"
    assert announced.paths == ["src/a.js"]


async def test_edit_file_replaces_the_one_exact_occurrence(toolbox: Toolbox) -> None:
    await toolbox.run(call("createOrUpdateFiles", files=[{"path": "a.txt", "content": "red and blue"}]))

    result = await toolbox.run(call("editFile", path="a.txt", search="red", replace="green"))

    assert result.get("is_error") is None
    assert await toolbox.sandbox.read_file("a.txt") == "green and blue"


async def test_an_ambiguous_edit_is_an_error_the_model_can_fix(toolbox: Toolbox) -> None:
    await toolbox.run(call("createOrUpdateFiles", files=[{"path": "a.txt", "content": "la la"}]))

    result = await toolbox.run(call("editFile", path="a.txt", search="la", replace="do"))

    assert result["is_error"] is True
    assert "occurs 2 times" in result["content"]


async def test_a_path_leaving_the_project_is_an_error_result(toolbox: Toolbox) -> None:
    result = await toolbox.run(call("createOrUpdateFiles", files=[{"path": "../x", "content": "1"}]))

    assert result["is_error"] is True


LONG_NAME = "src/" + "a" * 300 + ".js"


async def test_a_name_longer_than_255_bytes_is_an_error_result_and_nothing_is_written(
    toolbox: Toolbox, announced: Announced
) -> None:
    result = await toolbox.run(
        call(
            "createOrUpdateFiles",
            files=[{"path": "ok.js", "content": "1"}, {"path": LONG_NAME, "content": "2"}],
        )
    )

    assert result["is_error"] is True
    assert "longer than 255 bytes" in result["content"]
    assert (announced.paths, toolbox.code.files) == ([], {})
    assert list(toolbox.sandbox.folder.iterdir()) == []


async def test_a_file_that_is_also_a_folder_is_an_error_result_and_nothing_is_written(
    toolbox: Toolbox,
) -> None:
    files = [{"path": "src", "content": "1"}, {"path": "src/a.js", "content": "2"}]

    result = await toolbox.run(call("createOrUpdateFiles", files=files))

    assert result["is_error"] is True
    assert "both a file and the folder" in result["content"]
    assert list(toolbox.sandbox.folder.iterdir()) == []


async def test_reading_a_name_longer_than_255_bytes_is_an_error_result(toolbox: Toolbox) -> None:
    result = await toolbox.run(call("readFiles", files=[LONG_NAME]))

    assert result["is_error"] is True
    assert "longer than 255 bytes" in result["content"]


async def test_editing_a_name_longer_than_255_bytes_is_an_error_result(toolbox: Toolbox) -> None:
    result = await toolbox.run(call("editFile", path=LONG_NAME, search="a", replace="b"))

    assert result["is_error"] is True
    assert "longer than 255 bytes" in result["content"]


async def test_a_write_through_a_link_leading_out_of_the_sandbox_is_an_error_result(
    toolbox: Toolbox, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (toolbox.sandbox.folder / "out").symlink_to(outside, target_is_directory=True)

    result = await toolbox.run(call("createOrUpdateFiles", files=[{"path": "out/x.js", "content": "1"}]))

    assert result["is_error"] is True
    assert "symbolic link" in result["content"]
    assert list(outside.iterdir()) == []


async def test_a_write_onto_a_link_replaces_the_link_not_its_target(toolbox: Toolbox, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (toolbox.sandbox.folder / "a.txt").symlink_to(secret)

    result = await toolbox.run(call("createOrUpdateFiles", files=[{"path": "a.txt", "content": "mine"}]))

    assert result.get("is_error") is None
    assert secret.read_text() == "secret"
    assert (toolbox.sandbox.folder / "a.txt").read_text() == "mine"
    assert not (toolbox.sandbox.folder / "a.txt").is_symlink()


async def test_reading_through_a_link_leading_out_of_the_sandbox_finds_nothing(
    toolbox: Toolbox, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (toolbox.sandbox.folder / "a.txt").symlink_to(secret)

    result = await toolbox.run(call("readFiles", files=["a.txt"]))

    assert result["content"] == "--- a.txt\n(does not exist)"


async def test_reading_a_missing_file_says_so(toolbox: Toolbox) -> None:
    result = await toolbox.run(call("readFiles", files=["nope.js"]))

    assert result["content"] == "--- nope.js\n(does not exist)"


async def test_the_terminal_is_off_by_default_on_the_local_sandbox(toolbox: Toolbox) -> None:
    result = await toolbox.run(call("terminal", command="ls"))

    assert result["is_error"] is True
    assert "FORGE_SANDBOX_ALLOW_COMMANDS" in result["content"]


async def test_commands_run_in_the_project_folder_when_allowed(
    tmp_path: Path, bubblewrap: Confinement
) -> None:
    provider = LocalSandboxProvider(tmp_path, "http://127.0.0.1:8000", bubblewrap)
    sandbox = await provider.create(ProjectId(uuid4()), Framework.REACT)
    await sandbox.write_files({"hello.txt": "hi"})

    result = await sandbox.run("cat hello.txt; exit 3", timeout_seconds=10)

    assert (result.exit_code, result.stdout) == (3, "hi")


async def test_an_unknown_tool_is_an_error_result(toolbox: Toolbox) -> None:
    result = await toolbox.run(call("deleteEverything"))

    assert result["is_error"] is True
