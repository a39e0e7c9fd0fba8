"""The fault-injection test's driver: `ulmfit` run in this process, SIGKILLed at one event of its run.

An event is a file moved into place (every write of the package ends in os.replace) or a training step. With
KILL_AT=N the process kills itself just before event N, as a power cut would; with EVENT_LOG=PATH it writes each
event (number, stage, what) to PATH. Usage: KILL_AT=N python kill_at.py imdb --data D --out O --preset tiny
"""

import os
import signal
import sys
from pathlib import Path

from ulmfit_ref import pipeline
from ulmfit_ref.cli import main
from ulmfit_ref.train import Learner

KILL_AT = int(os.environ.get("KILL_AT", "-1"))
LOG = open(os.environ["EVENT_LOG"], "w") if os.environ.get("EVENT_LOG") else None  # noqa: SIM115 (open till exit)
state = {"stage": "start", "events": 0}


def event(what: str) -> None:
    """Count an event; kill this process when it is the one asked for."""
    if state["events"] == KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)
    if LOG is not None:
        LOG.write(f"{state['events']}\t{state['stage']}\t{what}\n")
        LOG.flush()
    state["events"] += 1


def in_stage(name: str, body):
    """`body`, which marks the events it causes as stage `name`'s."""
    def run(*args, **kwargs):
        state["stage"] = name
        return body(*args, **kwargs)
    return run


replace, step = os.replace, Learner._step
os.replace = lambda src, dst, **kw: (event(f"write {Path(dst).name}"), replace(src, dst, **kw))[1]
Learner._step = lambda self, *a, **kw: (event("step"), step(self, *a, **kw))[1]
pipeline.imdb_csv = in_stage("data", pipeline.imdb_csv)
for name in list(pipeline.STAGES):
    pipeline.STAGES[name] = in_stage(name, pipeline.STAGES[name])

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
