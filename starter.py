"""The command line for clerks and intake scripts.

    python starter.py intake FILE [--policy policy.toml]     JSON Lines or CSV; '-' reads stdin
    python starter.py status CASE_ID [--json]                 the case (JSON into a pipe)
    python starter.py list [--unit U] [--level L] [--overdue] [--due-within 2d] [--risk R] ...
    python starter.py outcome CASE_ID resolved|failed [--reason ...]        (through the API)
    python starter.py ACTION CASE_ID ...                                   (through the API)
        ACTION: pause resume extend escalate pull-up regrade transfer accept-transfer
                object-transfer withdraw refuse visit whistle track arbitration confirmation
                (`python starter.py ACTION -h`)
    python starter.py DUTY CASE_ID DEPARTMENT ... [--whistle N]            (through the API)
        DUTY: check-in file-report decline rule-decline  (a summoned department's duty)
    python starter.py tokens issue --name N --unit U --role R | revoke ID | list
    python starter.py roster load FILE                        handlers per level and unit (CSV)
    python starter.py departments load FILE                   departments a whistle summons (CSV)
    python starter.py report --period 2026-11 [--township T]  the assessment figures
    python starter.py schedules                               create/update the assessment schedules
    python starter.py keys list|rotate                        payload encryption keys (README)
    python starter.py notifications [--case ID] [--pending|--dead]   delivery state of notifications
    python starter.py notifications retry ID                  re-queue a dead notification

Messages are Chinese by default: `--lang en` (anywhere on the line) or `DISPUTE_LANG=en` for
English; JSON, CSV and exit statuses are the same in both.

Actions act as the person of your token (`DISPUTE_TOKEN` or `--token-file FILE`), through
the API at `DISPUTE_API_URL` (default: the embedded stack's, http://127.0.0.1:8080).

Exit status: 0 ok; 1 some record rejected or an action refused; 2 the input itself could not
be read (intake), a server could not be reached or was lost mid-run; 130 intake interrupted
(Ctrl-C): what started is reported, and running the same file again finishes the rest.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    # The language first (`--lang` anywhere), so every message is in it from the start.
    from cli.text import use_lang_of

    argv = use_lang_of(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["list"] and not {"-h", "--help"} & set(argv):
        # The worklist without loading Temporal's client and the case workflow: it answers
        # many times a day, so its start-up time is most of its cost.
        from cli.worklist import main as list_main

        return list_main(argv[1:])
    if argv[:1] == ["intake"]:
        # Intake without the other commands' modules: a script runs it once per file, and
        # the start-up before its first case is part of its rate (bench/intake.py).
        from cli.intake_command import main as intake_main

        return intake_main(argv)
    from cli.commands import main as commands_main

    return commands_main(argv)


def __getattr__(name: str):
    """`starter.load_policy` and the rest of runtime/commands.py, loaded when first asked for
    (tests and benches import them from here)."""
    from cli import commands

    return getattr(commands, name)


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter finalisation: the SDK's native runtime threads can abort the process
    # while Python tears down (exit 134 after an update was refused), hiding our exit status.
    os._exit(code)
