"""`visionflow serve | run WORKFLOW.json --data DIR | import PROJECT DIR | demo | users … | tokens …`."""

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from backend.accounts import cli_commands as accounts_cli
from backend.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="visionflow", description="Train image classifiers from visual workflows.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="Serve the app and API.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    run = commands.add_parser(
        "run",
        help="Train a workflow (default: the one recommended for the data) on a folder of class folders, headless.",
    )
    run.add_argument(
        "workflow",
        type=Path,
        nargs="?",
        help="Workflow JSON (as exported, or a file from recommended_workflows/); "
        "without one, the recommended workflow for the data.",
    )
    run.add_argument(
        "--data", type=Path, required=True, help="class folders, or train/ and val/ each holding class folders"
    )
    run.add_argument("--epochs", type=int)
    run.add_argument("--imgsz", type=int, help="Override the model node's input size.")
    run.add_argument("--batch", type=int)
    run.add_argument("--device", default=None)
    importer = commands.add_parser("import", help="Import an ImageFolder tree into a project (created if new).")
    importer.add_argument("project", help="Project id or name.")
    importer.add_argument("folder", type=Path)
    commands.add_parser("demo", help="Seed the handwritten-digits demo project (once).")
    accounts_cli.add_parsers(commands)
    args = parser.parse_args(argv)
    settings = Settings()
    match args.command:
        case "serve":
            return _serve(settings, args.host, args.port)
        case "run":
            from backend.headless import run_headless

            overrides = {
                k: v
                for k, v in {"epochs": args.epochs, "batch": args.batch, "device": args.device}.items()
                if v is not None
            }
            return asyncio.run(run_headless(settings, args.workflow, args.data, overrides, args.imgsz))
        case "import":
            return _import(settings, args.project, args.folder)
        case "demo":
            return _demo(settings)
        case "users" | "tokens":
            return accounts_cli.run(args, settings, _open_session)
    return 2


def _serve(settings: Settings, host: str, port: int) -> int:
    refusal = accounts_cli.serve_refusal(settings, host)  # accounts off: loopback only
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 2
    import uvicorn

    from backend.app import create_app

    app = create_app(settings)  # creates the first administrator when there is no user
    accounts_cli.print_login(settings, host, port)
    # proxy_headers off: uvicorn's default trusts X-Forwarded-For from 127.0.0.1, so behind a local proxy that passes
    # the header on, each client would name its own address and escape the per-address rate limits
    # permessage-deflate off: each socket compresses each event with its own context, so a run watched by 500 pages
    # compressed every event 500 times (a quarter of the server's time; bench/ws_fanout.py)
    uvicorn.run(
        app, host=host, port=port, log_level="info", ws="websockets", proxy_headers=False, ws_per_message_deflate=False
    )
    return 0


def _open_session(settings: Settings):  # type: ignore[no-untyped-def]
    from backend.db.session import make_engine, session_for, upgrade_database

    settings.ensure_dirs()
    engine = make_engine(settings.resolved_database_url)
    upgrade_database(engine)
    return session_for(engine)


def _import(settings: Settings, project_ref: str, folder: Path) -> int:
    from sqlmodel import select

    from backend.datasets.library import import_folder
    from backend.db.models import Project

    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    with _open_session(settings) as session:
        project = (
            session.get(Project, project_ref)
            or session.exec(select(Project).where(Project.name == project_ref)).first()
        )
        if project is None:
            project = Project(name=project_ref)
            session.add(project)
            session.commit()
        report = import_folder(session, settings, project, folder)
        print(
            f"{project.name} ({project.id}): {len(report.imported)} imported, {len(report.duplicates)} duplicates, {len(report.rejected)} rejected"
        )
        for rejected in report.rejected:
            print(f"  rejected {rejected['filename']}: {rejected['reason']}", file=sys.stderr)
    return 0


DEMO_NAME = "Handwritten digits (demo)"


def demo_workflow(project_id: str) -> dict[str, Any]:
    """The demo's ready workflow: YOLOv8n at 32 px with light augmentations (digits are 8×8 scans,
    and not mirror-symmetric, so no flips)."""
    chain = [
        ("data", "dataset.project", {"project_id": project_id, "val_fraction": 0.2, "seed": 0}),
        ("resize", "preprocess.resize", {"mode": "stretch"}),
        (
            "shift",
            "augment.affine",
            {"rotate": [-10, 10], "translate_percent": [-0.08, 0.08], "scale": [0.9, 1.1], "p": 0.5},
        ),
        ("light", "augment.random_brightness_contrast", {"p": 0.3}),
        ("model", "model.yolov8_cls", {"size": "n", "imgsz": 32}),
    ]
    return {
        "schema_version": 1,
        "name": "Digits: YOLOv8n at 32px",
        "description": "Ready to run: the digits at their own tiny size. Click Run Training.",
        "nodes": [
            {"id": i, "type": t, "params": p, "position": {"x": n * 280, "y": 0}} for n, (i, t, p) in enumerate(chain)
        ],
        "edges": [
            {"id": f"e{n}", "source": a[0], "source_port": "dataset", "target": b[0], "target_port": "dataset"}
            for n, (a, b) in enumerate(zip(chain, chain[1:], strict=False), start=1)
        ],
    }


def _demo(settings: Settings) -> int:
    from sqlmodel import select

    from backend.datasets.digits import render_digits
    from backend.datasets.library import import_folder
    from backend.db.models import Project, Workflow
    from backend.workflows.versions import save_graph

    with _open_session(settings) as session:
        if session.exec(select(Project).where(Project.name == DEMO_NAME)).first():
            print(f"Demo project already there: {DEMO_NAME}")
            return 0
        started = time.monotonic()
        project = Project(name=DEMO_NAME)
        session.add(project)
        session.commit()
        with tempfile.TemporaryDirectory() as scratch:
            report = import_folder(session, settings, project, render_digits(Path(scratch) / "digits"))
        graph = demo_workflow(project.id)
        save_graph(session, Workflow(project_id=project.id, name=graph["name"], graph=graph), graph, created_by=None)
        session.commit()  # the workflow and its version 1
        print(
            f"Demo project {DEMO_NAME!r}: {len(report.imported)} labelled digits and a ready workflow ({time.monotonic() - started:.1f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
