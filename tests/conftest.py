"""Fixtures every test folder shares."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def npm_tools() -> None:
    """The Node.js oracles and clients in tools/node (installed on first use)."""
    subprocess.run([str(REPO_ROOT / "scripts" / "npm-tools")], check=True)
