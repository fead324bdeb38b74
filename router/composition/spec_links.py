"""The ``@link``s of a subgraph to specifications other than federation and link itself.

A custom directive is "a member of a core feature" when a ``@link`` imports it (possibly under
another name) or when its name is the link's namespace or starts with ``<namespace>__``; only
such directives may be composed with ``@composeDirective``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql import DocumentNode, value_from_ast_untyped
from graphql.language import ast

_SPEC_URL = re.compile(
    r"^(?P<identity>.+/(?P<name>[A-Za-z_][A-Za-z0-9_-]*))/v(?P<major>\d+)\.(?P<minor>\d+)/?$"
)
_LINK_URL = re.compile(r"^https?://specs\.apollo\.dev/link/v\d+\.\d+/?$")


@dataclass(frozen=True)
class SpecLink:
    """One ``@link(url:, as:, import:)`` of a subgraph."""

    url: str
    identity: str  # the url without its version
    version: tuple[int, int]
    namespace: str  # ``as:`` or the specification's name
    spec_name: str
    # local directive name (without "@") -> its name in the specification
    imports: dict[str, str] = field(default_factory=dict)

    def name_in_spec(self, local: str) -> str | None:
        """The specification's name of the local directive ``local``, if this link defines it."""
        if local in self.imports:
            return self.imports[local]
        if local == self.namespace:
            return self.spec_name
        if local.startswith(f"{self.namespace}__"):
            return local[len(self.namespace) + 2 :]
        return None

    def local_name(self, name_in_spec: str) -> str:
        """How this subgraph calls the specification's directive ``name_in_spec``."""
        for local, original in self.imports.items():
            if original == name_in_spec:
                return local
        if name_in_spec == self.spec_name:
            return self.namespace
        return f"{self.namespace}__{name_in_spec}"


def read_spec_links(document: DocumentNode) -> list[SpecLink]:
    """Every ``@link`` on the schema definition or extensions, in document order."""
    links: list[SpecLink] = []
    for node in _schema_directives(document, "link"):
        arguments = {a.name.value: value_from_ast_untyped(a.value) for a in node.arguments or ()}
        url = str(arguments.get("url", ""))
        match = _SPEC_URL.match(url)
        if match is None or _LINK_URL.match(url):
            continue
        link = SpecLink(
            url=url,
            identity=match["identity"],
            version=(int(match["major"]), int(match["minor"])),
            namespace=str(arguments.get("as") or match["name"]),
            spec_name=match["name"],
        )
        for imported in arguments.get("import") or ():
            if isinstance(imported, dict):
                name, alias = str(imported.get("name", "")), str(imported.get("as") or "")
            else:
                name = alias = str(imported)
            if name.startswith("@"):
                link.imports[(alias or name).removeprefix("@")] = name.removeprefix("@")
        links.append(link)
    return links


def read_composed_names(document: DocumentNode, local_name: str) -> list[str]:
    """The ``name:`` of every ``@composeDirective`` (called ``local_name`` here), as written."""
    names: list[str] = []
    for node in _schema_directives(document, local_name):
        for argument in node.arguments or ():
            if argument.name.value == "name":
                names.append(str(value_from_ast_untyped(argument.value)))
    return names


def _schema_directives(document: DocumentNode, name: str) -> list[ast.DirectiveNode]:
    return [
        directive
        for definition in document.definitions
        if isinstance(definition, ast.SchemaDefinitionNode | ast.SchemaExtensionNode)
        for directive in definition.directives or ()
        if directive.name.value == name
    ]
