"""What the command tests share: the executable under test and a fresh SQLite workspace for it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

BIN = os.environ.get("SMARKETING_BIN")


def demo_environment(tmp_path: Path, name: str, password: str, domain: str) -> dict[str, str]:
    """The environment of a fresh SQLite file in `tmp_path` holding an empty demo workspace whose
    admin is admin@`domain`; skips the test when SMARKETING_BIN is not set."""
    if not BIN:
        pytest.skip("SMARKETING_BIN is not set")
    environment = dict(os.environ)
    environment.update({
        "SQLITE_PATH": str(tmp_path / f"{name}.sqlite"),
        "IMPORT_DIRECTORY": str(tmp_path / "imports"),
        "LOG_LEVEL": "error",
    })
    environment.pop("DATABASE_URL", None)
    subprocess.run([BIN, "demo", "--contacts", "0", "--password", password, "--domain", domain],
                   env=environment, check=True, capture_output=True, timeout=120)
    return environment
