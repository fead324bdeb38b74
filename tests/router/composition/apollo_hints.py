"""Compose with @apollo/composition and return its hints too (tools/node/compose.mjs prints only
the supergraph or the errors)."""

from __future__ import annotations

import functools
import json
import subprocess
from collections.abc import Sequence

from router.composition import SubgraphSource
from tests.router.composition.supergraph_equivalence import COMPOSE_SCRIPT

# Run from tools/node so that the inline module resolves the packages installed there.
_SCRIPT = """
import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { composeServices } from "@apollo/composition";
const services = JSON.parse(readFileSync(0, "utf8")).map(
  (s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
const result = composeServices(services);
const code = (item) => item.extensions?.code ?? item.definition?.code ?? "ERROR";
const line = (item) => `${code(item)}: ${item.message}`;
process.stdout.write(JSON.stringify({
  supergraph: result.errors ? null : result.supergraphSdl,
  errors: (result.errors ?? []).map(line),
  hints: (result.hints ?? []).map(line),
}));
"""


def apollo_compose_with_hints(
    subgraphs: Sequence[SubgraphSource],
) -> tuple[str | None, list[str], list[str]]:
    """(supergraph SDL or None, ["CODE: message"] errors, ["CODE: message"] hints)."""
    supergraph, errors, hints = _compose(tuple(subgraphs))
    return supergraph, list(errors), list(hints)


@functools.cache
def _compose(
    subgraphs: tuple[SubgraphSource, ...],
) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    completed = subprocess.run(
        ["node", "--input-type=module", "-e", _SCRIPT],
        input=json.dumps([{"name": s.name, "url": s.url, "sdl": s.sdl} for s in subgraphs]),
        capture_output=True,
        text=True,
        check=True,
        cwd=COMPOSE_SCRIPT.parent,
    )
    result = json.loads(completed.stdout)
    return result["supergraph"], tuple(result["errors"]), tuple(result["hints"])
