"""How a local sandbox's commands run: never with this server's environment, and inside
bubblewrap (`bwrap`) when the machine has it.

The agent's commands, the project's npm scripts and its dev server are code nobody reviewed. Run
as this server's user with its environment, they were one `cat ../../` away from the token secret,
the OAuth key and the SQLite file. So:

- Every command gets a clean environment: a minimal PATH, HOME in the sandbox, a UTF-8 locale and
  nothing else (no FORGE_* variable, no key, nothing the server was started with).
- With bubblewrap (`Bubblewrap`), a command sees the sandbox's folder read-write as /home/user
  (E2B's layout), the system's folders read-only, a few files of /etc (libraries, certificates,
  name resolution, users), a private /tmp and /proc, its own processes and nothing of the data
  folder or of any home. It has no network, not even this machine's loopback (PostgreSQL, Redis),
  except npm's own install (`npm_install`), run with `--ignore-scripts` so that nothing of the
  project or its packages runs while the network is on.
- Without bubblewrap, commands stay off unless the deployment accepts the weaker mode
  (`FORGE_SANDBOX_ALLOW_UNCONFINED_COMMANDS=true`, `Unconfined`): a clean environment and the
  sandbox's folder as working directory, but the files this server's user can read and the
  network are in reach.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple, Protocol

from workers.sandboxes.base import CommandResult, SandboxError

logger = logging.getLogger("forge.sandbox")

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
JAIL_HOME = "/home/user"
"""Where the sandbox's folder appears inside bubblewrap, and its HOME."""
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_ENTRIES = (
    "alternatives",
    "ca-certificates",
    "group",
    "hosts",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "nsswitch.conf",
    "passwd",
    "resolv.conf",
    "ssl",
)
"""What of /etc programs need (libraries, certificates, name resolution, user names); no secrets."""
PROBE_SECONDS = 10.0

NPM_INSTALL_VERBS = frozenset({"install", "i", "add", "ci"})
NPM_INSTALL_FLAGS = frozenset(
    {"-D", "--save-dev", "-E", "--save-exact", "-O", "--save-optional", "-S", "--save", "--no-save"}
    | {"--legacy-peer-deps", "--no-audit", "--no-fund"}
)
_PACKAGE_SPEC = re.compile(r"[A-Za-z0-9@][A-Za-z0-9@/._^~=<>*+-]*")
"""A package name with an optional version range; no `:`, so no URL, git or file spec."""


class ConfinementUnavailable(Exception):
    """Commands were asked for, but they could not be confined and the weaker mode was not accepted."""


class Bind(NamedTuple):
    """A host path a command also sees, at `target`."""

    source: Path
    target: str
    writable: bool = False


class Launch(NamedTuple):
    argv: list[str]
    env: dict[str, str]
    cwd: Path


class Confinement(Protocol):
    name: str
    isolates_network: bool
    """Whether commands are cut off from the network (and from this machine's loopback)."""

    def launch(self, command: str, folder: Path, *, network: bool, binds: tuple[Bind, ...] = ()) -> Launch:
        """How to run the shell `command` in the sandbox `folder`; `network` asks for the network
        where it is otherwise cut off, `binds` adds host paths (ignored where nothing is hidden)."""
        ...


class Bubblewrap:
    name = "bubblewrap"
    isolates_network = True

    def __init__(self, executable: str) -> None:
        self.executable = executable

    def launch(self, command: str, folder: Path, *, network: bool, binds: tuple[Bind, ...] = ()) -> Launch:
        argv = [self.executable, "--die-with-parent", "--new-session", "--unshare-all"]
        if network:
            argv.append("--share-net")
        argv += _system_binds()
        argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        argv += ["--bind", str(folder), JAIL_HOME, "--chdir", JAIL_HOME]
        for bind in binds:
            argv += ["--bind" if bind.writable else "--ro-bind", str(bind.source), bind.target]
        argv += ["/bin/sh", "-c", command]
        return Launch(argv, clean_environment(JAIL_HOME), folder)


