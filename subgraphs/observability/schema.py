"""observability's federation schema (no entities: it owns only values and root fields)."""

from __future__ import annotations

import strawberry

from subgraphs.kernel.extensions import KERNEL_EXTENSIONS
from subgraphs.kernel.scalars import subgraph_config
from subgraphs.kernel.schema import FEDERATION_VERSION
from subgraphs.observability.mutations import Mutation
from subgraphs.observability.queries import Query
from subgraphs.observability.subscriptions import Subscription

schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    federation_version=FEDERATION_VERSION,
    extensions=KERNEL_EXTENSIONS,
    config=subgraph_config(),
)
