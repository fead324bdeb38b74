"""The query planner: normalised operation -> fetch groups -> plan nodes; plus the printer.

Stages: ``builder`` places every selection in a fetch group (root fetches per subgraph, entity
hops through keys, ``@requires`` first, ``@provides`` honoured, ``@interfaceObject`` type
hops); ``schedule`` orders groups into waves and merges all entity groups of one subgraph in a
wave into one fetch, and for queries ``dataflow`` records which earlier fetches each one reads
from, so the executor starts it as soon as those are merged; ``plan`` makes one plan per
combination of ``@skip``/``@include`` variables (the one a request runs), which ``conditions``
merges into the one tree Apollo would show (``Include``/``Skip`` nodes where they apply,
``@include``/``@skip`` in fetches); ``printer`` prints Apollo's QueryPlan text.
Subgraph operations follow each subgraph's own field types (``@join__field(type:)``): below a
field the planner plans for the type that subgraph declares, and ``aliases`` aliases fields
the subgraph could not merge (``name__alias_0: name``), which the executor renames back.

A planner plans for one set of active progressive-override labels (``override_labels``
decides them per request; ``Supergraph.with_override_labels`` gives the view to plan with).
``@fromContext`` arguments are fetched on the nearest ancestor that sets the context (the
type itself, an implementation of an interface or a member of a union marked ``@context``;
type-conditioned selections read the branch of the ancestor's type) and travel as
``$contextualArgument_<g>_<i>`` variables of the entity fetch; entities with different values
share one request, one aliased ``_entities`` field per set of values (``ContextBatches``).

Printed form: as Apollo's, except that a fetch serving several response paths prints as
``Flatten(paths: ["a.@", "b.@"])``.
"""

from router.planner.nodes import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    SequenceNode,
)
from router.planner.plan import OperationPlan, PlannedVariant, QueryPlanner
from router.planner.printer import print_plan

__all__ = [
    "ConditionNode",
    "FetchNode",
    "FlattenNode",
    "OperationPlan",
    "ParallelNode",
    "PlanNode",
    "PlannedVariant",
    "QueryPlan",
    "QueryPlanner",
    "SequenceNode",
    "print_plan",
]
