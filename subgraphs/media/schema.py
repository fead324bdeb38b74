"""media's federation schema."""

from __future__ import annotations

import strawberry

from subgraphs.kernel.extensions import KERNEL_EXTENSIONS
from subgraphs.kernel.scalars import subgraph_config
from subgraphs.kernel.schema import FEDERATION_VERSION
from subgraphs.media.mutations import Mutation
from subgraphs.media.queries import Query
from subgraphs.media.types import User, Video

schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    types=[User, Video],
    federation_version=FEDERATION_VERSION,
    extensions=KERNEL_EXTENSIONS,
    config=subgraph_config(),
)
