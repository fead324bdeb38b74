"""Where the reference gateways (@apollo/gateway, Hive Gateway) differ from the oracle, and why.

The oracle (tests/fixtures/differential/oracle.py) is one plain graphql-core schema over the same
data: what the GraphQL specification says an operation answers. A peer that answers otherwise is
wrong, and each difference found on a random operation is shrunk to a minimal operation and put
into one of the categories below by ``classify`` (precise rules on the shrunk operation and the two
answers, first match wins). A difference no rule recognises is *unclassified*: a person looks at it.

Categories (name: what the peer does -- why the oracle is right; GraphQL spec, October 2021):

- ``no_answer_in_time``: no answer within 10 s (seen with @apollo/gateway at 100 % CPU on an
  interface_objects operation); not shrunk -- a valid operation has a response (§6 Execution,
  §7 Response); the oracle gives it in milliseconds.
- ``response_key_order``: the same data with the keys of an object in another order -- Field
  Collection (§6.3.2 CollectFields) orders response keys by their first appearance in the
  document, fragments included, and §7.2.2 (Serialized Map Ordering) says a response keeps that
  order.
- ``field_error_outside_errors``: a subgraph null for a non-null field bubbles to the right parent
  but the error goes to ``extensions.valueCompletion``, leaving no ``errors`` -- a field error is
  added to ``errors`` (§6.4.4 Handling Field Errors, §7.1.2 Errors).
- ``data_entry_missing``: every root field was skipped and the peer left ``data`` out -- execution
  started, so the response has ``data`` (§7.1 Response Format / Data); here an empty map.
- ``alias_shadows_field``: an alias that is the name of another field of the same type
  (``id: name``, ``shippingEstimate: price``, ``products: product(id:)``) changes the value of
  that other field or of a field that requires it -- an alias only names the response key (§2.7
  Field Alias); the peer builds entity representations / @requires inputs or merges root fetches
  by response key instead of by field.
- ``conditional_duplicate``: a field selected twice where only some copies carry @skip/@include
  loses the unconditional copy (null, or an error) -- @skip/@include exclude only the selection
  they are on (§3.13.1, §3.13.2); the other copy is still collected (§6.3.2 CollectFields).
- ``condition_leaks_into_requirement``: a skipped/included field with @requires shares its
  required fields with an unconditional sibling that also has @requires, and the condition is put
  on the shared requirement fetch -- the condition belongs to one selection only (§3.13); the
  sibling's requirement (Federation @requires) is fetched regardless.
- ``requirement_merged_with_selection``: beside a field with @requires, the client selects an
  object field that a @requires of the type needs with other subfields (``dimensions {
  __typename }`` where ``packaging`` requires ``dimensions { length width }``), and the peer puts
  the client's partial selection into the representations it sends -- each field executes with
  its own selection (§6.4 Executing Fields); a representation carries key and required fields with
  the selections @requires declares (Federation), never the client's selection of them.
- ``duplicate_list_concatenated``: a list field selected twice answers the items twice -- fields
  with the same response key are merged into one execution (§6.3.2 CollectFields, §6.4.3
  MergeSelectionSets), never appended.
- ``aliased_typename_lost``: ``alias: __typename`` on an abstract type answers null -- __typename
  is a field like any other and may be aliased (§2.7, §4.4 Type Name Introspection).
- ``condition_on_abstract_fragment``: @skip/@include on a fragment whose type condition is an
  interface or union (or that has none) makes the peer fail the request -- the directive is
  allowed on fragments (§3.13) and, when it includes, the fragment is collected like any other
  (§6.3.2 DoesFragmentTypeApply).
- ``fetch_only_of_fragments``: a field whose selection is only fragments (``topPayers { ...F }``
  on an @interfaceObject interface; ``recentlyActive { ... on User { plan } }``) answers objects
  without the fragments' fields, or fails ("resolved to a non-object type") -- fragments are
  collected like any selection (§6.3.2 CollectFields) and the runtime type of an abstract value is
  resolved whatever its selection holds (§6.4.3 ResolveAbstractType).
- ``peer_planner_error``: the peer's own query planner fails on a valid operation and the peer
  answers that error instead of data (Hive Gateway's JavaScript planner on the shareable graph:
  "Was not able to find any options for name: This shouldn't have happened." for ``reviews {
  author { name } }``, an interface field whose @provides has type conditions) -- a valid
  operation executes and its response has the data (§5 Validation, §6 Execution, §7.1); the
  supergraph composes, so every field can be fetched. Recognised by the planner's message only.
- ``condition_variable_not_forwarded``: the peer puts ``@skip(if: $c)`` into a subgraph fetch
  (an entity fetch, say) without declaring or sending ``$c``, and the subgraph refuses it
  ("Variable '$c' is not defined by operation") -- the client's operation defines the variable
  (§5.8.3 All Variable Uses Defined) and a directive takes its argument from the variables
  wherever the field is fetched (§3.13, §6.4.1 CoerceArgumentValues).
- ``subgraph_fetch_field_conflict``: the peer sends a subgraph one response key for fields
  whose types differ in that subgraph (field_types: ``animals { name ... on Dog { name } }``,
  where zoo has ``Animal.name: String`` and ``Dog.name: String!``; the supergraph says String
  for both), and the subgraph refuses the fetch ("Fields 'name' conflict because they return
  conflicting types 'String!' and 'String'") -- the client's operation is valid against the API
  schema (§5.3.2 Field Selection Merging), so it executes (§6); a gateway must send subgraphs
  valid operations (Apollo aliases such fields). Recognised by the subgraph's message, after
  ``alias_shadows_field`` (an alias named like the key field the peer adds conflicts too).
- ``condition_on_key_field``: a @key field selected only under @skip/@include (``books { id
  @include(if: $c) rank }``); when excluded, the peer leaves it out of the entity
  representations too, and the entity fetch fails or answers null -- @skip/@include shape the
  response only (§3.13, §6.3.2); an entity fetch is made with the key fields it needs
  (Federation @key).
- ``conditional_requirement_drops_entity``: a field with @requires, excluded by @skip/@include,
  beside unconditional fields of the same entity fetch (``product { shelf shippingCents
  @include(if: $c) }``, shippingCents requiring weightGrams): the peer fetches the required
  field only under the condition but still expects it in the representation, drops the whole
  entity fetch, and the unconditional fields are null (a non-null one bubbles) --
  @skip/@include exclude only the selection they are on (§3.13); the siblings are collected and
  executed as usual (§6.3.2, §6.4).
- ``emptied_selection_answers_null``: every subfield of an included field is excluded by
  @skip/@include (``reviews { body @skip(if: $c) }``) and the peer answers null for the field
  instead of objects without entries -- the field is collected and executed; completing an
  object executes its selection set, which collects no field, so the value is ``{}`` (§6.3.2
  CollectFields, §6.4.3 Value Completion).
- ``requirement_of_requirement_unmet``: a field's @requires needs a field that has a @requires
  of its own (``deliveryNote`` needs ``shippingEstimate``, which needs ``weight``), and the peer
  takes the inner field from the root fetch of its subgraph (``product(id:)`` is a root field
  there too) without the fields it requires, so the outer field is computed from a wrong value
  -- each field resolves from the object's own data (§6.4.2 ResolveFieldValue); a @requires
  field is resolved with the fields it requires (Federation @requires). Recognised only when
  every differing value is such an outer field's.
- ``shared_root_list_subfield_lost``: on a list root field that several subgraphs resolve
  (@shareable ``products``) with subfields from more than one subgraph, the peer loses a subfield
  of the items and its own execution fails ("Cannot return null for non-nullable field", masked
  as "Unexpected error.", INTERNAL_SERVER_ERROR without a serviceName): Hive Gateway with
  ``products { x: price { __typename } stock }``, ``products { price { __typename } ...F }``
  (F selecting stock), ``products { stock price { amount } reviews { id } }`` -- each item's
  fields are resolved and completed (§6.4.3 Value Completion); a @shareable root field answers
  the same list whichever subgraph is asked, and an alias only names the response key (§2.7).
  Last rule: only what no other category explains.

The rules recognising a peer's error message (``peer_planner_error``,
``condition_variable_not_forwarded``) come right after ``no_answer_in_time``: the message says
what failed, whatever else the operation holds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    build_schema,
    get_named_type,
    is_abstract_type,
    parse,
)
from graphql import Visitor as GraphQLVisitor
from graphql import visit as visit_ast

from tests.fixtures.differential.operations import (
    GeneratedOperation,
    GenerationSettings,
    generate_operations,
)
from tests.fixtures.differential.runner import Disagreement, RouterOverGraph, disagreement
from tests.fixtures.differential.shrink import shrink_operation
from tests.fixtures.features.harness import FeatureGraph
from tests.integration.benchmark.reference_gateway import (
    start_apollo_gateway,
    start_hive_gateway,
    stop_process,
)

__all__ = [
    "CATEGORIES",
    "PEERS",
    "UNSERVED",
    "Category",
    "GraphRun",
    "GraphShape",
    "OperationFacts",
    "PeerFinding",
    "classify",
    "operation_facts",
    "run_graph",
]


@dataclass(frozen=True)
class Category:
    what: str  # what the peer does
    why: str  # why the oracle is right
    spec: str  # where the specification says so


CATEGORIES: dict[str, Category] = {
    "no_answer_in_time": Category(
        "no answer within 10 s (the peer's query planner still busy); not shrunk",
        "a valid operation has a response; the oracle gives it in milliseconds",
        "§6 Execution, §7 Response",
    ),
    "response_key_order": Category(
        "the same data with an object's keys in another order",
        "response keys are ordered by first appearance in the document, fragments included",
        "§6.3.2 Field Collection, §7.2.2 Serialized Map Ordering",
    ),
    "field_error_outside_errors": Category(
        "a null bubbled for a non-null field is reported in extensions.valueCompletion",
        "a field error is added to the response's `errors` list",
        "§6.4.4 Handling Field Errors, §7.1.2 Errors",
    ),
    "data_entry_missing": Category(
        "every root field skipped: the response has no `data`",
        "execution started, so `data` is present (an empty map)",
        "§7.1 Response Format (Data)",
    ),
    "alias_shadows_field": Category(
        "an alias named like another field of the type changes that field or what requires it",
        "an alias only names the response key; representations and @requires inputs are built "
        "from fields, not response keys",
        "§2.7 Field Alias, §6.3.2 Field Collection",
    ),
    "conditional_duplicate": Category(
        "a field selected twice, only some copies under @skip/@include, loses the other copy",
        "@skip/@include exclude only the selection they are on; the other copy is collected",
        "§3.13.1 @skip, §3.13.2 @include, §6.3.2 CollectFields",
    ),
    "condition_leaks_into_requirement": Category(
        "the @skip/@include of a field with @requires is put on a requirement a sibling shares",
        "the condition belongs to one selection; the sibling's requirement is fetched regardless",
        "§3.13.1 @skip, §3.13.2 @include; Federation @requires",
    ),
    "requirement_merged_with_selection": Category(
        "the client's partial selection of a required object field goes into representations",
        "each field executes with its own selection; representations carry what @requires declares",
        "§6.4 Executing Fields; Federation @requires",
    ),
    "duplicate_list_concatenated": Category(
        "a list field selected twice answers its items twice",
        "fields with one response key are merged into one execution, not appended",
        "§6.3.2 CollectFields, §6.4.3 MergeSelectionSets",
    ),
    "aliased_typename_lost": Category(
        "an aliased __typename on an abstract type answers null",
        "__typename is a field like any other and may be aliased",
        "§2.7 Field Alias, §4.4 Type Name Introspection",
    ),
    "condition_on_abstract_fragment": Category(
        "@skip/@include on a fragment on an interface/union (or without type) fails the request",
        "the directives are allowed on fragments; an included fragment is collected as usual",
        "§3.13 Type System Directives, §6.3.2 DoesFragmentTypeApply",
    ),
    "fetch_only_of_fragments": Category(
        "a selection made only of fragments (no field beside them) loses its fields or fails",
        "fragments are collected like fields; the runtime type is resolved whatever the "
        "selection holds",
        "§6.3.2 CollectFields, §6.4.3 ResolveAbstractType",
    ),
    "peer_planner_error": Category(
        "the peer's query planner fails on a valid operation and the peer answers that error "
        "instead of data (Hive: 'Was not able to find any options for ...')",
        "a valid operation executes and has its data; the supergraph composes, so the fields "
        "can be fetched (the oracle and our router answer it)",
        "§5 Validation, §6 Execution, §7.1 Response Format",
    ),
    "condition_variable_not_forwarded": Category(
        "a subgraph fetch carries a @skip/@include on an operation variable but the peer does "
        "not declare or send that variable, and the subgraph refuses the fetch",
        "the client's operation defines the variable; a directive's argument takes its value "
        "from the variables, wherever the field is fetched",
        "§3.13.1 @skip, §3.13.2 @include, §5.8.3 All Variable Uses Defined, §6.4.1 "
        "CoerceArgumentValues",
    ),
    "shared_root_list_subfield_lost": Category(
        "on a list root field that several subgraphs resolve (@shareable products) with "
        "subfields from more than one subgraph, the peer loses a subfield of the items: its own "
        "execution fails ('Cannot return null for non-nullable field', masked as 'Unexpected "
        "error.'); seen with an aliased subfield, a fragment spread, or a third subgraph",
        "each item's fields are resolved and completed; a @shareable root field answers the "
        "same list whichever subgraph is asked, and an alias only names the response key",
        "§2.7 Field Alias, §6.4.3 Value Completion; Federation @shareable",
    ),
    "subgraph_fetch_field_conflict": Category(
        "the peer sends a subgraph one response key for fields whose types differ in that "
        "subgraph (Animal.name: String beside ... on Dog { name }, String! there), and the "
        "subgraph rejects the fetch ('Fields ... conflict because they return conflicting types')",
        "the client's operation is valid against the API schema, where the types agree, so it "
        "executes; a gateway sends subgraphs valid operations (aliasing such fields)",
        "§5.3.2 Field Selection Merging, §6 Execution; Federation composition of field types",
    ),
    "condition_on_key_field": Category(
        "a key field selected only under @skip/@include: when excluded, the peer leaves it out "
        "of the entity representations too, and the entity fetch fails or answers null",
        "@skip/@include exclude a field from the response only; an entity fetch is made with "
        "the @key fields it needs whatever the client selects",
        "§3.13.1 @skip, §3.13.2 @include, §6.3.2 CollectFields; Federation @key",
    ),
    "conditional_requirement_drops_entity": Category(
        "a field with @requires, excluded by @skip/@include, beside unconditional fields: the "
        "peer skips fetching the required fields but still expects them in the representation, "
        "drops the entity fetch, and the unconditional fields it would have answered are null",
        "@skip/@include exclude only the selection they are on; the other fields are collected "
        "and executed as usual",
        "§3.13.1 @skip, §3.13.2 @include, §6.3.2 CollectFields, §6.4 Executing Fields",
    ),
    "emptied_selection_answers_null": Category(
        "every subfield of an included field is excluded by @skip/@include and the peer answers "
        "null (a list of them: null) instead of an object without entries",
        "the field itself is collected and executed; completing an object value executes its "
        "selection set, which collects no field, so the value is an empty map ({})",
        "§6.3.2 CollectFields, §6.4.3 Value Completion, §7.2.2 Serialized Map Ordering",
    ),
    "requirement_of_requirement_unmet": Category(
        "a field's @requires needs a field that has a @requires of its own (deliveryNote needs "
        "shippingEstimate, which needs weight): the peer fetches that inner field where it is "
        "a root field's subfield, without its required fields, and the outer field is computed "
        "from the wrong value",
        "each field resolves from the object's own data; a @requires field is resolved with the "
        "fields it requires (the oracle computes every field from the same data)",
        "§6.4.2 ResolveFieldValue; Federation @requires",
    ),
}

# ---------------------------------------------------------------------------------------------
# the peers

PeerStart = Callable[[Path, dict[str, str]], Awaitable[tuple[asyncio.subprocess.Process, str]]]


async def _hive_js(path: Path, urls: dict[str, str]) -> tuple[asyncio.subprocess.Process, str]:
    return await start_hive_gateway(path, urls)


async def _hive_rust(path: Path, urls: dict[str, str]) -> tuple[asyncio.subprocess.Process, str]:
    return await start_hive_gateway(path, urls, rust_planner=True)


PEERS: dict[str, PeerStart] = {
    "apollo": start_apollo_gateway,
    "hive_js": _hive_js,
    "hive_rust": _hive_rust,
}

# (peer, graph) -> why the peer cannot serve the graph at all; those pairs are not run.
_CONTEXT_REFUSED = (
    "@apollo/gateway 2.14 refuses supergraphs that link the context spec "
    "(context/v0.1 is for: SECURITY)"
)
_CONTEXT_IGNORED = (
    "Hive Gateway starts but ignores @fromContext: every field with a context argument fails "
    "in the subgraph (missing argument)"
)
UNSERVED: dict[tuple[str, str], str] = {
    ("apollo", "context"): _CONTEXT_REFUSED,
    ("hive_js", "context"): _CONTEXT_IGNORED,
    ("hive_rust", "context"): _CONTEXT_IGNORED,
}

# ---------------------------------------------------------------------------------------------
# facts about a (shrunk) operation


@dataclass(frozen=True)
class OperationFacts:
    shadowing_aliases: tuple[str, ...] = ()  # "Type.alias: field"
    conditional_duplicates: tuple[str, ...] = ()  # "Type.responseKey"
    list_duplicates: tuple[str, ...] = ()  # "Type.responseKey", unconditional, list-typed
    conditional_requirement_leaks: tuple[str, ...] = ()  # "Type.conditional~sibling"
    requirement_overlaps: tuple[str, ...] = ()  # "Type.field needs selected"
    aliased_typenames: tuple[str, ...] = ()  # "AbstractType.alias"
    conditional_abstract_fragments: tuple[str, ...] = ()  # "Type"
    fragment_only_selections: tuple[str, ...] = ()  # "Type.responseKey" selecting only fragments
    conditional_requires_beside: tuple[str, ...] = ()  # "Type.conditional beside sibling"
    emptied_selections: tuple[str, ...] = ()  # "Type.responseKey": every subfield conditional
    requirements_with_requirements: tuple[str, ...] = ()  # "Type.field needs inner"
    conditional_key_fields: tuple[str, ...] = ()  # "Type.keyField" only under @skip/@include
    condition_variables: tuple[str, ...] = ()  # variables used by @skip/@include
    shared_root_lists: tuple[str, ...] = ()  # response keys of list root fields of 2+ subgraphs


@dataclass
class _Copy:
    node: FieldNode
    parent: GraphQLCompositeType
    conditional: bool


_TYPE_KINDS = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
)


def requirements_of(supergraph_sdl: str) -> dict[str, frozenset[str]]:
    """ "Type.field" -> the top-level field names its @requires (any subgraph) selects."""
    found: dict[str, set[str]] = {}
    for definition in parse(supergraph_sdl, no_location=True).definitions:
        if not isinstance(definition, _TYPE_KINDS):
            continue
        for field_node in definition.fields or ():
            for directive in field_node.directives or ():
                if directive.name.value != "join__field":
                    continue
                for argument in directive.arguments or ():
                    if argument.name.value == "requires" and isinstance(
                        argument.value, StringValueNode
                    ):
                        names = _top_level_fields(argument.value.value)
                        key = f"{definition.name.value}.{field_node.name.value}"
                        found.setdefault(key, set()).update(names)
    return {key: frozenset(names) for key, names in found.items()}


def keys_of(supergraph_sdl: str) -> dict[str, frozenset[str]]:
    """ "Type" -> the top-level field names of its @key field sets (any subgraph)."""
    found: dict[str, set[str]] = {}
    for definition in parse(supergraph_sdl, no_location=True).definitions:
        if not isinstance(definition, _TYPE_KINDS):
            continue
        for directive in definition.directives or ():
            if directive.name.value != "join__type":
                continue
            for argument in directive.arguments or ():
                if argument.name.value == "key" and isinstance(argument.value, StringValueNode):
                    names = _top_level_fields(argument.value.value)
                    found.setdefault(definition.name.value, set()).update(names)
    return {name: frozenset(fields) for name, fields in found.items()}


def shared_root_fields_of(supergraph_sdl: str) -> frozenset[str]:
    """The Query fields that more than one subgraph resolves (@shareable root fields)."""
    found: set[str] = set()
    for definition in parse(supergraph_sdl, no_location=True).definitions:
        if not isinstance(definition, _TYPE_KINDS) or definition.name.value != "Query":
            continue
        for field_node in definition.fields or ():
            graphs = {
                _argument(directive, "graph")
                for directive in field_node.directives or ()
                if directive.name.value == "join__field"
                and _argument(directive, "external") is not True
            }
            if len(graphs) > 1:
                found.add(field_node.name.value)
    return frozenset(found)


def _argument(directive: DirectiveNode, name: str) -> object:
    """The literal value of a directive's argument (an enum value's name, a string, a boolean);
    None when absent."""
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return getattr(argument.value, "value", None)
    return None


def _top_level_fields(field_set: str) -> set[str]:
    operation = parse("{" + field_set + "}", no_location=True).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return {s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)}


def operation_facts(
    schema: GraphQLSchema,
    operation: GeneratedOperation,
    requirements: Mapping[str, frozenset[str]] = {},
    keys: Mapping[str, frozenset[str]] = {},
    shared_roots: frozenset[str] = frozenset(),
) -> OperationFacts:
    document = parse(operation.query, no_location=True)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    assert schema.query_type is not None
    facts: dict[str, list[str]] = {name: [] for name in OperationFacts.__dataclass_fields__}

    def collect(
        selection_set: SelectionSetNode,
        parent: GraphQLCompositeType,
        conditional: bool,
        into: list[_Copy],
    ) -> None:
        for selection in selection_set.selections:
            here = conditional or _has_condition(selection.directives)
            if isinstance(selection, FieldNode):
                into.append(_Copy(selection, parent, here))
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                body = selection.selection_set
            else:
                assert isinstance(selection, FragmentSpreadNode)
                fragment = fragments[selection.name.value]
                condition, body = fragment.type_condition, fragment.selection_set
            narrowed = parent
            if condition is not None:
                named = schema.get_type(condition.name.value)
                assert isinstance(
                    named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
                )
                narrowed = named
            if _has_condition(selection.directives) and is_abstract_type(narrowed):
                facts["conditional_abstract_fragments"].append(narrowed.name)
            collect(body, narrowed, here, into)

    def visit(
        selection_set: SelectionSetNode, parent: GraphQLCompositeType, of: str | None = None
    ) -> None:
        copies: list[_Copy] = []
        collect(selection_set, parent, False, copies)
        if of is not None and copies and all(copy.conditional for copy in copies):
            facts["emptied_selections"].append(of)
        by_key: dict[str, list[_Copy]] = {}
        for copy in copies:
            key = (copy.node.alias or copy.node.name).value
            by_key.setdefault(key, []).append(copy)
            _field_facts(copy, facts)
        for key, same in by_key.items():
            if len(same) < 2:
                continue
            where = f"{parent.name}.{key}"
            if any(copy.conditional for copy in same) and not all(c.conditional for c in same):
                facts["conditional_duplicates"].append(where)
            definition = _field(same[0].parent, same[0].node.name.value)
            if definition is not None and _is_list(definition.type):
                facts["list_duplicates"].append(where)
        _requirement_facts(copies, requirements, facts)
        _condition_facts(by_key, requirements, keys, facts)
        for key, same in by_key.items():
            children: dict[str, tuple[GraphQLCompositeType, list[Any]]] = {}
            for copy in same:
                definition = _field(copy.parent, copy.node.name.value)
                if definition is None or copy.node.selection_set is None:
                    continue
                named = get_named_type(definition.type)
                if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
                    entry = children.setdefault(named.name, (named, []))
                    entry[1].extend(copy.node.selection_set.selections)
            for named, selections in children.values():
                if all(isinstance(s, InlineFragmentNode | FragmentSpreadNode) for s in selections):
                    facts["fragment_only_selections"].append(f"{parent.name}.{named.name}")
                visit(SelectionSetNode(selections=tuple(selections)), named, f"{parent.name}.{key}")

    visit(root.selection_set, schema.query_type)
    if root.operation.value == "query":
        query_fields = schema.query_type.fields
        facts["shared_root_lists"] = sorted(
            {
                (selection.alias or selection.name).value
                for selection in root.selection_set.selections
                if isinstance(selection, FieldNode)
                and selection.name.value in shared_roots
                and selection.name.value in query_fields
                and _is_list(query_fields[selection.name.value].type)
            }
        )
    facts["condition_variables"] = sorted(_condition_variables(document))
    return OperationFacts(**{name: tuple(values) for name, values in facts.items()})


def _field_facts(copy: _Copy, facts: dict[str, list[str]]) -> None:
    node, parent = copy.node, copy.parent
    if node.alias is None or node.alias.value == node.name.value:
        return
    alias = node.alias.value
    if node.name.value == "__typename" and is_abstract_type(parent):
        facts["aliased_typenames"].append(f"{parent.name}.{alias}")
    if alias in _field_names(parent):
        facts["shadowing_aliases"].append(f"{parent.name}.{alias}: {node.name.value}")


def _requirement_facts(
    copies: list[_Copy],
    requirements: Mapping[str, frozenset[str]],
    facts: dict[str, list[str]],
) -> None:
    with_requires = [
        (copy, requirements[f"{copy.parent.name}.{copy.node.name.value}"])
        for copy in copies
        if f"{copy.parent.name}.{copy.node.name.value}" in requirements
    ]
    for copy, needs in with_requires:
        for other, other_needs in with_requires:
            if copy.conditional and not other.conditional and needs & other_needs:
                facts["conditional_requirement_leaks"].append(
                    f"{copy.parent.name}.{copy.node.name.value}~{other.node.name.value}"
                )
        required_on_type = {
            name
            for key, names in requirements.items()
            if key.split(".")[0] == copy.parent.name
            for name in names
        }
        for selected in copies:
            name = selected.node.name.value
            if name in required_on_type and selected.node.selection_set is not None:
                facts["requirement_overlaps"].append(
                    f"{copy.parent.name}.{copy.node.name.value} beside {name} {{...}}"
                )


def _condition_facts(
    by_key: Mapping[str, list[_Copy]],
    requirements: Mapping[str, frozenset[str]],
    keys: Mapping[str, frozenset[str]],
    facts: dict[str, list[str]],
) -> None:
    """Fields only under @skip/@include (every copy of the response key conditional) that have a
    @requires or are key fields, beside another field; and fields whose @requires needs a field
    that has a @requires itself."""
    for key, same in by_key.items():
        for copy in same:
            field_key = f"{copy.parent.name}.{copy.node.name.value}"
            for needed in sorted(requirements.get(field_key, ())):
                if f"{copy.parent.name}.{needed}" in requirements:
                    facts["requirements_with_requirements"].append(f"{field_key} needs {needed}")
        if not all(copy.conditional for copy in same):
            continue
        siblings = [
            other
            for other_key, others in by_key.items()
            if other_key != key
            for other in others
            if other.node.name.value != "__typename"
        ]
        if not siblings:
            continue
        copy = same[0]
        name = copy.node.name.value
        if f"{copy.parent.name}.{name}" in requirements:
            unconditional = sorted({o.node.name.value for o in siblings if not o.conditional})
            facts["conditional_requires_beside"] += [
                f"{copy.parent.name}.{name} beside {other}" for other in unconditional
            ]
        if copy.node.alias is None and name in keys.get(copy.parent.name, ()):
            facts["conditional_key_fields"].append(f"{copy.parent.name}.{name}")


def _condition_variables(document: DocumentNode) -> set[str]:
    found: set[str] = set()

    class Visitor(GraphQLVisitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            if node.name.value in ("skip", "include"):
                for argument in node.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        found.add(argument.value.name.value)

    visit_ast(document, Visitor())
    return found


def _has_condition(directives: tuple[DirectiveNode, ...] | None) -> bool:
    return any(d.name.value in ("skip", "include") for d in directives or ())


def _field_names(parent: GraphQLCompositeType) -> set[str]:
    if isinstance(parent, GraphQLUnionType):
        return {name for member in parent.types for name in member.fields}
    return set(parent.fields)


def _field(parent: GraphQLCompositeType, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLUnionType):
        return None
    found: GraphQLField | None = parent.fields.get(name)
    return found


def _is_list(of: Any) -> bool:
    if isinstance(of, GraphQLNonNull):
        of = of.of_type
    return isinstance(of, GraphQLList)


# ---------------------------------------------------------------------------------------------
# the classifier


def classify(facts: OperationFacts, answer: dict[str, Any], oracle: dict[str, Any]) -> str | None:
    """The category of a peer's ``answer`` to a shrunk operation that differs from ``oracle``;
    None when no rule recognises it."""
    if _unanswered(answer):
        return "no_answer_in_time"
    if not oracle.get("errors"):
        if _error_messages(answer, _PLANNER_FAILURES):
            return "peer_planner_error"
        undefined = tuple(
            f"Variable '${name}' is not defined by operation" for name in facts.condition_variables
        )
        if undefined and _error_messages(answer, undefined):
            return "condition_variable_not_forwarded"
    same_errors = bool(answer.get("errors")) == bool(oracle.get("errors"))
    if same_errors and _sorted(answer.get("data")) == _sorted(oracle.get("data")):
        return "response_key_order"
    if (
        oracle.get("errors")
        and not answer.get("errors")
        and (answer.get("extensions") or {}).get("valueCompletion")
        and _sorted(answer.get("data")) == _sorted(oracle.get("data"))
    ):
        return "field_error_outside_errors"
    if oracle.get("data") == {} and answer.get("data") is None:
        return "data_entry_missing"
    if facts.shadowing_aliases:
        return "alias_shadows_field"
    if not oracle.get("errors") and _subgraph_error_messages(answer, _FIELD_CONFLICTS):
        return "subgraph_fetch_field_conflict"
    if facts.conditional_duplicates:
        return "conditional_duplicate"
    if facts.conditional_requirement_leaks:
        return "condition_leaks_into_requirement"
    if facts.requirement_overlaps:
        return "requirement_merged_with_selection"
    if facts.list_duplicates and _longer_list(answer.get("data"), oracle.get("data")):
        return "duplicate_list_concatenated"
    if facts.aliased_typenames and _null_where_value(answer.get("data"), oracle.get("data")):
        return "aliased_typename_lost"
    if facts.conditional_abstract_fragments and answer.get("errors") and not oracle.get("errors"):
        return "condition_on_abstract_fragment"
    if facts.fragment_only_selections and (
        _missing_key(answer.get("data"), oracle.get("data"))
        or (answer.get("errors") and not oracle.get("errors"))
    ):
        return "fetch_only_of_fragments"
    if facts.conditional_key_fields and (
        (answer.get("errors") and not oracle.get("errors"))
        or _null_where_value(answer.get("data"), oracle.get("data"))
    ):
        return "condition_on_key_field"
    if facts.conditional_requires_beside and _null_where_value(
        answer.get("data"), oracle.get("data")
    ):
        return "conditional_requirement_drops_entity"
    if facts.emptied_selections and _null_where_empty(answer.get("data"), oracle.get("data")):
        return "emptied_selection_answers_null"
    if (
        facts.requirements_with_requirements
        and not answer.get("errors")
        and not oracle.get("errors")
    ):
        differing = _differing_leaf_keys(answer.get("data"), oracle.get("data"))
        outer = {fact.split(" ")[0].split(".")[1] for fact in facts.requirements_with_requirements}
        if differing and differing <= outer:
            return "requirement_of_requirement_unmet"
    if not oracle.get("errors") and _internal_error_in_items_of(answer, facts.shared_root_lists):
        return "shared_root_list_subfield_lost"
    return None


def _internal_error_in_items_of(answer: dict[str, Any], root_keys: tuple[str, ...]) -> bool:
    """``answer`` has a gateway's own error (INTERNAL_SERVER_ERROR, no subgraph named) at a
    field of an item of one of the root lists ``root_keys``."""
    return any(
        (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"
        and "serviceName" not in (error.get("extensions") or {})
        and len(path := error.get("path") or ()) >= 3
        and path[0] in root_keys
        and isinstance(path[1], int)
        for error in answer.get("errors") or ()
    )


# graphql-js's message when a subgraph finds two fields of one response key with different types
_FIELD_CONFLICTS = ("conflict because they return conflicting types",)


def _subgraph_error_messages(answer: dict[str, Any], parts: tuple[str, ...]) -> bool:
    """Some error of ``answer`` that a subgraph answered (the peer names it in
    ``extensions.serviceName``) has a message holding one of ``parts``."""
    return any(
        "serviceName" in (error.get("extensions") or {})
        and any(part in str(error.get("message", "")) for part in parts)
        for error in answer.get("errors") or ()
    )


# The messages of a peer's query planner failing (the peer answers them as the request's error).
_PLANNER_FAILURES = ("Was not able to find any options for",)


def _error_messages(answer: dict[str, Any], parts: tuple[str, ...]) -> bool:
    """Some error of ``answer`` has a message holding one of ``parts``."""
    return any(
        any(part in str(error.get("message", "")) for part in parts)
        for error in answer.get("errors") or ()
    )


def _null_where_empty(answer: Any, oracle: Any) -> bool:
    """``answer`` has null where ``oracle`` has an object without entries (or a list, possibly
    nested, of only such objects)."""

    def empty(value: Any) -> bool:
        if isinstance(value, list):
            return bool(value) and all(empty(item) for item in value)
        return value == {}

    return any(a is None and empty(o) for a, o in _pairs(answer, oracle))


def _differing_leaf_keys(answer: Any, oracle: Any, key: str | None = None) -> set[str]:
    """The response keys of the scalar values (or shapes) where ``answer`` and ``oracle``
    differ; a difference at the root counts as the key ``""``."""
    if isinstance(answer, dict) and isinstance(oracle, dict) and set(answer) == set(oracle):
        return {
            k for name in oracle for k in _differing_leaf_keys(answer[name], oracle[name], name)
        }
    if isinstance(answer, list) and isinstance(oracle, list) and len(answer) == len(oracle):
        return {
            k for a, o in zip(answer, oracle, strict=True) for k in _differing_leaf_keys(a, o, key)
        }
    return set() if answer == oracle else {key or ""}


def _missing_key(answer: Any, oracle: Any) -> bool:
    return any(
        isinstance(a, dict) and isinstance(o, dict) and not set(o) <= set(a)
        for a, o in _pairs(answer, oracle)
    )


def _sorted(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def _pairs(answer: Any, oracle: Any) -> Iterator[tuple[Any, Any]]:
    yield answer, oracle
    if isinstance(answer, dict) and isinstance(oracle, dict):
        for key, value in oracle.items():
            if key in answer:
                yield from _pairs(answer[key], value)
    elif isinstance(answer, list) and isinstance(oracle, list):
        for left, right in zip(answer, oracle, strict=False):
            yield from _pairs(left, right)


def _longer_list(answer: Any, oracle: Any) -> bool:
    return any(
        isinstance(a, list) and isinstance(o, list) and len(a) > len(o)
        for a, o in _pairs(answer, oracle)
    )


def _null_where_value(answer: Any, oracle: Any) -> bool:
    return any(a is None and o is not None for a, o in _pairs(answer, oracle))


# ---------------------------------------------------------------------------------------------
# running a graph through ours and the peers


@dataclass(frozen=True)
class GraphShape:
    """What the classifier needs to know of a graph: its API schema and, from its supergraph,
    the @requires and @key fields and the root fields several subgraphs resolve."""

    api_schema: GraphQLSchema
    requirements: Mapping[str, frozenset[str]]
    keys: Mapping[str, frozenset[str]]
    shared_roots: frozenset[str]

    @classmethod
    def of(cls, graph: FeatureGraph) -> GraphShape:
        supergraph = graph.supergraph_path.read_text()
        return cls(
            build_schema(graph.api_schema_path.read_text()),
            requirements_of(supergraph),
            keys_of(supergraph),
            shared_root_fields_of(supergraph),
        )

    def facts(self, operation: GeneratedOperation) -> OperationFacts:
        return operation_facts(
            self.api_schema, operation, self.requirements, self.keys, self.shared_roots
        )

    def classify(self, found: Disagreement) -> str | None:
        return classify(self.facts(found.operation), found.answer, found.oracle)


@dataclass(frozen=True)
class PeerFinding:
    peer: str
    original: GeneratedOperation
    shrunk: Disagreement
    category: str | None

    def describe(self) -> str:
        return f"[{self.peer}: {self.category or 'UNCLASSIFIED'}]\n{self.shrunk.describe()}"


@dataclass
class GraphRun:
    graph: str
    operations: int
    peers: list[str]
    ours: list[Disagreement] = field(default_factory=list)
    findings: list[PeerFinding] = field(default_factory=list)
    unserved: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def by_category(self, peer: str) -> dict[str, list[PeerFinding]]:
        grouped: dict[str, list[PeerFinding]] = {}
        for finding in self.findings:
            if finding.peer == peer:
                grouped.setdefault(finding.category or "unclassified", []).append(finding)
        return grouped


REQUEST_TIMEOUT_SECONDS = 10.0
NO_ANSWER = f"no answer within {REQUEST_TIMEOUT_SECONDS:.0f} s"


async def _post(
    running: RouterOverGraph, url: str, operation: GeneratedOperation
) -> dict[str, Any]:
    """One request; a kept-alive connection the server closed meanwhile is retried once; no
    answer in time is answered as an error ``NO_ANSWER``."""
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
            try:
                return await running.send_to(url, operation)
            except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError):
                return await running.send_to(url, operation)
    except TimeoutError:
        return {"errors": [{"message": NO_ANSWER}]}


def _unanswered(answer: dict[str, Any]) -> bool:
    return any(error.get("message") == NO_ANSWER for error in answer.get("errors") or ())


async def run_graph(
    graph: FeatureGraph,
    running: RouterOverGraph,
    peer_urls: Mapping[str, str],
    *,
    seed: int,
    count: int,
    shrink_attempts: int = 120,
    on_progress: Callable[[int], None] | None = None,
) -> GraphRun:
    """``count`` random operations (``seed``) through our router and each peer, each compared with
    the oracle; every peer disagreement shrunk (with that peer) and classified."""
    started = time.perf_counter()
    shape = GraphShape.of(graph)
    api_schema = shape.api_schema
    oracle = graph.oracle_schema()
    settings = GenerationSettings(
        argument_values=graph.argument_values, excluded_fields=graph.excluded_fields
    )
    operations = generate_operations(api_schema, seed=seed, count=count, settings=settings)
    run = GraphRun(graph.name, count, list(peer_urls))

    async def ours(operation: GeneratedOperation) -> dict[str, Any]:
        return await _post(running, running.router.graphql_url, operation)

    for index, operation in enumerate(operations):
        found = await disagreement(ours, oracle, operation)
        if found is not None:

            async def ours_fail(candidate: GeneratedOperation) -> bool:
                return await disagreement(ours, oracle, candidate) is not None

            smallest = await shrink_operation(
                operation, api_schema, ours_fail, max_attempts=shrink_attempts
            )
            run.ours.append(await disagreement(ours, oracle, smallest) or found)
        for peer, url in peer_urls.items():

            async def send(candidate: GeneratedOperation, url: str = url) -> dict[str, Any]:
                return await _post(running, url, candidate)

            first = await disagreement(send, oracle, operation)
            if first is None:
                continue
            if _unanswered(first.answer):  # shrinking would wait as long again, many times
                run.findings.append(PeerFinding(peer, operation, first, "no_answer_in_time"))
                continue

            async def still_fails(
                candidate: GeneratedOperation, send: Callable[..., Any] = send
            ) -> bool:
                return await disagreement(send, oracle, candidate) is not None

            smallest = await shrink_operation(
                operation, api_schema, still_fails, max_attempts=shrink_attempts
            )
            shrunk = await disagreement(send, oracle, smallest) or first
            category = shape.classify(shrunk)
            run.findings.append(PeerFinding(peer, operation, shrunk, category))
        if on_progress is not None:
            on_progress(index + 1)
    run.seconds = time.perf_counter() - started
    return run


async def start_peers(
    graph: FeatureGraph, running: RouterOverGraph, peers: list[str]
) -> tuple[dict[str, tuple[asyncio.subprocess.Process, str]], dict[str, str]]:
    """The peers that can serve ``graph``, started at once on its subgraphs; and the reasons the
    others are left out."""
    unserved = {
        peer: UNSERVED[(peer, graph.name)] for peer in peers if (peer, graph.name) in UNSERVED
    }
    wanted = [peer for peer in peers if peer not in unserved]
    results = await asyncio.gather(
        *(PEERS[peer](graph.supergraph_path, running.subgraph_urls) for peer in wanted),
        return_exceptions=True,
    )
    started: dict[str, tuple[asyncio.subprocess.Process, str]] = {}
    failure: BaseException | None = None
    for peer, result in zip(wanted, results, strict=True):
        if isinstance(result, BaseException):
            failure = failure or result
        else:
            started[peer] = result
    if failure is not None:
        await stop_peers(started)
        raise failure
    return started, unserved


async def stop_peers(started: Mapping[str, tuple[asyncio.subprocess.Process, str]]) -> None:
    for process, _ in started.values():
        await stop_process(process)
