"""The domain imports nothing but the standard library and msgspec (ARCHITECTURE.md)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import domain

# msgspec itself loads typing_extensions when it is installed.
ALLOWED_ROOTS = {"domain", "msgspec", "typing_extensions"}


def test_domain_modules_import_no_framework_database_or_network_library():
    modules = [m.name for m in pkgutil.walk_packages(domain.__path__, "domain.")]
    probe = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        f"for name in {modules!r}: __import__(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in set(sys.modules) - before})))\n"
    )

    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    foreign = (
        set(json.loads(result.stdout))
        - ALLOWED_ROOTS
        - set(sys.stdlib_module_names)
        - {"_" + "distutils_hack"}
    )
    assert sorted(m for m in foreign if not m.startswith("_")) == []
