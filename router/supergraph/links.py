"""``@link`` resolution: which names in the supergraph belong to which linked spec."""

from __future__ import annotations

import re
from dataclasses import dataclass

import graphql

from router.errors import SupergraphError

_SPEC_URL = re.compile(r"^(?P<base>.+)/(?P<name>[A-Za-z_][\w-]*)/v(?P<version>\d+\.\d+)/?$")


@dataclass(frozen=True, slots=True)
class LinkedFeature:
    """One ``@link``-ed spec with the names its elements have in this schema."""

    url: str
    name: str
    version: str
    prefix: str
    imports: dict[str, str]  # original element name (directives with "@") -> local name

    @property
    def is_apollo_spec(self) -> bool:
        return self.url.startswith("https://specs.apollo.dev/")

    def directive_name(self, element: str) -> str:
        """The local name of the spec's directive ``element`` (``"field"`` -> ``"join__field"``)."""
        imported = self.imports.get("@" + element)
        if imported is not None:
            return imported
        if element == self.name:
            return self.prefix
        return f"{self.prefix}__{element}"

    def owns_directive(self, local_name: str) -> bool:
        return (
            local_name == self.prefix
            or local_name.startswith(self.prefix + "__")
            or local_name in {v.lstrip("@") for k, v in self.imports.items() if k.startswith("@")}
        )

    def owns_type(self, local_name: str) -> bool:
        return local_name.startswith(self.prefix + "__") or local_name in {
            v for k, v in self.imports.items() if not k.startswith("@")
        }


def read_links(document: graphql.DocumentNode) -> list[LinkedFeature]:
    """Every ``@link`` on the schema definition(s), the link spec itself included."""
    features: list[LinkedFeature] = []
    for definition in document.definitions:
        if not isinstance(definition, graphql.SchemaDefinitionNode | graphql.SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            arguments = _arguments(directive)
            url = arguments.get("url")
            if not isinstance(url, str):
                continue
            if directive.name.value == "core":
                raise SupergraphError(
                    "this supergraph uses @core (Federation 1 supergraph format); "
                    "recompose it with Federation 2 (@link + join v0.3 or later)"
                )
            if directive.name.value != "link":
                continue
            match = _SPEC_URL.match(url)
            if match is None:
                raise SupergraphError(f"@link url {url!r} is not of the form <base>/<name>/v<x.y>")
            name = match["name"]
            prefix = arguments.get("as") or name
            imports: dict[str, str] = {}
            for item in arguments.get("import") or ():
                if isinstance(item, str):
                    imports[item] = item
                elif isinstance(item, dict) and isinstance(item.get("name"), str):
                    imports[item["name"]] = item.get("as") or item["name"]
            features.append(LinkedFeature(url, name, match["version"], str(prefix), imports))
    return features


def _arguments(directive: graphql.DirectiveNode) -> dict[str, object]:
    return {
        argument.name.value: graphql.value_from_ast_untyped(argument.value)
        for argument in directive.arguments or ()
    }


def directive_arguments(directive: graphql.DirectiveNode) -> dict[str, object]:
    return _arguments(directive)
