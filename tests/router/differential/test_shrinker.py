"""The shrinker: a failing generated operation becomes a minimal one that still fails."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

from graphql import DirectiveNode, FieldNode, GraphQLSchema, VariableNode, parse

from tests.fixtures.differential.operations import (
    GeneratedOperation,
    generate_operations,
    operation_errors,
)
from tests.fixtures.differential.shrink import shrink_operation
from tests.router.differential.test_operation_generator import BENCHMARK, MEDIA, walk

OPERATIONS = generate_operations(BENCHMARK, seed=5, count=200)


def aliases_id_to_another_field(operation: GeneratedOperation) -> bool:
    return any(
        isinstance(node, FieldNode)
        and node.alias is not None
        and node.alias.value == "id"
        and node.name.value != "id"
        for node in walk(parse(operation.query))
    )


def skips_on_a_true_variable(operation: GeneratedOperation) -> bool:
    for node in walk(parse(operation.query)):
        if isinstance(node, DirectiveNode) and node.name.value == "skip":
            value = node.arguments[0].value
            if isinstance(value, VariableNode) and operation.variables.get(value.name.value):
                return True
    return False


def counting(
    predicate: Callable[[GeneratedOperation], bool], schema: GraphQLSchema
) -> tuple[Callable[[GeneratedOperation], Awaitable[bool]], list[GeneratedOperation]]:
    seen: list[GeneratedOperation] = []

    async def still_fails(operation: GeneratedOperation) -> bool:
        assert operation_errors(schema, operation) == [], operation.query
        seen.append(operation)
        return predicate(operation)

    return still_fails, seen


def largest(predicate: Callable[[GeneratedOperation], bool]) -> GeneratedOperation:
    return max((o for o in OPERATIONS if predicate(o)), key=lambda o: len(o.query))


async def test_a_large_operation_with_an_alias_shadowing_id_shrinks_to_that_field_alone() -> None:
    operation = largest(aliases_id_to_another_field)
    assert len(operation.query) > 600
    still_fails, seen = counting(aliases_id_to_another_field, BENCHMARK)

    smallest = await shrink_operation(operation, BENCHMARK, still_fails)

    assert smallest.query == "query Q71 {\n  me {\n    id: name\n  }\n}"
    assert smallest.variables == {}
    assert len(seen) < 50


async def test_a_skip_on_a_variable_keeps_its_variable_and_value() -> None:
    operation = largest(skips_on_a_true_variable)
    still_fails, _ = counting(skips_on_a_true_variable, BENCHMARK)

    smallest = await shrink_operation(operation, BENCHMARK, still_fails)

    assert smallest.query == (
        "query Q92($cond1: Boolean!) {\n"
        "  topProducts {\n"
        "    ... @skip(if: $cond1) {\n"
        "      shippingEstimate\n"
        "    }\n"
        "  }\n"
        "}"
    )
    assert smallest.variables == {"cond1": True}


async def test_shrinking_only_tries_and_returns_valid_operations() -> None:
    rng = random.Random(1)
    for operation in generate_operations(MEDIA, seed=8, count=6):
        still_fails, seen = counting(lambda _: rng.random() < 0.5, MEDIA)
        smallest = await shrink_operation(operation, MEDIA, still_fails, max_attempts=40)
        assert operation_errors(MEDIA, smallest) == []
        assert len(seen) <= 40
        assert smallest == operation or smallest in seen


async def test_attempts_are_bounded_and_the_result_is_the_last_failing_candidate() -> None:
    operation = largest(aliases_id_to_another_field)
    still_fails, seen = counting(lambda _: True, BENCHMARK)

    smallest = await shrink_operation(operation, BENCHMARK, still_fails, max_attempts=5)

    assert len(seen) == 5
    assert smallest == seen[-1]
    assert len(smallest.query) < len(operation.query)


async def test_an_operation_that_never_fails_again_comes_back_unchanged() -> None:
    operation = OPERATIONS[0]
    still_fails, seen = counting(lambda _: False, BENCHMARK)

    assert await shrink_operation(operation, BENCHMARK, still_fails) == operation
    assert 0 < len(seen) <= 500


async def test_an_always_failing_operation_shrinks_to_one_root_field_with_typename() -> None:
    operation = largest(aliases_id_to_another_field)
    still_fails, _ = counting(lambda _: True, BENCHMARK)

    smallest = await shrink_operation(operation, BENCHMARK, still_fails)

    document = parse(smallest.query)
    fields = [node for node in walk(document) if isinstance(node, FieldNode)]
    assert len(fields) <= 2, smallest.query
