import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def npm_tools() -> None:
    subprocess.run([str(REPO_ROOT / "scripts" / "npm-tools")], check=True)
