"""`ehb dev` points the router and the subgraphs at the identity subgraph's JWKS."""

from __future__ import annotations

from router.dev import DevLayout


def test_the_router_and_subgraphs_verify_tokens_against_identity_jwks() -> None:
    layout = DevLayout(host="127.0.0.1", router_port=4000)
    identity = layout.subgraph_url("identity").removesuffix("/graphql")
    assert layout.jwks_url == f"{identity}/.well-known/jwks.json"
    assert layout.token_environment() == {
        "EHB_JWKS_URL": layout.jwks_url,
        "EHB_ROUTER_JWKS_URL": layout.jwks_url,
    }
