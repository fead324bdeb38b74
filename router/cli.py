"""`ehb`: the one command line of EHB-5.

This module only parses arguments and dispatches; each command lives with the code it drives.
It is the composition root: the only router module allowed to start subgraphs (`dev`, `subgraph`,
`migrate`), and it imports them lazily so that serving the router never loads subgraph code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from subgraphs import DEFAULT_ROUTER_PORT, SUBGRAPH_NAMES


def _parse_subgraph_urls(values: list[str]) -> dict[str, list[str]]:
    """``NAME=URL[,URL...]``, repeatable: every URL given for a name is one of its instances."""
    urls: dict[str, list[str]] = {}
    for value in values:
        name, separator, listed = value.partition("=")
        instances = [url.strip() for url in listed.split(",") if url.strip()]
        if not separator or not name or not instances:
            raise SystemExit(f"--subgraph-url expects NAME=URL[,URL...], got {value!r}")
        urls.setdefault(name, []).extend(instances)
    return urls


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ehb", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    dev = commands.add_parser("dev", help="run the six subgraphs and the router (embedded mode)")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=DEFAULT_ROUTER_PORT, help="router port")
    dev.add_argument("--seed", action="store_true", help="load demo data")
    dev.add_argument("--data-dir", type=Path, default=None, help="where SQLite files live")

    router = commands.add_parser("router", help="serve a Federation 2 supergraph")
    router.add_argument("--supergraph", type=Path, default=Path("schema/supergraph.graphql"))
    router.add_argument("--host", default="127.0.0.1")
    router.add_argument("--port", type=int, default=DEFAULT_ROUTER_PORT)
    router.add_argument(
        "--subgraph-url",
        action="append",
        default=[],
        metavar="NAME=URL[,URL...]",
        help="override the URL the supergraph gives a subgraph; several URLs (comma-separated "
        "or the option repeated) are instances the router balances and fails over between",
    )
    router.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="serve from N processes sharing the port (one per CPU core to use; default 1)",
    )

    subgraph = commands.add_parser("subgraph", help="serve one subgraph")
    subgraph.add_argument("name", choices=SUBGRAPH_NAMES)
    subgraph.add_argument("--host", default="127.0.0.1")
    subgraph.add_argument("--port", type=int, default=None)
    subgraph.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="serve from N processes sharing the port (docs/configuration.md; default 1)",
    )

    compose = commands.add_parser(
        "compose", help="export subgraph SDLs, write schema/supergraph.graphql and the API schema"
    )
    compose.add_argument("--check", action="store_true", help="fail if generated files are stale")
    compose.add_argument("--root", type=Path, default=Path("."))

    plan = commands.add_parser("plan", help="print the query plan of an operation")
    plan.add_argument("operation", type=Path, help="file holding the GraphQL operation")
    plan.add_argument("--supergraph", type=Path, default=Path("schema/supergraph.graphql"))
    plan.add_argument("--operation-name", default=None)
    plan.add_argument(
        "--override-label",
        action="append",
        default=[],
        metavar="NAME",
        help="treat this progressive @override label as active, as EHB_ROUTER_OVERRIDE_LABELS "
        'does (repeatable; "percent(N)" plans as a request that drew it active)',
    )

    migrate = commands.add_parser("migrate", help="upgrade subgraph databases to head")
    migrate.add_argument("names", nargs="*", metavar="NAME", help="default: all six")

    keys = commands.add_parser(
        "identity-keys", help="rotate the development signing keys, or make a production key"
    )
    keys.add_argument(
        "action",
        choices=["rotate", "generate"],
        help="rotate: a new key in <data-dir>/identity-keys signs from now on, older ones stay "
        "published until their tokens expire; generate: print a new private JWK to put first "
        "in EHB_IDENTITY_SIGNING_KEYS",
    )
    keys.add_argument("--data-dir", type=Path, default=Path("./data"))

    money_keys = commands.add_parser(
        "money-keys", help="money field-encryption keys: generate, rotate, re-encrypt"
    )
    money_keys.add_argument(
        "action",
        choices=["generate", "rotate", "reencrypt"],
        help="generate: print a new entry to put first in EHB_MONEY_ENCRYPTION_KEYS; rotate "
        "(development): a new key in <data-dir>/money-keys encrypts from now on, stored values "
        "are re-encrypted with it; reencrypt: re-encrypt stored values with the active key",
    )
    money_keys.add_argument("--data-dir", type=Path, default=None, help="default: EHB_DATA_DIR")

    backup_help = "default: EHB_BACKUP_DIR, else <EHB_DATA_DIR>/backups"
    backup = commands.add_parser("backup", help="back up subgraph databases, or --list backups")
    backup.add_argument("--subgraph", choices=SUBGRAPH_NAMES, help="default: all six")
    backup.add_argument("--dir", type=Path, default=None, help=backup_help)
    backup.add_argument("--list", action="store_true", help="list backups: subgraph, size, time")

    restore = commands.add_parser("restore", help="restore subgraph databases from backups")
    restore.add_argument(
        "backup",
        help="a backup file (name in the backup directory, or path), "
        'or "latest" (each subgraph\'s newest)',
    )
    restore.add_argument("--subgraph", choices=SUBGRAPH_NAMES, help="default: all six (latest)")
    restore.add_argument("--dir", type=Path, default=None, help=backup_help)
    restore.add_argument(
        "--force",
        action="store_true",
        help="restore even when the database is in use or its tables hold rows",
    )
    for command in commands.choices.values():
        command.add_argument(
            "--config",
            type=Path,
            default=None,
            metavar="PATH",
            help="the ehb.toml settings file (sets EHB_CONFIG; environment variables win; "
            "docs/configuration.md)",
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    if args.config is not None:
        _use_config_file(args.config)
    if args.command == "router":
        from router.http.server import serve_router

        serve_router(
            args.supergraph,
            host=args.host,
            port=args.port,
            subgraph_urls=_parse_subgraph_urls(args.subgraph_url),
            workers=args.workers,
        )
        return 0
    if args.command == "plan":
        from router.errors import RouterError
        from router.planner.explain import explain
        from router.supergraph import load_supergraph

        try:
            supergraph = load_supergraph(args.supergraph.read_text())
            for label in sorted(set(args.override_label) - supergraph.override_labels):
                print(f"ehb plan: the supergraph has no override label {label!r}", file=sys.stderr)
            printed = explain(
                supergraph,
                args.operation.read_text(),
                operation_name=args.operation_name,
                override_labels=args.override_label,
            )
        except RouterError as error:  # an unusable supergraph or operation, or no plan
            print(f"ehb plan: {error}", file=sys.stderr)
            return 1
        print(printed)
        return 0
    if args.command == "compose":
        from router.compose_command import run_compose

        return run_compose(args.root, check=args.check)
    if args.command == "dev":
        from router.dev import run_dev
        from router.logging_setup import REQUEST_ID, configure_logging
        from subgraphs.kernel.log_context import REQUEST_ID as SUBGRAPH_REQUEST_ID

        try:
            configure_logging(request_ids=(REQUEST_ID, SUBGRAPH_REQUEST_ID))
        except ValueError as error:
            print(f"ehb dev: {error}", file=sys.stderr)
            return 2
        run_dev(host=args.host, port=args.port, seed=args.seed, data_dir=args.data_dir)
        return 0
    if args.command == "subgraph":
        return _serve_subgraph(args.name, host=args.host, port=args.port, workers=args.workers)
    if args.command == "migrate":
        from subgraphs.kernel.migrations import migrate_to_head

        unknown = sorted(set(args.names) - set(SUBGRAPH_NAMES))
        if unknown:
            raise SystemExit(f"unknown subgraph(s): {', '.join(unknown)}")
        for name in args.names or SUBGRAPH_NAMES:
            migrate_to_head(name)
            print(f"{name}: at head")
        return 0
    if args.command == "identity-keys":
        return _identity_keys(args.action, args.data_dir)
    if args.command == "money-keys":
        from subgraphs.money.key_rotation import run_money_keys

        return run_money_keys(args.action, args.data_dir)
    if args.command == "backup":
        from subgraphs.kernel.backup import run_backup

        return run_backup(args.subgraph, args.dir, list_only=args.list)
    if args.command == "restore":
        from subgraphs.kernel.backup import run_restore

        return run_restore(args.backup, args.subgraph, args.dir, force=args.force)
    raise AssertionError(args.command)


def _use_config_file(path: Path) -> None:
    """``--config``: every setting reader of this process and its children finds the file."""
    import os

    from router.config_file import CONFIG_ENV

    if not path.is_file():
        print(f"ehb: configuration file {path} does not exist", file=sys.stderr)
        raise SystemExit(2)
    os.environ[CONFIG_ENV] = str(path.resolve())


def _serve_subgraph(name: str, *, host: str, port: int | None, workers: int) -> int:
    from router.logging_setup import configure_logging
    from router.workers import serve_config
    from subgraphs.kernel.log_context import REQUEST_ID
    from subgraphs.kernel.serve import serve_subgraph

    try:
        configure_logging(request_ids=(REQUEST_ID,))
        serve_subgraph(name, host=host, port=port, workers=workers, run=serve_config)
    except ValueError as error:  # a bad setting or configuration file
        print(f"ehb subgraph: {error}", file=sys.stderr)
        return 2
    return 0


def _identity_keys(action: str, data_dir: Path) -> int:
    import json

    from subgraphs.identity.keys import SigningKeys, generate_signing_key

    if action == "generate":
        print(json.dumps(generate_signing_key().as_dict(private=True)))
        return 0
    keys = SigningKeys.from_directory(data_dir / "identity-keys")
    new_key = keys.rotate()
    published = ", ".join(str(key["kid"]) for key in keys.public_jwks()["keys"])
    print(f"signing with {new_key.kid}; published: {published}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
