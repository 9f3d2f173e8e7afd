"""The ``loanwatch`` command line (see shared/spec/CONTRACT.md).

Exit status: 0 success; 1 bad input or unanswerable request (one line on stderr); 2 usage.
Only this module and the UI turn exceptions into messages for people.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from assistant.errors import LoanwatchError

app = typer.Typer(
    name="loanwatch",
    help="Post-loan monitoring assistant for credit officers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Post-loan monitoring assistant for credit officers (贷后管理)."""


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


@app.command()
def extract(
    file: Path = typer.Argument(..., help="a PDF or Excel statement file"),
    as_json: bool = typer.Option(False, "--json", help="print the contract's JSON object"),
) -> None:
    """Parse one document's financial statements without storing anything."""
    from assistant.config import get_settings
    from extractors.pipeline import extract_file

    settings = get_settings()
    result = extract_file(file, max_pages=settings.max_pages, max_file_mb=settings.max_file_mb)
    if as_json:
        _print_json(result.to_json_dict())
        return
    from assistant.render import render_extraction

    render_extraction(result)


def main(argv: Optional[list[str]] = None) -> None:
    """Entry point: run the app, turn errors into one line and an exit status."""
    try:
        app(args=argv)  # standalone: typer prints usage errors and exits 2 itself
    except LoanwatchError as exc:
        sys.stderr.write(f"loanwatch: {exc}\n")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.stderr.write("loanwatch: interrupted; nothing half-stored is kept — run the command again\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        if os.environ.get("LOANWATCH_DEBUG"):
            raise
        sys.stderr.write(
            f"loanwatch: internal error ({type(exc).__name__}: {exc}); "
            "set LOANWATCH_DEBUG=1 for details and report it\n"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
