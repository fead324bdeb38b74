"""The checked-in fixture supergraphs are what @apollo/composition makes of their subgraphs."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))

from generate import COMPOSE, compose_group  # noqa: E402

GROUPS = sorted(p for p in (FIXTURES / "subgraphs").iterdir() if p.is_dir())


@pytest.mark.npm
@pytest.mark.skipif(
    shutil.which("node") is None or not (COMPOSE.parent / "node_modules").is_dir(),
    reason="needs Node.js and tools/node (scripts/npm-tools)",
)
@pytest.mark.parametrize("group", GROUPS, ids=[g.name for g in GROUPS])
def test_fixture_supergraph_matches_a_fresh_composition(group: Path) -> None:
    assert (FIXTURES / f"{group.name}.graphql").read_text() == compose_group(group)
