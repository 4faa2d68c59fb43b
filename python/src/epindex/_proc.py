"""Child processes, bounded: each runs in a session (a process group) of its own, and at its
deadline the whole group is killed, grandchildren included, so that neither a hung child nor
one that left something behind holding its pipes keeps the caller waiting (docs/spec.md §10)."""
from __future__ import annotations

import os
import signal
import subprocess
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional, Sequence


def run(argv: Sequence[str], *, timeout: float, env: Optional[Dict[str, str]] = None) -> "subprocess.CompletedProcess[str]":
    """``subprocess.run(argv, capture_output=True, text=True)`` in a session of its own; raises
    subprocess.TimeoutExpired once the group is killed."""
    p = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(p)
        p.communicate()
        raise
    finally:
        if p.poll() is None:
            kill_group(p)
            p.wait()
    kill_group(p)  # whatever it left behind in its group
    return subprocess.CompletedProcess(list(argv), p.returncode, out, err)


def kill_group(p: "subprocess.Popen[Any]") -> None:
    """Kill ``p`` and everything in its session (it is the group's leader); where there are no
    process groups (Windows), ``p`` itself."""
    try:
        if os.name == "posix":
            os.killpg(p.pid, signal.SIGKILL)
        else:
            p.kill()
    except OSError:
        pass  # the group is gone already
