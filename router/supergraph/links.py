"""The ``@link`` header of a supergraph: which specs it uses and under which names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphql import ValueNode, value_from_ast_untyped
from graphql.language import ast

from router.errors import SupergraphError

_SPEC_URL = re.compile(r"^https?://[^/]+/(?P<name>[A-Za-z_][\w-]*)/v(?P<version>\d+\.\d+)$")
SUPPORTED_JOIN_VERSIONS = ("0.3", "0.4", "0.5")


@dataclass(frozen=True, slots=True)
class LinkedSpec:
    """One ``@link``: the spec name and version, the prefix it is used under, its imports."""

    name: str
    version: str
    prefix: str
    imports: dict[str, str]  # original element name (``@inaccessible``) -> local name

    def directive_name(self, element: str) -> str:
        """Local name of a directive of this spec (``type`` -> ``join__type``)."""
        imported = self.imports.get("@" + element)
        if imported is not None:
            return imported.lstrip("@")
        if element == self.name:
            return self.prefix
        return f"{self.prefix}__{element}"

    def owns(self, local_name: str) -> bool:
        """Whether a directive or type name (without ``@``) belongs to this spec."""
        if local_name == self.prefix or local_name.startswith(self.prefix + "__"):
            return True
        return any(local.lstrip("@") == local_name for local in self.imports.values())


def read_links(document: ast.DocumentNode) -> list[LinkedSpec]:
    links: list[LinkedSpec] = []
    for definition in document.definitions:
        if not isinstance(definition, ast.SchemaDefinitionNode | ast.SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value == "core":
                raise SupergraphError(
                    "this is a Federation 1 supergraph (@core); compose it with Federation 2"
                )
            if directive.name.value == "link":
                links.append(_read_link(directive))
    return links


def _read_link(directive: ast.DirectiveNode) -> LinkedSpec:
    arguments = {arg.name.value: _literal(arg.value) for arg in directive.arguments or ()}
    url = str(arguments.get("url") or "")
    match = _SPEC_URL.match(url)
    if match is None:
        raise SupergraphError(f"unrecognised @link url {url!r}")
    name = match.group("name")
    imports: dict[str, str] = {}
    raw_imports = arguments.get("import")
    for item in raw_imports if isinstance(raw_imports, list) else ():
        if isinstance(item, str):
            imports[item] = item
        elif isinstance(item, dict) and "name" in item:
            imports[str(item["name"])] = str(item.get("as") or item["name"])
    return LinkedSpec(
        name=name,
        version=match.group("version"),
        prefix=str(arguments.get("as") or name),
        imports=imports,
    )


def _literal(value: ValueNode) -> object:
    return value_from_ast_untyped(value)


def join_spec(links: list[LinkedSpec]) -> LinkedSpec:
    joins = [link for link in links if link.name == "join"]
    if not joins:
        raise SupergraphError(
            "not a Federation 2 supergraph: no @link to https://specs.apollo.dev/join"
        )
    join = joins[0]
    if join.version not in SUPPORTED_JOIN_VERSIONS:
        raise SupergraphError(
            f"join spec v{join.version} is not supported "
            f"(supported: {', '.join('v' + v for v in SUPPORTED_JOIN_VERSIONS)})"
        )
    return join
