"""The supergraph: join directives parsed into a frozen model, plus the public API schema."""

from router.supergraph.loader import load_supergraph
from router.supergraph.model import (
    FieldModel,
    JoinField,
    JoinType,
    SubgraphEndpoint,
    Supergraph,
    TypeModel,
)

__all__ = [
    "FieldModel",
    "JoinField",
    "JoinType",
    "SubgraphEndpoint",
    "Supergraph",
    "TypeModel",
    "load_supergraph",
]
