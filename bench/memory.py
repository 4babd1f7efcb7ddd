"""Peak memory of the running process, as the benchmark reports it."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB.

    Linux's VmHWM belongs to this program's own address space. `ru_maxrss` is only the fallback:
    across fork and exec it keeps the parent's high-water mark, so a harness holding a loaded
    portfolio would be counted in its child's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
