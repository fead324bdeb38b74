"""commerce's federation schema."""

from __future__ import annotations

import strawberry

from subgraphs.commerce.mutations import Mutation
from subgraphs.commerce.queries import Query
from subgraphs.commerce.types import Order, Product, Seller, User
from subgraphs.kernel.extensions import KERNEL_EXTENSIONS
from subgraphs.kernel.scalars import subgraph_config
from subgraphs.kernel.schema import FEDERATION_VERSION

schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    types=[User, Seller, Product, Order],
    federation_version=FEDERATION_VERSION,
    extensions=KERNEL_EXTENSIONS,
    config=subgraph_config(),
)
