"""@policy rules over claims, the router's token settings, and authorization directives read
from supergraphs (under their @link names)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from router.auth.policies import load_policy_rules, parse_policy_rules
from router.config import RouterConfig
from router.supergraph import Requirement, load_supergraph

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "authorization"

RULES = {
    "mfa": {"claim": "amr", "contains": "otp"},
    "verified": {"claim": "email_verified", "equals": True},
    "staff": {"claim": "roles", "contains_any": ["support_agent", "admin"]},
    "gold": {"claim": "org.tier", "in": ["gold", "platinum"]},
    "has_sid": {"claim": "sid", "exists": True},
    "mfa_staff": {"all": [{"policy": "mfa"}, {"policy": "staff"}]},
    "not_staff": {"not": {"policy": "staff"}},
    "admin_scope": {"claim": "scope", "contains": "admin"},
}


@pytest.mark.parametrize(
    ("policy", "claims", "expected"),
    [
        ("mfa", {"amr": ["pwd", "otp"]}, True),
        ("mfa", {"amr": ["pwd"]}, False),
        ("mfa", {}, False),
        ("verified", {"email_verified": True}, True),
        ("verified", {"email_verified": "true"}, False),
        ("staff", {"roles": ["user", "admin"]}, True),
        ("staff", {"roles": ["user"]}, False),
        ("gold", {"org": {"tier": "gold"}}, True),
        ("gold", {"org": "gold"}, False),
        ("has_sid", {"sid": "s1"}, True),
        ("has_sid", {}, False),
        ("mfa_staff", {"amr": ["otp"], "roles": ["admin"]}, True),
        ("mfa_staff", {"amr": ["otp"], "roles": ["user"]}, False),
        ("not_staff", {}, True),
        ("admin_scope", {"scope": "profile admin"}, True),
        ("undefined", {"anything": True}, False),
    ],
)
def test_policy_rules_over_claims(policy: str, claims: dict[str, object], expected: bool) -> None:
    assert parse_policy_rules(RULES).satisfied(policy, claims) is expected


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"p": "amr"},
        {"p": {"claim": "amr"}},
        {"p": {"claim": "amr", "equals": 1, "contains": 2}},
        {"p": {"claim": "amr", "contains_any": "otp"}},
        {"p": {"all": []}},
        {"p": {"policy": "nowhere"}},
        {"p": {"claim": "amr", "matches": ".*"}},
    ],
)
def test_malformed_policy_rules_are_refused(document: object) -> None:
    with pytest.raises(ValueError):
        parse_policy_rules(document)


def test_policies_come_inline_or_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "policies.json"
    path.write_bytes(orjson.dumps(RULES))
    from_file = load_policy_rules(str(path))
    inline = load_policy_rules(orjson.dumps(RULES).decode())
    assert from_file.satisfied("mfa", {"amr": ["otp"]})
    assert inline.satisfied("mfa", {"amr": ["otp"]})
    with pytest.raises(ValueError, match="cannot read"):
        load_policy_rules(str(tmp_path / "missing.json"))


def test_token_settings_from_the_environment() -> None:
    config = RouterConfig.from_env(
        {
            "EHB_ROUTER_JWKS_URL": "http://127.0.0.1:4001/.well-known/jwks.json",
            "EHB_ROUTER_TOKEN_ISSUER": "issuer-x",
            "EHB_ROUTER_TOKEN_AUDIENCE": "api-x",
            "EHB_ROUTER_JWKS_MAX_AGE": "60",
            "EHB_ROUTER_JWKS_MIN_REFETCH": "2",
            "EHB_ROUTER_POLICIES": '{"mfa": {"claim": "amr", "contains": "otp"}}',
        }
    )
    assert config.jwks_url == "http://127.0.0.1:4001/.well-known/jwks.json"
    assert (config.token_issuer, config.token_audience) == ("issuer-x", "api-x")
    assert (config.jwks_max_age_seconds, config.jwks_min_refetch_seconds) == (60.0, 2.0)
    assert "mfa" in config.policies


def test_token_settings_default_to_the_contract() -> None:
    config = RouterConfig.from_env({})
    assert config.jwks_url is None
    assert (config.token_issuer, config.token_audience) == ("ehb-identity", "ehb-api")
    assert "mfa" not in config.policies


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EHB_ROUTER_JWKS_URL", "identity:4001/jwks"),
        ("EHB_ROUTER_POLICIES", "{not json"),
        ("EHB_ROUTER_JWKS_MAX_AGE", "-1"),
    ],
)
def test_bad_token_settings_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        RouterConfig.from_env({name: value})


def test_directives_are_read_from_the_supergraph() -> None:
    rules = load_supergraph((FIXTURES / "supergraph.graphql").read_text()).authorization
    assert rules.of_field("Query", "me") == (Requirement("authenticated"),)
    assert rules.of_field("Query", "staffNote") == (
        Requirement("scopes", (frozenset({"support"}), frozenset({"admin"}))),
    )
    assert rules.of_field("Query", "auditTrail") == (
        Requirement("scopes", (frozenset({"admin", "support"}),)),
    )
    assert rules.of_type("Wallet") == (Requirement("scopes", (frozenset({"wallets"}),)),)
    assert rules.of_type("TaxId") == (Requirement("scopes", (frozenset({"admin"}),)),)
    assert rules.policy_names == {"mfa"}
    assert rules.of_field("User", "name") == ()


def test_directives_imported_under_other_names_are_read() -> None:
    sdl = (
        (FIXTURES / "supergraph.graphql")
        .read_text()
        .replace(
            '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)',
            '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY, '
            'import: [{name: "@authenticated", as: "@signedIn"}])',
        )
        .replace(
            '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)',
            '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", as: "rs", for: SECURITY)',
        )
        .replace("@authenticated", "@signedIn")
        .replace(
            '{name: "@signedIn", as: "@signedIn"}', '{name: "@authenticated", as: "@signedIn"}'
        )
        .replace("@requiresScopes(", "@rs(")
        .replace("directive @requiresScopes", "directive @rs")
    )
    rules = load_supergraph(sdl).authorization
    assert rules.of_field("Query", "me") == (Requirement("authenticated"),)
    assert rules.of_type("Wallet") == (Requirement("scopes", (frozenset({"wallets"}),)),)
