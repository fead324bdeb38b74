import subprocess
import sys
from pathlib import Path

import pytest

# Test helpers are imported as `tests.router.composition...` from the repository root.
REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture(scope="session")
def npm_tools() -> None:
    subprocess.run([str(REPO_ROOT / "scripts" / "npm-tools")], check=True)
