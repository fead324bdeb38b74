"""``ehb.toml``: one file for the router's and the subgraphs' settings (docs/configuration.md).

The file is found from ``--config PATH`` (every ``ehb`` command; it sets ``EHB_CONFIG`` for the
process and the processes it starts) or ``EHB_CONFIG``; without either there is no file. Its
top-level keys:

- ``log_format`` (``"text"`` or ``"json"``): the same as ``EHB_LOG_FORMAT``.
- ``[router]``: the ``EHB_ROUTER_*`` settings (``router.config``), lower-cased without the
  prefix: ``subgraph_timeout = 10`` is ``EHB_ROUTER_SUBGRAPH_TIMEOUT=10``.
- ``[subgraphs]`` and ``[subgraphs.<name>]``: read by ``subgraphs.kernel.settings``.

Environment variables win over the file. The file's router values go through the very parsing
``RouterConfig.from_env`` does (they become ``EHB_ROUTER_*`` entries under the environment), so
every router setting works in the file as soon as ``from_env`` reads it; a key ``from_env`` never
looks at is an error naming the key and the file, so a typo is never silently ignored.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from router.config import RouterConfig
from router.env_values import ENV_PREFIX

CONFIG_ENV = "EHB_CONFIG"
LOG_FORMAT_ENV = "EHB_LOG_FORMAT"
TOP_LEVEL_KEYS = frozenset({"log_format", "router", "subgraphs"})


class ConfigFileError(ValueError):
    """The configuration file is missing, not TOML, or holds a key nothing reads."""


def config_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """The configuration file ``EHB_CONFIG`` names, if any."""
    raw = (os.environ if environ is None else environ).get(CONFIG_ENV, "").strip()
    return Path(raw) if raw else None


def read_config_file(path: Path) -> dict[str, Any]:
    """The file's top-level table; unknown top-level keys are an error."""
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        raise ConfigFileError(f"configuration file {path} does not exist") from None
    except OSError as error:
        raise ConfigFileError(f"cannot read configuration file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigFileError(f"{path} is not valid TOML: {error}") from None
    unknown = sorted(set(document) - TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigFileError(
            f"{path}: unknown key {unknown[0]!r} (expected {', '.join(sorted(TOP_LEVEL_KEYS))})"
        )
    for table in ("router", "subgraphs"):
        if table in document and not isinstance(document[table], dict):
            raise ConfigFileError(f"{path}: {table!r} must be a table ([{table}])")
    return document


def router_config(environ: Mapping[str, str] | None = None) -> RouterConfig:
    """``RouterConfig`` from the environment over the ``[router]`` table of ``EHB_CONFIG``'s file.

    Raises ``ValueError`` (a ``ConfigFileError`` for the file itself) naming what to fix.
    """
    env = os.environ if environ is None else environ
    path = config_path(env)
    if path is None:
        return RouterConfig.from_env(env)
    table: dict[str, Any] = read_config_file(path).get("router", {})
    from_file = {
        ENV_PREFIX + key.upper(): _env_value(path, key, value) for key, value in table.items()
    }
    recorded = _RecordingEnviron({**from_file, **env})
    try:
        config = RouterConfig.from_env(recorded)
    except ValueError as error:
        raise ValueError(f"{error} (environment, or [router] in {path})") from None
    unread = sorted(name for name in from_file if name not in recorded.read)
    if unread:
        key = unread[0].removeprefix(ENV_PREFIX).lower()
        raise ConfigFileError(f"{path}: unknown router setting {key!r} in [router]")
    return config


def file_log_format(environ: Mapping[str, str] | None = None) -> str | None:
    """``log_format`` from ``EHB_CONFIG``'s file, if it has one."""
    path = config_path(environ)
    if path is None:
        return None
    value = read_config_file(path).get("log_format")
    if value is not None and not isinstance(value, str):
        raise ConfigFileError(f"{path}: log_format must be a string, got {value!r}")
    return value


def _env_value(path: Path, key: str, value: object) -> str:
    """A TOML value as the environment variable would spell it."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(
        isinstance(item, str | int | float) and not isinstance(item, bool) for item in value
    ):
        return ",".join(str(item) for item in value)
    raise ConfigFileError(
        f"{path}: [router] {key} must be a string, number, boolean or list of them (write "
        f"what EHB_ROUTER_{key.upper()} would hold), got {value!r}"
    )


class _RecordingEnviron(Mapping[str, str]):
    """A read-only environment that remembers every name looked up in it."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.read.add(name)
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.read.add(name)
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)
