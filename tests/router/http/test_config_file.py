"""The `[router]` table of ehb.toml: the same settings as `EHB_ROUTER_*`, environment first."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from router.config import RouterConfig
from router.config_file import ConfigFileError, router_config
from router.logging_setup import log_format
from tests.router.http.router_process import EHB

REPO_ROOT = Path(__file__).resolve().parents[3]


def _file(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "ehb.toml"
    path.write_text(text)
    return {"EHB_CONFIG": str(path)}


def test_file_values_go_through_the_environment_parsing(tmp_path: Path) -> None:
    env = _file(
        tmp_path,
        """
[router]
subgraph_timeout = 12
subgraph_timeouts = ["money=3", "media=60.5"]
dedup = false
server_timing = true
forward_headers = ["Authorization", "X-Tenant"]
token_issuer = "issuer-from-file"
cors_origins = ["https://app.example.com"]
""",
    )

    config = router_config(env)

    assert config.subgraph_timeout_seconds == 12.0
    assert config.subgraph_timeouts == {"money": 3.0, "media": 60.5}
    assert config.deduplicate_queries is False
    assert config.server_timing is True
    assert config.forwarded_headers == ("authorization", "x-tenant")
    assert config.token_issuer == "issuer-from-file"
    assert config.cors.origins == ("https://app.example.com",)


def test_environment_variables_win_over_the_file(tmp_path: Path) -> None:
    env = _file(tmp_path, "[router]\nsubgraph_timeout = 12\nplan_cache_size = 8\n")

    config = router_config({**env, "EHB_ROUTER_SUBGRAPH_TIMEOUT": "3"})

    assert config.subgraph_timeout_seconds == 3.0
    assert config.plan_cache_size == 8


def test_without_a_file_the_environment_alone_decides() -> None:
    assert router_config({"EHB_ROUTER_PLAN_CACHE_SIZE": "7"}) == RouterConfig.from_env(
        {"EHB_ROUTER_PLAN_CACHE_SIZE": "7"}
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[router]\nsubgraph_timout = 5\n", "unknown router setting 'subgraph_timout' in [router]"),
        ("[routr]\nsubgraph_timeout = 5\n", "unknown key 'routr'"),
        ("[router]\nforward_headers = { a = 1 }\n", "write what EHB_ROUTER_FORWARD_HEADERS"),
        ("[router\n", "is not valid TOML"),
    ],
)
def test_a_file_mistake_names_the_key_and_the_file(tmp_path: Path, text: str, message: str) -> None:
    env = _file(tmp_path, text)

    with pytest.raises(ConfigFileError) as raised:
        router_config(env)

    assert message in str(raised.value)
    assert str(tmp_path / "ehb.toml") in str(raised.value)


def test_a_bad_value_in_the_file_is_reported_like_the_variable(tmp_path: Path) -> None:
    env = _file(tmp_path, '[router]\nsubgraph_timeout = "soon"\n')

    with pytest.raises(ValueError, match="EHB_ROUTER_SUBGRAPH_TIMEOUT must be a number") as raised:
        router_config(env)

    assert str(tmp_path / "ehb.toml") in str(raised.value)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="does not exist"):
        router_config({"EHB_CONFIG": str(tmp_path / "nowhere.toml")})


def test_log_format_comes_from_the_environment_then_the_file(tmp_path: Path) -> None:
    env = _file(tmp_path, 'log_format = "json"\n')

    assert log_format(env) == "json"
    assert log_format({**env, "EHB_LOG_FORMAT": "text"}) == "text"
    assert log_format({}) == "text"
    with pytest.raises(ValueError, match="must be text or json"):
        log_format({"EHB_LOG_FORMAT": "xml"})


def test_the_shipped_example_file_is_valid() -> None:
    config = router_config({"EHB_CONFIG": str(REPO_ROOT / "ehb.example.toml")})

    assert config.supergraph_poll_seconds == 5.0


async def test_ehb_router_refuses_a_file_with_a_typo_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "ehb.toml"
    path.write_text("[router]\nsubgraph_timout = 5\n")
    process = await asyncio.create_subprocess_exec(
        EHB,
        "router",
        "--config",
        str(path),
        "--port",
        "1",
        stderr=asyncio.subprocess.PIPE,
        env={key: value for key, value in os.environ.items() if key != "EHB_CONFIG"},
    )
    _, stderr = await process.communicate()

    assert process.returncode == 2
    assert stderr.decode() == (
        f"ehb router: invalid router setting: {path}: unknown router setting "
        "'subgraph_timout' in [router]\n"
    )
