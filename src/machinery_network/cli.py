"""The `machinery-network` command line (the README's "Command line" section).

Exit status: 0 success, 2 bad arguments, 1 failure, with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from machinery_network.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from machinery_network.exports.service import ExportFile

T = TypeVar("T")

log = logging.getLogger("machinery_network")


class ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 2 with one line, as the contract says
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def _month(value: str) -> date:
    from machinery_network.schemas import parse_month

    try:
        return parse_month(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid month {value!r}, expected YYYY-MM") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="machinery-network", description="Inter-municipal machinery and care network")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = sub.add_parser("serve", help="migrate, then serve HTTP and run the monthly scheduler")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-scheduler", action="store_true", help="do not run the monthly settlement job")
    serve.add_argument("--demo", action="store_true", help="load the demo network first and print its logins")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes (default 1); more use more cores of one machine")

    sub.add_parser("migrate", help="upgrade the database schema to the newest migration")
    sub.add_parser("demo", help="load the demo network (idempotent) and print its logins")

    create_user = sub.add_parser("create-user", help="create a user; the password is read from stdin")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--role", required=True, choices=["operator", "admin", "yard_head", "finance", "farmer"])
    create_user.add_argument("--municipality", type=int)
    create_user.add_argument("--network", type=int,
                             help="the user's network (needed when the installation has more than one)")
    create_user.add_argument("--name")
    create_user.add_argument("--iban")

    settle = sub.add_parser("settle", help="settle a month (idempotent)")
    settle.add_argument("--month", required=True, type=_month)
    settle.add_argument("--municipality", type=int)

    export = sub.add_parser("export", help="write a finance export of a settled month")
    export.add_argument("--month", required=True, type=_month)
    export.add_argument("--municipality", required=True, type=int)
    export.add_argument("--format", required=True, choices=["csv", "datev", "pdf", "sepa-debit", "sepa-credit"])
    export.add_argument("-o", "--output", required=True, type=Path)
    return parser


# --- commands --------------------------------------------------------------------------------


async def _with_session(action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from machinery_network.db import make_engine, make_sessionmaker, resolve_database_url, session_scope

    engine = make_engine(resolve_database_url(get_settings()), pool_size=2, role=get_settings().db_role)
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            return await action(session)
    finally:
        await engine.dispose()


async def _migrate() -> None:
    from machinery_network.db import resolve_database_url
    from machinery_network.migrate import upgrade

    await upgrade(resolve_database_url(get_settings()))


async def _demo() -> str:
    from machinery_network.demo import format_logins, load_demo

    await _migrate()
    return format_logins(await _with_session(lambda session: load_demo(session, get_settings())))


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from machinery_network import embedded
    from machinery_network.app import create_app
    from machinery_network.db import resolve_database_url
    from machinery_network.lifespan import tune_gc

    settings = get_settings()
    if args.workers < 1:
        raise ArgumentError("--workers must be at least 1")
    uses_embedded = not settings.database_url
    try:
        resolve_database_url(settings)  # start (or attach to) the embedded server before migrating
        asyncio.run(_migrate())
        if args.demo:
            print(asyncio.run(_demo()), flush=True)
        print(f"Serving on http://{args.host}:{args.port}", flush=True)
        # Keep idle connections longer than common load balancers do (60 s), so the balancer closes
        # them first and never sends a request into a connection uvicorn is just closing (a 502).
        options = {"host": args.host, "port": args.port, "log_level": "info", "proxy_headers": True,
                   "timeout_graceful_shutdown": 10, "timeout_keep_alive": 75, "access_log": settings.access_log}
        if args.workers > 1:
            # Each worker process builds its own app (and scheduler: the advisory lock and the unique
            # constraint keep settling exactly-once across processes); this process keeps its handle
            # on the embedded server, so the server outlives restarting workers.
            os.environ["MN_SERVE_SCHEDULER"] = "0" if args.no_scheduler else "1"
            uvicorn.run("machinery_network.app:create_served_app", factory=True, workers=args.workers, **options)
        else:
            app = create_app(
                settings,
                scheduler=not args.no_scheduler,
                shutdown_hooks=[embedded.stop] if uses_embedded else [],
            )
            tune_gc()
            uvicorn.run(app, **options)
    finally:
        if uses_embedded:
            embedded.stop()
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from machinery_network.accounts.service import create_user
    from machinery_network.auth import SYSTEM

    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ArgumentError("no password on stdin")

    async def action(session: AsyncSession) -> int | None:
        user = await create_user(
            session, SYSTEM, email=args.email, password=password, name=args.name or args.email.split("@")[0],
            role=args.role, municipality_id=args.municipality, iban=args.iban, network_id=args.network,
        )
        return user.id

    asyncio.run(_migrate())
    user_id = asyncio.run(_with_session(action))
    print(f"created user {user_id} ({args.email}, {args.role})")
    return 0


def cmd_settle(args: argparse.Namespace) -> int:
    """Each municipality in its own transaction with a run record (the scheduler's ``settle_many``): a
    failure in one neither holds nor rolls back the others. Exit 1 when any failed."""
    from machinery_network.accounts.service import get_municipality
    from machinery_network.db import make_engine, make_sessionmaker, resolve_database_url, session_scope
    from machinery_network.scheduler import SETTLE_WORKERS, settle_many, tell_untold
    from machinery_network.settlement import service

    service.check_month_ended(args.month, get_settings().tz)

    async def run() -> list[Any]:
        from machinery_network.db import for_network, network_ids, network_of

        engine = make_engine(resolve_database_url(get_settings()), pool_size=SETTLE_WORKERS,
                             role=get_settings().db_role)
        try:
            maker = make_sessionmaker(engine)
            async with session_scope(maker) as session:
                if args.municipality is not None:  # inside the municipality's network
                    network = await network_of(session, "municipality", args.municipality)
                    networks = [network] if network is not None else []
                else:
                    networks = await network_ids(session)
            if args.municipality is not None and not networks:
                async with session_scope(maker) as session:
                    await get_municipality(session, args.municipality)  # 404: unknown municipality
            pairs: list[tuple[int, int]] = []
            for network_id in networks:
                async with session_scope(for_network(maker, network_id)) as session:
                    if args.municipality is not None:
                        await get_municipality(session, args.municipality)
                        ids = [args.municipality]
                    else:
                        ids = await service.municipality_ids(session)
                pairs += [(network_id, municipality_id) for municipality_id in ids]
            outcomes = await settle_many(maker, pairs, args.month, "cli", wait=True, settings=get_settings())
            for network_id in networks:  # the farmers told once every municipality is frozen
                await tell_untold(for_network(maker, network_id), get_settings())
            return outcomes
        finally:
            await engine.dispose()

    asyncio.run(_migrate())
    failed = 0
    for outcome in asyncio.run(run()):
        if outcome.status == "failed":
            failed += 1
            print(f"machinery-network: municipality {outcome.municipality_id} {outcome.month:%Y-%m}: "
                  f"{outcome.error}".splitlines()[0], file=sys.stderr)
            continue
        print(f"settlement {outcome.settlement_id} municipality {outcome.municipality_id} {outcome.month:%Y-%m}: "
              f"{outcome.status}, {outcome.entries} entries, {outcome.farmers} farmers, "
              f"net {outcome.net_cents} cents")
    return 1 if failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    from machinery_network.auth import SYSTEM
    from machinery_network.exports import service

    async def action(session: AsyncSession) -> ExportFile:
        from machinery_network.db import network_of, use_network

        network_id = await network_of(session, "municipality", args.municipality)
        if network_id is not None:
            await use_network(session, network_id)
        return await service.export(session, SYSTEM, args.month, args.municipality, args.format,
                                    tz=get_settings().tz)

    export_file = asyncio.run(_with_session(action))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(export_file.content)
    print(f"wrote {args.output} ({len(export_file.content)} bytes, {export_file.media_type})")
    if export_file.exceptions:  # SEPA: farmers left out of the file are listed, never dropped silently
        from machinery_network.exports.sepa import describe

        print(f"{len(export_file.exceptions)} farmer(s) not in the file:", file=sys.stderr)
        for exception in export_file.exceptions:
            print(f"  {describe(exception)}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from machinery_network.config import SettingsError
    from machinery_network.errors import DomainError

    if args.command == "serve":
        from machinery_network.config import listen_base_url

        # Links in mails and calendar feeds point where this server listens unless MN_BASE_URL says
        # otherwise (set in the environment, so worker processes read it too).
        os.environ.setdefault("MN_BASE_URL", listen_base_url(args.host, args.port))
    try:
        settings = get_settings()
    except SettingsError as exc:  # refuse to start, with the one-line reason
        print(f"machinery-network: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "serve":
            return cmd_serve(args)
        if args.command == "migrate":
            asyncio.run(_migrate())
            print("database schema is up to date")
            return 0
        if args.command == "demo":
            print(asyncio.run(_demo()))
            return 0
        if args.command == "create-user":
            return cmd_create_user(args)
        if args.command == "settle":
            return cmd_settle(args)
        if args.command == "export":
            return cmd_export(args)
    except (ArgumentError, SettingsError) as exc:
        print(f"machinery-network: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"machinery-network: {exc.message('en')}", file=sys.stderr)
        return 2 if exc.status_code in (400, 422) else 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - one line on stderr, as the contract says
        log.debug("command failed", exc_info=True)
        print(f"machinery-network: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    finally:
        if args.command != "serve" and not settings.database_url:
            from machinery_network import embedded

            embedded.stop()  # let go of the embedded server this command attached to
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
