"""deploy/: the image, the compose file and the Kubernetes manifests agree with the code.

Every subgraph the code defines has a service (compose) and a Deployment + Service (Kubernetes)
on the port it serves; every command is one `ehb` accepts; every probe path is a route of the
app it probes; every environment variable set is one the code reads, and secrets only come
from the environment (compose) or the Secret `ehb-secrets` (Kubernetes), never from the files.

`kubectl apply --dry-run=client` needs an API server even for a dry run (it discovers the
resource kinds), so kubectl's offline check here is `kubectl kustomize` rendering the manifests.
"""

from __future__ import annotations

import importlib
import re
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings
from starlette.routing import BaseRoute, Route

from router.cli import _build_parser
from router.config import RouterConfig
from router.http.routes import router_routes
from router.logging_setup import log_format
from subgraphs import DEFAULT_ROUTER_PORT, DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES
from subgraphs.kernel.serve import load_app
from subgraphs.kernel.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
SECRET_NAME = "ehb-secrets"
# Values that must never be written into a deployment file.
SECRET_VARIABLES = re.compile(r"(_DATABASE_URL|_KEYS|_SECRET|_SMTP_URL|_PRIVATE_KEY|PASSWORD)$")
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?P<rest>[^}]*)\}")


# --- what the code offers ----------------------------------------------------------------------


class _RecordingEnvironment(dict[str, str]):
    """An empty environment that remembers every variable asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)


def _settings_classes() -> Iterator[type[BaseSettings]]:
    for path in sorted((REPO_ROOT / "subgraphs").rglob("*.py")):
        if "BaseSettings" not in path.read_text(encoding="utf-8"):
            continue
        module_name = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            is_settings = isinstance(value, type) and issubclass(value, BaseSettings)
            if is_settings and value is not BaseSettings and value.__module__ == module_name:
                yield value


def variables_the_code_reads(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Every EHB_* variable: the pydantic settings classes' fields, the per-subgraph database
    URLs (checked to be read), and whatever RouterConfig.from_env and the log set-up ask for."""
    names: set[str] = set()
    for settings_class in _settings_classes():
        prefix = str(settings_class.model_config.get("env_prefix", ""))
        for field_name, field in settings_class.model_fields.items():
            names.add((field.alias or f"{prefix}{field_name}").upper())
    for name in SUBGRAPH_NAMES:
        variable = f"EHB_{name.upper()}_DATABASE_URL"
        monkeypatch.setenv(variable, f"postgresql+asyncpg://probe/{name}")
        assert Settings().database_url(name) == f"postgresql+asyncpg://probe/{name}"
        names.add(variable)
    environment = _RecordingEnvironment()
    RouterConfig.from_env(environment)
    log_format(environment)
    assert "EHB_ROUTER_JWKS_URL" in environment.asked
    return names | environment.asked


def route_paths(routes: list[BaseRoute]) -> set[str]:
    return {route.path for route in routes if isinstance(route, Route)}


@pytest.fixture(scope="module")
def subgraph_routes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The HTTP routes of each subgraph's app (built, never started)."""
    data_dir = tmp_path_factory.mktemp("apps")
    return {
        name: route_paths(load_app(name, Settings(data_dir=data_dir)).routes)
        for name in SUBGRAPH_NAMES
    }


def parse_ehb(arguments: list[str]) -> Any:
    """`arguments` as `ehb` parses them (a wrong command fails the test with argparse's error)."""
    try:
        return _build_parser().parse_args(arguments)
    except SystemExit:
        pytest.fail(f"ehb does not accept {shlex.join(arguments)}")


def supergraph_subgraphs() -> set[str]:
    sdl = (REPO_ROOT / "schema" / "supergraph.graphql").read_text(encoding="utf-8")
    return set(re.findall(r'@join__graph\(name: "([a-z]+)"', sdl))


# --- the image ---------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(maxsplit=1)[0].upper(), line.split(maxsplit=1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_image_runs_ehb_from_the_package_as_a_non_root_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instructions = dockerfile_instructions()
    image_environment = {
        assignment.split("=", 1)[0]
        for kind, value in instructions
        if kind == "ENV"
        for assignment in value.split()
    }
    ehb_variables = {name for name in image_environment if name.startswith("EHB_")}
    assert ehb_variables and ehb_variables <= variables_the_code_reads(monkeypatch)
    (base,) = [value for kind, value in instructions if kind == "FROM"]
    assert base.startswith("python:3.11-slim")

    (entrypoint,) = [value for kind, value in instructions if kind == "ENTRYPOINT"]
    assert yaml.safe_load(entrypoint) == ["ehb"]
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module_name, _, function_name = scripts["ehb"].partition(":")
    assert callable(getattr(importlib.import_module(module_name), function_name))

    (user,) = [value for kind, value in instructions if kind == "USER"]
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0

    copied = [value.split()[:-1] for kind, value in instructions if kind == "COPY"]
    for sources in copied:
        for source in sources:
            assert (REPO_ROOT / source).exists(), f"COPY {source}: not in the repository"
    assert any("pip install" in value and "." in value.split() for _, value in instructions)
    assert {"alembic.ini", "alembic", "schema", "router", "subgraphs", "pyproject.toml"} <= {
        source for sources in copied for source in sources
    }


