"""`forge worker` composes the core and the agent worker, and nothing of the web tier."""

from __future__ import annotations

import subprocess
import sys

from tests.processes import forge_env

WORKER_STARTED = b"forge worker "


def test_a_worker_process_imports_no_module_of_the_web_tier(tmp_path, scaled_env):
    imports = tmp_path / "imports.log"  # `-X importtime` names every module the process imported
    with imports.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-X", "importtime", "-m", "forge.cli", "worker"],
            cwd=tmp_path,
            env=forge_env(**scaled_env, FORGE_LOG_LEVEL="WARNING"),
            stdout=subprocess.PIPE,
            stderr=err,
        )
        try:
            assert process.stdout is not None
            assert process.stdout.readline().startswith(WORKER_STARTED)
        finally:
            process.terminate()
            process.wait(timeout=30)
    modules = {line.rsplit("|", 1)[1].strip() for line in imports.read_text().splitlines() if "|" in line}

    assert "workers.worker" in modules
    assert sorted(m for m in modules if m.split(".")[0] == "server") == []
