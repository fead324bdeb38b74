"""Email addresses as identity stores them."""

from __future__ import annotations

import re

from subgraphs.identity.errors import InvalidEmail

_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")


def normalise_email(raw: str) -> str:
    """Trimmed, domain lower-cased (the local part is case-sensitive by RFC 5321); validated."""
    email = raw.strip()
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail("it needs a local part, an @ and a domain")
    domain = domain.lower()
    if not _LOCAL_PART.match(local) or local.startswith(".") or ".." in local:
        raise InvalidEmail("the part before @ has characters or dots that are not allowed")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise InvalidEmail("the domain must look like example.com")
    normalised = f"{local}@{domain}"
    if len(normalised) > 254:
        raise InvalidEmail("it is longer than 254 characters")
    return normalised