# --- compose -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def ehb_services(compose: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The services running the image of deploy/Dockerfile."""
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("build", {}).get("dockerfile") == "deploy/Dockerfile"
    }


def probe_url(healthcheck: Mapping[str, Any]) -> str:
    command = " ".join(healthcheck["test"])
    match = re.search(r"http://127\.0\.0\.1:\d+/[a-z]*", command)
    assert match, f"no local probe URL in {command}"
    return match.group(0)


def test_compose_runs_every_subgraph_on_its_port_after_migrations(
    compose: dict[str, Any], subgraph_routes: dict[str, set[str]]
) -> None:
    services = ehb_services(compose)
    assert set(services) == {*SUBGRAPH_NAMES, "router", "migrate"}
    assert {"postgres", "redis"} <= set(compose["services"])
    assert (REPO_ROOT / services["router"]["build"]["context"].replace("..", ".")).is_dir()

    for name in SUBGRAPH_NAMES:
        service = services[name]
        port = DEFAULT_SUBGRAPH_PORTS[name]
        arguments = parse_ehb(service["command"])
        assert (arguments.command, arguments.name, arguments.port) == ("subgraph", name, port)
        assert arguments.host == "0.0.0.0"
        url = probe_url(service["healthcheck"])
        assert url == f"http://127.0.0.1:{port}/ready"
        assert "/ready" in subgraph_routes[name] and "/health" in subgraph_routes[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        environment = service["environment"]
        assert environment["EHB_ENV"] == "production"
        assert re.fullmatch(
            r"postgresql\+asyncpg://ehb:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432/ehb",
            environment[f"EHB_{name.upper()}_DATABASE_URL"],
        )
        assert environment["EHB_BROADCAST_URL"].startswith("redis://redis:6379/")
        assert environment["EHB_JWKS_URL"] == "http://identity:4001/.well-known/jwks.json"

    migrate = services["migrate"]
    assert parse_ehb(migrate["command"]).command == "migrate"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in SUBGRAPH_NAMES:
        assert f"EHB_{name.upper()}_DATABASE_URL" in migrate["environment"]


def test_compose_router_reaches_every_subgraph_service(compose: dict[str, Any]) -> None:
    router = ehb_services(compose)["router"]
    arguments = parse_ehb(router["command"])
    assert arguments.command == "router" and arguments.port == DEFAULT_ROUTER_PORT
    assert (REPO_ROOT / "schema" / "supergraph.graphql").is_file()
    assert str(arguments.supergraph) == "/app/schema/supergraph.graphql"
    urls = dict(value.split("=", 1) for value in arguments.subgraph_url)
    assert set(urls) == set(SUBGRAPH_NAMES) == supergraph_subgraphs()
    for name, url in urls.items():
        assert url == f"http://{name}:{DEFAULT_SUBGRAPH_PORTS[name]}/graphql"
        assert name in compose["services"]
    assert probe_url(router["healthcheck"]) == f"http://127.0.0.1:{DEFAULT_ROUTER_PORT}/ready"
    assert "/health" in route_paths(router_routes())
    assert router["ports"] == [f"{DEFAULT_ROUTER_PORT}:{DEFAULT_ROUTER_PORT}"]
    for name in SUBGRAPH_NAMES:
        assert router["depends_on"][name]["condition"] == "service_healthy"


def test_compose_sets_only_variables_the_code_reads_and_no_secret_values(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    known = variables_the_code_reads(monkeypatch)
    for name, service in ehb_services(compose).items():
        for variable, value in service.get("environment", {}).items():
            assert variable in known, f"{name}: {variable} is read by no settings"
            if SECRET_VARIABLES.search(variable):
                assert "${" in str(value), f"{name}: {variable} must come from the environment"

    documented = set(re.findall(r"^([A-Z0-9_]+)=", (DEPLOY / "env.example").read_text(), re.M))
    compose_text = (DEPLOY / "compose.yaml").read_text()
    interpolated = {match["name"] for match in INTERPOLATION.finditer(compose_text)}
    assert interpolated == documented
    required = {m["name"] for m in INTERPOLATION.finditer(compose_text) if m["rest"][:2] == ":?"}
    assert required == {
        "POSTGRES_PASSWORD",
        "EHB_IDENTITY_SIGNING_KEYS",
        "EHB_MONEY_ENCRYPTION_KEYS",
        "EHB_PAYMENTS_WEBHOOK_SECRET",
    }


# --- Kubernetes --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifests() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    files = {path.name for path in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    documents: list[dict[str, Any]] = []
    for file_name in kustomization["resources"]:
        documents += [d for d in yaml.safe_load_all((KUBERNETES / file_name).read_text()) if d]
    return documents


def find(manifests: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    return found


def only_container(workload: Mapping[str, Any]) -> dict[str, Any]:
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    return dict(container)


def probe_path(container: Mapping[str, Any], probe: str, port: int) -> str:
    http_get = container[probe]["httpGet"]
    named_ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert named_ports.get(http_get["port"], http_get["port"]) == port
    return str(http_get["path"])


def test_kubernetes_runs_every_subgraph_and_the_router_with_probes_and_resources(
    manifests: list[dict[str, Any]], subgraph_routes: dict[str, set[str]]
) -> None:
    routes = {**subgraph_routes, "router": route_paths(router_routes())}
    ports = {**DEFAULT_SUBGRAPH_PORTS, "router": DEFAULT_ROUTER_PORT}
    for name in [*SUBGRAPH_NAMES, "router"]:
        deployment = find(manifests, "Deployment", name)
        service = find(manifests, "Service", name)
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        assert service["spec"]["selector"].items() <= pod_labels.items()
        budget = find(manifests, "PodDisruptionBudget", name)["spec"]
        assert budget["selector"]["matchLabels"].items() <= pod_labels.items()
        assert budget["minAvailable"] < deployment["spec"]["replicas"]

        container = only_container(deployment)
        arguments = parse_ehb(container["args"])
        assert arguments.port == ports[name] and arguments.host == "0.0.0.0"
        assert (arguments.command, getattr(arguments, "name", "router")) in {
            ("subgraph", name),
            ("router", "router"),
        }
        (service_port,) = service["spec"]["ports"]
        assert service_port["port"] == ports[name]
        assert service_port["targetPort"] in (ports[name], container["ports"][0]["name"])

        readiness = probe_path(container, "readinessProbe", ports[name])
        liveness = probe_path(container, "livenessProbe", ports[name])
        assert liveness == "/health"
        assert readiness == "/ready"
        assert {readiness, liveness} <= routes[name]
        assert set(container["resources"]["requests"]) == {"cpu", "memory"}
        assert set(container["resources"]["limits"]) == {"cpu", "memory"}
        assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"]

    router = parse_ehb(only_container(find(manifests, "Deployment", "router"))["args"])
    urls = dict(value.split("=", 1) for value in router.subgraph_url)
    assert urls == {
        name: f"http://{name}:{DEFAULT_SUBGRAPH_PORTS[name]}/graphql" for name in SUBGRAPH_NAMES
    }


def environment_of(container: Mapping[str, Any], manifests: list[dict[str, Any]]) -> set[str]:
    names = {variable["name"] for variable in container.get("env", [])}
    for source in container.get("envFrom", []):
        names |= set(find(manifests, "ConfigMap", source["configMapRef"]["name"])["data"])
    return names


def test_kubernetes_migration_job_migrates_every_subgraph(
    manifests: list[dict[str, Any]],
) -> None:
    job = find(manifests, "Job", "ehb-migrate")
    container = only_container(job)
    assert parse_ehb(container["args"]).command == "migrate"
    assert job["spec"]["template"]["spec"]["restartPolicy"] in ("OnFailure", "Never")
    assert {f"EHB_{name.upper()}_DATABASE_URL" for name in SUBGRAPH_NAMES} <= environment_of(
        container, manifests
    )
    assert set(container["resources"]["requests"]) == {"cpu", "memory"}


def test_kubernetes_sets_only_variables_the_code_reads_and_takes_secrets_from_the_secret(
    manifests: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    known = variables_the_code_reads(monkeypatch)
    assert not [m for m in manifests if m["kind"] == "Secret"], "no Secret is committed"
    workloads = [m for m in manifests if m["kind"] in ("Deployment", "Job")]
    for workload in workloads:
        container = only_container(workload)
        name = workload["metadata"]["name"]
        unknown = environment_of(container, manifests) - known
        assert not unknown, f"{name} sets {unknown}, read by no settings"
        for variable in container.get("env", []):
            if SECRET_VARIABLES.search(variable["name"]):
                reference = variable["valueFrom"]["secretKeyRef"]
                assert reference["name"] == SECRET_NAME, f"{name}: {variable['name']}"
    readme = (REPO_ROOT / "README.md").read_text()
    secret_keys = {
        variable["valueFrom"]["secretKeyRef"]["key"]
        for workload in workloads
        for variable in only_container(workload).get("env", [])
        if "valueFrom" in variable
    }
    assert not {key for key in secret_keys if key not in readme}, "README names every Secret key"
    for config_map in (m for m in manifests if m["kind"] == "ConfigMap"):
        assert not [key for key in config_map["data"] if SECRET_VARIABLES.search(key)]
    for name in SUBGRAPH_NAMES:
        container = only_container(find(manifests, "Deployment", name))
        assert f"EHB_{name.upper()}_DATABASE_URL" in environment_of(container, manifests)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_renders_the_manifests_offline(manifests: list[dict[str, Any]]) -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(KUBERNETES)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    kinds = [(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(rendered) if d]
    assert sorted(kinds) == sorted((m["kind"], m["metadata"]["name"]) for m in manifests)
