"""Authentication and authorization at the router: the identity JWKS cache, bearer-token
verification (``tokens``), the principal a verified token stands for, ``@policy`` rules
evaluated over its claims, and the authorization filter applied to operations before planning.
"""

from router.auth.jwks import JwksCache, JwksUnavailable
from router.auth.policies import PolicyRules, load_policy_rules
from router.auth.principal import Principal
from router.auth.tokens import TokenRejected, TokenVerifier

__all__ = [
    "JwksCache",
    "JwksUnavailable",
    "PolicyRules",
    "Principal",
    "TokenRejected",
    "TokenVerifier",
    "load_policy_rules",
]
