"""``sendcast app [--port 8050] [--host 127.0.0.1]``: start the local web app and print its address.

It listens on the loopback address unless ``--host`` says otherwise, and then warns: the app
has no log-in, and anyone who can reach the address can run models and read the runs.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from pathlib import Path

from sendcast.commands.options import data_option
from sendcast.runtime.parallel import BACKENDS


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("app", help="start the local web app (Area, Forecast, Options, Download)")
    parser.add_argument("--port", type=int, default=8050, help="port to listen on (default 8050)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only; anything else warns)",
    )
    data_option(parser)
    parser.add_argument(
        "--reports",
        metavar="DIR",
        help="folder for the runs the app writes (default: reports/); each run is a new folder",
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS[:2],
        default="processes",
        help="where replications run by default (the Options page can change it)",
    )
    parser.add_argument("--workers", type=int, metavar="N", help="worker processes (default: the number of cores)")
    parser.set_defaults(handler=_app)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and addresses in 127.0.0.0/8 or ``::1``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _app(args: argparse.Namespace) -> int:
    import uvicorn

    from sendcast.app.server import create_app
    from sendcast.app.workspace import Workspace

    if not is_loopback(args.host):
        print(
            f"sendcast: warning: listening on {args.host}, not this machine only: anyone who can reach it can "
            "run models and read the runs (the app has no log-in)",
            file=sys.stderr,
        )
    workspace = Workspace(
        data=args.data, reports=Path(args.reports) if args.reports else None, backend=args.backend, workers=args.workers
    )
    _ = workspace.dataset  # load (or build) the data before saying the app is ready
    app = create_app(workspace)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"sendcast app: open http://{shown}:{args.port}/ in your browser (Ctrl+C to stop)", flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    finally:
        app.jobs.shutdown()  # type: ignore[attr-defined]
        workspace.close()
    return 0
