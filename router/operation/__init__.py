"""Client operations: parse, validate, select and normalise."""

from router.operation.document import ClientOperation, load_operation
from router.operation.normalise import (
    Field,
    Fragment,
    Selection,
    condition_variables,
    normalise_operation,
)

__all__ = [
    "ClientOperation",
    "Field",
    "Fragment",
    "Selection",
    "condition_variables",
    "load_operation",
    "normalise_operation",
]
