"""``python -m ui [--host H] [--port P]``: serve the app over the configured LOANWATCH_HOME.

``loanwatch serve`` prepares the home (demo portfolio, demo users) and then runs this, so the
command line never imports the UI (imports flow ui → assistant).
"""

from __future__ import annotations

import argparse
import signal
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ui", description="Serve the loanwatch app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args(argv)

    from assistant.errors import LoanwatchError
    from assistant.heap import limit_arenas, start_trimmer
    from assistant.memtrace import start_from_env

    limit_arenas()  # before any worker thread: freed memory is shared, not kept per thread (assistant/heap.py)
    start_trimmer()
    start_from_env()  # LOANWATCH_MEMTRACE=FILE: what grows, sampled into FILE (off by default)
    from ui.app import build_app, launch

    try:
        from assistant.store import open_store

        store = open_store()
        app = build_app(store=store)
        launch(app, store, host=args.host, port=args.port, block=False)
    except LoanwatchError as exc:
        sys.stderr.write(f"loanwatch: {exc}\n")
        sys.exit(1)
    except OSError as exc:
        sys.stderr.write(f"loanwatch: cannot serve on {args.host}:{args.port} ({exc}); choose another --port\n")
        sys.exit(1)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the server like Ctrl-C: temporary files are removed
    sys.stdout.write(f"loanwatch is ready at http://{args.host}:{args.port}\n")
    sys.stdout.flush()
    try:
        app.block_thread()
    except KeyboardInterrupt:
        app.close()


def _interrupt(signum, frame) -> None:  # a signal handler
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
