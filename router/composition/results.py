"""What composition takes and returns: subgraph sources, coded errors and hints."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SubgraphSource:
    """One subgraph as composition sees it: its name, the URL the router calls, its SDL."""

    name: str
    url: str
    sdl: str


@dataclass(frozen=True)
class CompositionError:
    """A composition error or hint with a stable, Apollo-compatible code.

    ``coordinate`` is a schema coordinate such as ``"User.email"`` when the problem is about
    one element.
    """

    code: str
    message: str
    subgraph: str | None = None
    coordinate: str | None = None


@dataclass(frozen=True)
class CompositionResult:
    """The supergraph SDL (``None`` when any error was found), every error and every hint."""

    supergraph_sdl: str | None
    errors: tuple[CompositionError, ...]
    hints: tuple[CompositionError, ...]


@dataclass
class Diagnostics:
    """Collects every error and hint found by the composition stages instead of raising."""

    errors: list[CompositionError] = field(default_factory=list)
    hints: list[CompositionError] = field(default_factory=list)

    def error(
        self,
        code: str,
        message: str,
        *,
        subgraph: str | None = None,
        coordinate: str | None = None,
    ) -> None:
        self.errors.append(CompositionError(code, message, subgraph, coordinate))

    def hint(
        self,
        code: str,
        message: str,
        *,
        subgraph: str | None = None,
        coordinate: str | None = None,
    ) -> None:
        self.hints.append(CompositionError(code, message, subgraph, coordinate))
