"""`ehb compose`: generated files, --check drift detection, error reporting."""

from pathlib import Path

import pytest
import strawberry
import strawberry.federation
from graphql import build_schema

from router.compose_command import (
    GENERATED_HEADER,
    federation_sdl,
    load_subgraph_sources,
    run_compose,
)
from router.composition import SubgraphSource, compose
from tests.router.composition.error_fixtures import ERROR_CASES
from tests.router.composition.test_composition_matches_apollo import benchmark_sources


def test_compose_writes_subgraph_supergraph_and_frontend_schemas(tmp_path: Path) -> None:
    sources = benchmark_sources()

    assert run_compose(tmp_path, check=False, sources=sources) == 0

    written = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*.graphql"))
    assert written == [
        "frontend-schema.graphql",
        "schema/accounts.graphql",
        "schema/inventory.graphql",
        "schema/products.graphql",
        "schema/reviews.graphql",
        "schema/supergraph.graphql",
    ]
    for path in tmp_path.rglob("*.graphql"):
        assert path.read_text().startswith(GENERATED_HEADER)
    supergraph = (tmp_path / "schema" / "supergraph.graphql").read_text()
    assert supergraph == GENERATED_HEADER + str(compose(sources).supergraph_sdl) + "\n"
    accounts = (tmp_path / "schema" / "accounts.graphql").read_text()
    assert accounts.removeprefix(GENERATED_HEADER) == sources[0].sdl.rstrip("\n") + "\n"


def test_frontend_schema_is_the_public_api_without_federation_machinery(tmp_path: Path) -> None:
    run_compose(tmp_path, check=False, sources=benchmark_sources())

    frontend = (tmp_path / "frontend-schema.graphql").read_text()
    schema = build_schema(frontend)
    assert "join__" not in frontend and "@link" not in frontend
    assert set(schema.query_type.fields) == {"me", "user", "users", "topProducts"}  # type: ignore[union-attr]
    assert "shippingEstimate" in schema.type_map["Product"].fields  # type: ignore[attr-defined]


def test_check_passes_when_files_are_fresh_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_compose(tmp_path, check=False, sources=benchmark_sources())
    before = {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*.graphql")}

    assert run_compose(tmp_path, check=True, sources=benchmark_sources()) == 0

    assert {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*.graphql")} == before
    assert "up to date" in capsys.readouterr().out


def test_check_fails_naming_stale_and_missing_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_compose(tmp_path, check=False, sources=benchmark_sources())
    supergraph = tmp_path / "schema" / "supergraph.graphql"
    supergraph.write_text(supergraph.read_text() + "\n# edited by hand\n")
    (tmp_path / "frontend-schema.graphql").unlink()

    assert run_compose(tmp_path, check=True, sources=benchmark_sources()) == 1

    message = capsys.readouterr().err
    assert "schema/supergraph.graphql" in message
    assert "frontend-schema.graphql" in message
    assert "accounts.graphql" not in message
    assert not (tmp_path / "frontend-schema.graphql").exists()


def test_check_on_an_empty_root_fails_and_creates_nothing(tmp_path: Path) -> None:
    assert run_compose(tmp_path, check=True, sources=benchmark_sources()) == 1

    assert list(tmp_path.iterdir()) == []


def test_composition_errors_are_printed_with_code_and_subgraph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = ERROR_CASES["field_shared_without_shareable"].sources

    assert run_compose(tmp_path, check=False, sources=sources) == 1

    message = capsys.readouterr().err
    assert "INVALID_FIELD_SHARING [emails]:" in message
    assert '"User.email"' in message
    assert list(tmp_path.iterdir()) == []


def test_a_missing_subgraph_package_is_a_clear_error() -> None:
    sources, problems = load_subgraph_sources(["nonexistent"])

    assert sources == []
    assert problems == [
        "subgraph 'nonexistent': module subgraphs.nonexistent.schema not found; every subgraph "
        "is a package subgraphs/nonexistent/ whose schema.py exposes `schema` "
        "(a strawberry.federation.Schema)"
    ]


def test_exported_sdl_is_what_a_strawberry_subgraph_serves_from_service_sdl() -> None:
    @strawberry.federation.type(keys=["id"])
    class Thing:
        id: strawberry.ID
        name: str = strawberry.federation.field(shareable=True)

    @strawberry.type
    class Query:
        @strawberry.field
        def thing(self) -> Thing:
            return Thing(id=strawberry.ID("1"), name="one")

    schema = strawberry.federation.Schema(query=Query)

    served = schema.execute_sync("{ _service { sdl } }")

    assert served.errors is None and served.data is not None
    assert federation_sdl(schema) == served.data["_service"]["sdl"]


def test_an_existing_ehb_subgraph_exports_a_composable_sdl() -> None:
    pytest.importorskip("subgraphs.identity.schema")

    sources, problems = load_subgraph_sources(["identity"])

    assert problems == []
    result = compose(sources)
    assert result.errors == ()
    assert 'IDENTITY @join__graph(name: "identity", url: "http://127.0.0.1:4001/graphql")' in str(
        result.supergraph_sdl
    )


def test_injected_sources_get_the_urls_they_carry(tmp_path: Path) -> None:
    sources = [
        SubgraphSource(s.name, f"http://subgraph-{s.name}:8080/graphql", s.sdl)
        for s in benchmark_sources()
    ]

    run_compose(tmp_path, check=False, sources=sources)

    supergraph = (tmp_path / "schema" / "supergraph.graphql").read_text()
    assert 'url: "http://subgraph-reviews:8080/graphql"' in supergraph