class Unconfined:
    name = "unconfined"
    isolates_network = False

    def launch(self, command: str, folder: Path, *, network: bool, binds: tuple[Bind, ...] = ()) -> Launch:
        return Launch(["/bin/sh", "-c", command], clean_environment(str(folder)), folder)


def confinement(allow_unconfined: bool, executable: str | None = None) -> Confinement:
    """Bubblewrap when it is installed and works here (a container may forbid the namespaces it
    needs); else the weaker mode if the deployment accepted it; else ConfinementUnavailable."""
    bwrap = executable or shutil.which("bwrap")
    if bwrap is not None and _works(Bubblewrap(bwrap)):
        return Bubblewrap(bwrap)
    if allow_unconfined:
        logger.warning(
            "the agent's commands run unconfined: clean environment only, this user's files and the "
            "network are in reach (install bubblewrap to confine them)"
        )
        return Unconfined()
    found = "does not work here" if bwrap is not None else "is not installed"
    raise ConfinementUnavailable(
        f"FORGE_SANDBOX_ALLOW_COMMANDS: the agent's commands run inside bubblewrap, which {found} "
        "(apt-get install bubblewrap); FORGE_SANDBOX_ALLOW_UNCONFINED_COMMANDS=true accepts running "
        "them without it, with a clean environment only"
    )


def clean_environment(home: str) -> dict[str, str]:
    """All a command gets of an environment: nothing the server itself was started with."""
    return {"PATH": SYSTEM_PATH, "HOME": home, "LANG": "C.UTF-8", "TMPDIR": "/tmp"}


def npm_install(command: str) -> str | None:
    """`command` made npm's own install, when it is only that: `npm install` (`i`, `add`, `ci`)
    with package names, version ranges and common flags; no shell syntax, URL or other option.
    It then gets the network, with `--ignore-scripts`: neither the project's scripts nor its
    packages' run while the network is on. None for any other command."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if len(words) < 2 or words[0] != "npm" or words[1] not in NPM_INSTALL_VERBS:
        return None
    if not all(word in NPM_INSTALL_FLAGS or _PACKAGE_SPEC.fullmatch(word) for word in words[2:]):
        return None
    return shlex.join([*words, "--ignore-scripts", "--no-audit", "--no-fund"])


async def run_command(launch: Launch, timeout_seconds: float) -> CommandResult:
    """Runs to the end and answers its exit code and output; past the timeout its whole process
    group is killed and SandboxError raised."""
    process = await asyncio.create_subprocess_exec(
        *launch.argv,
        cwd=launch.cwd,
        env=launch.env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # its own process group, so a timeout kills its children too
    )
    try:
        async with asyncio.timeout(timeout_seconds):
            stdout, stderr = await process.communicate()
    except TimeoutError:
        kill_group(process.pid)
        await process.wait()
        raise SandboxError(f"The command timed out after {timeout_seconds:g} seconds.") from None
    return CommandResult(
        exit_code=process.returncode if process.returncode is not None else -1,
        stdout=stdout.decode(errors="replace"),
        stderr=stderr.decode(errors="replace"),
    )


def kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _system_binds() -> list[str]:
    argv: list[str] = []
    for folder in SYSTEM_FOLDERS:
        path = Path(folder)
        if path.is_symlink():  # merged /usr: /bin -> usr/bin
            argv += ["--symlink", os.readlink(path), folder]
        elif path.is_dir():
            argv += ["--ro-bind", folder, folder]
    for entry in ETC_ENTRIES:
        argv += ["--ro-bind-try", f"/etc/{entry}", f"/etc/{entry}"]
    return argv


def _works(candidate: Bubblewrap) -> bool:
    with tempfile.TemporaryDirectory(prefix="forge-bwrap-probe-") as folder:
        launch = candidate.launch("true", Path(folder), network=False)
        try:
            probe = subprocess.run(
                launch.argv, cwd=launch.cwd, env=launch.env, capture_output=True, timeout=PROBE_SECONDS
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
    if probe.returncode != 0:
        logger.warning("bubblewrap does not work here: %s", probe.stderr.decode(errors="replace").strip())
    return probe.returncode == 0
