"""How long each script run took on the server, for the load benchmark (`bench.load`): one JSON
line per run (page, session, start, seconds) appended to the file `RBM_RUN_LOG` names. Unset
(the default), nothing is measured or written.

The figure is the server's own: from the start of the script to its end, waits for the
interpreter among concurrent sessions included, the browser's drawing excluded.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from streamlit.runtime.scriptrunner import get_script_run_ctx

_LOCK = threading.Lock()


@contextmanager
def timed(page: str, started: float) -> Iterator[None]:
    """Run the block (the page), then log the run from `started` (a `time.perf_counter()` read
    at the top of the script) to its end, however it ended (a rerun or a stop included)."""
    path = os.environ.get("RBM_RUN_LOG")
    try:
        yield
    finally:
        if path:
            _write(path, page, started)


def _write(path: str, page: str, started: float) -> None:
    ctx = get_script_run_ctx()
    line = json.dumps(
        {
            "page": page,
            "session": ctx.session_id if ctx else "",
            "at": time.time(),
            "seconds": round(time.perf_counter() - started, 4),
        }
    )
    with _LOCK, open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")
