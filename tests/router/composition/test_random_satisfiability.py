"""Random subgraph sets built around keys, @requires and @provides: same verdict, same errors
(codes, query paths and explanations) and the same supergraph as @apollo/composition."""

import re

import pytest

from router.composition import compose
from tests.router.composition.random_satisfiability import random_satisfiability_set
from tests.router.composition.supergraph_equivalence import apollo_compose, whole_messages

SEEDS = range(40)


def test_generator_produces_both_satisfiable_and_unsatisfiable_sets() -> None:
    codes = {
        tuple(sorted({error.code for error in compose(random_satisfiability_set(seed)).errors}))
        for seed in SEEDS
    }

    assert codes == {(), ("SATISFIABILITY_ERROR",)}


@pytest.mark.npm
@pytest.mark.parametrize("seed", SEEDS)
def test_random_satisfiability_sets_compose_like_apollo(npm_tools: None, seed: int) -> None:
    sources = random_satisfiability_set(seed)
    reference, errors = apollo_compose(sources)

    result = compose(sources)

    apollo_codes = {line.split(":", 1)[0] for line in errors if re.match(r"^[A-Z_]+:", line)}
    assert {error.code for error in result.errors} == apollo_codes
    assert result.supergraph_sdl == reference
    # The same explanations, for the same query paths (our last line is advice of our own).
    ours = [f"{e.code}: {e.message.rsplit(chr(10), 1)[0]}" for e in result.errors]
    assert sorted(ours) == sorted(whole_messages(errors))
