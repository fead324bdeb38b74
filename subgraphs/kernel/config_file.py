"""The subgraphs' part of the ``ehb.toml`` file (docs/configuration.md): ``[subgraphs]`` holds
``Settings`` fields every subgraph shares, ``[subgraphs.<name>]`` one subgraph's own values.

The file is the one ``EHB_CONFIG`` names (``ehb --config PATH`` sets it). Environment variables
win over both tables, the subgraph's table over the shared one. A key that is no ``Settings``
field is an error naming the key and the file. (The router reads the same file:
``router.config_file``; subgraphs never import the router, so the file's name is read here too.)
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, TomlConfigSettingsSource

from subgraphs import SUBGRAPH_NAMES

CONFIG_ENV = "EHB_CONFIG"
TABLE = "subgraphs"


def config_path(environ: Mapping[str, str] | None = None) -> Path | None:
    raw = (os.environ if environ is None else environ).get(CONFIG_ENV, "").strip()
    return Path(raw) if raw else None


def toml_sources(
    settings_cls: type[BaseSettings], subgraph: str | None
) -> tuple[PydanticBaseSettingsSource, ...]:
    """``[subgraphs.<subgraph>]`` then ``[subgraphs]`` of the file, if there is one (first wins).

    Raises ``ValueError`` for a missing or malformed file and for unknown keys."""
    path = config_path()
    if path is None:
        return ()
    shared = _subgraphs_table(path)
    _check_keys(path, TABLE, shared, settings_cls, allow_tables=SUBGRAPH_NAMES)
    sources: list[PydanticBaseSettingsSource] = []
    if subgraph is not None and subgraph in shared:
        own = shared[subgraph]
        if not isinstance(own, dict):
            raise ValueError(f"{path}: [{TABLE}] {subgraph} must be a table ([{TABLE}.{subgraph}])")
        _check_keys(path, f"{TABLE}.{subgraph}", own, settings_cls, allow_tables=())
        sources.append(TomlConfigSettingsSource(settings_cls, path, (TABLE, subgraph)))
    if shared:
        sources.append(TomlConfigSettingsSource(settings_cls, path, (TABLE,)))
    return tuple(sources)


def _subgraphs_table(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        raise ValueError(f"configuration file {path} does not exist") from None
    except OSError as error:
        raise ValueError(f"cannot read configuration file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path} is not valid TOML: {error}") from None
    table = document.get(TABLE, {})
    if not isinstance(table, dict):
        raise ValueError(f"{path}: {TABLE!r} must be a table ([{TABLE}])")
    return table


def _check_keys(
    path: Path,
    where: str,
    table: Mapping[str, Any],
    settings_cls: type[BaseSettings],
    *,
    allow_tables: tuple[str, ...],
) -> None:
    for key in table:
        if key not in settings_cls.model_fields and key not in allow_tables:
            raise ValueError(f"{path}: unknown subgraph setting {key!r} in [{where}]")
