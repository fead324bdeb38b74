"""Subscriptions served by the router: the ``graphql-transport-ws`` WebSocket protocol and
GraphQL over Server-Sent Events (distinct connections mode) on ``/graphql``, each client
subscription fed by an upstream subscription shared between identical clients
(``upstream``) and completed per event by the executor (``router.executor.subscription``)."""

from router.subscriptions.server import Authenticate, SubscriptionServer
from router.subscriptions.upstream import UpstreamSubscriptions

__all__ = ["Authenticate", "SubscriptionServer", "UpstreamSubscriptions"]
