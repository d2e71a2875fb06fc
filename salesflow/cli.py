"""The ``salesflow`` command: everything an operator needs, without manage.py.

    salesflow serve [--host H] [--port P] [--no-worker]   migrate, collect static, run the web server (+ worker)
    salesflow worker                                       run the background tasks worker
    salesflow scheduler                                    enqueue periodic tasks (deadline sweeps) for the worker
    salesflow demo [--reset]                               load the demo company (development only)
    salesflow migrate                                      apply database migrations
    salesflow import-customers FILE --user USERNAME        import customers from .xlsx/.csv
    salesflow createadmin [--username U] [--password P]    create a system administrator
    salesflow check                                        configuration, database and task backend checks
    salesflow manage ARGS...                               any manage.py command
"""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import subprocess
import sys
from pathlib import Path

TASKS_DB_BACKEND = "django_tasks_db.DatabaseBackend"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesflow.settings")
    import django

    django.setup()


def _self_command(*args: str) -> list[str]:
    """This CLI, run again as a child process with the same interpreter."""
    return [sys.executable, "-m", "salesflow.cli", *args]


def _worker_needed() -> bool:
    from django.conf import settings

    return settings.TASKS["default"]["BACKEND"] == TASKS_DB_BACKEND


def _stop(proc: subprocess.Popen | None, name: str) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop in 10 s; killing it.", file=sys.stderr)
        proc.kill()
        proc.wait()


# --- subcommands ------------------------------------------------------------------------------------------

def cmd_serve(args) -> int:
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)
    worker = scheduler = None
    if args.no_worker:
        pass
    elif _worker_needed():
        worker = subprocess.Popen(_self_command("worker"))
        scheduler = subprocess.Popen(_self_command("scheduler"))
        print(f"Started the tasks worker (pid {worker.pid}) and the scheduler (pid {scheduler.pid}).", flush=True)
    else:
        print(f"Tasks backend is {settings.TASKS['default']['BACKEND']}: run its own workers separately.", flush=True)

    bind = f"{args.host}:{args.port}"
    if settings.PRODUCTION:
        workers = os.environ.get("WEB_CONCURRENCY", "3")
        server_cmd = [sys.executable, "-m", "gunicorn", "salesflow.wsgi:application", "--bind", bind,
                      "--workers", workers, "--access-logfile", "-", "--forwarded-allow-ips",
                      os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")]
    else:
        server_cmd = _self_command("manage", "runserver", bind)
    server = subprocess.Popen(server_cmd)

    def forward(signum, _frame):
        for proc in (server, worker, scheduler):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        code = server.wait()
    finally:
        _stop(server, "The web server")
        _stop(worker, "The tasks worker")
        _stop(scheduler, "The scheduler")
    return code


def cmd_scheduler(args) -> int:
    """Enqueue periodic tasks (approval deadline sweep…) for the worker; run one per deployment or more."""
    _setup()
    from salesflow.core.scheduler import PERIODIC, run_forever

    print("Scheduler: " + ", ".join(f"{getattr(t, 'name', t)} every {s}s" for s, t in PERIODIC), flush=True)
    try:
        run_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_worker(args) -> int:
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    if not _worker_needed():
        print(f"Tasks backend {settings.TASKS['default']['BACKEND']} has no built-in worker here; "
              f"start that backend's worker (e.g. `salesflow manage rqworker`).", file=sys.stderr)
        return 1
    call_command("db_worker", *args.extra)
    return 0


def cmd_demo(args) -> int:
    _setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("load_demo", reset=args.reset)
    except CommandError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_migrate(args) -> int:
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False)
    return 0


def cmd_import_customers(args) -> int:
    _setup()
    from salesflow.core.errors import AppError
    from salesflow.crm.imports import CUSTOMER_IMPORT_KIND
    from salesflow.imports import services as imports
    from salesflow.imports.models import ImportStatus
    from salesflow.org.models import User

    kind = CUSTOMER_IMPORT_KIND
    user = User.objects.filter(username=args.user, is_active=True).first()
    if user is None:
        print(f"Error: no active user named {args.user!r}.", file=sys.stderr)
        return 1
    path = Path(args.file)
    if not path.is_file():
        print(f"Error: {path} is not a file.", file=sys.stderr)
        return 1
    try:
        job = imports.import_upload(by=user, kind=kind, file_name=path.name, content=path.read_bytes())
        headers = ", ".join(f"{h} → {key}" for key, i in job.mapping.items() for h in [job.headers[i]])
        print(f"{job.total_rows} rows; columns: {headers or '(none recognised)'}")
        job = imports.import_check(by=user, kind=kind, job_id=job.pk, mapping=job.mapping)
        for warning in job.warnings:
            print(f"warning: row {warning['row']}: {warning['message']}")
        if job.errors:
            for error in job.errors:
                print(f"row {error['row']}: {error['field']}: {error['message']}", file=sys.stderr)
            print(f"{len(job.errors)} errors; nothing was imported.", file=sys.stderr)
            imports.import_cancel(by=user, kind=kind, job_id=job.pk)
            return 1
        imports.import_confirm(by=user, kind=kind, job_id=job.pk)
        # Run it here rather than waiting for the worker; the queued task will find it done and do nothing.
        job = imports.import_execute(job.pk)
    except AppError as exc:
        details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.fields.items())
        print(f"Error: {exc.message}" + (f" ({details})" if details else ""), file=sys.stderr)
        return 1
    if job.status != ImportStatus.DONE:
        print(f"Import failed, nothing imported: {job.message}", file=sys.stderr)
        return 1
    print(f"Imported {job.created_count} customers.")
    return 0


def cmd_createadmin(args) -> int:
    _setup()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from salesflow.audit.events import snapshot
    from salesflow.core.errors import AppError
    from salesflow.org import events, services
    from salesflow.org.models import User
    from salesflow.org.roles import Role

    interactive = sys.stdin.isatty() and not args.no_input
    username = args.username or os.environ.get("SALESFLOW_ADMIN_USERNAME", "")
    password = args.password or os.environ.get("SALESFLOW_ADMIN_PASSWORD", "")
    if not username and interactive:
        username = input("Username [admin]: ").strip() or "admin"
    if not password and interactive:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != password:
            print("Error: the passwords do not match.", file=sys.stderr)
            return 1
    if not username or not password:
        print("Error: give --username and --password (or SALESFLOW_ADMIN_USERNAME / SALESFLOW_ADMIN_PASSWORD).",
              file=sys.stderr)
        return 1
    if User.objects.filter(username__iexact=username).exists():
        print(f"Error: the username {username!r} is already taken.", file=sys.stderr)
        return 1
    actor = User.objects.active().holding(Role.ADMIN).order_by("pk").first()
    try:
        if actor is not None:
            user = services.user_create(by=actor, username=username, password=password, role=Role.ADMIN,
                                        name=args.name, email=args.email)
        else:
            # The first administrator: there is nobody to act as ``by`` yet, so the account is made here.
            validate_password(password, User(username=username, name=args.name, email=args.email))
            with transaction.atomic():
                user = User(username=username, name=args.name, email=args.email, role=Role.ADMIN,
                            is_staff=True, is_superuser=True)
                user.set_password(password)
                user.save()
                events.USER_CREATED.record(by=user, obj=user, after=snapshot(user, services.USER_FIELDS),
                                           note="salesflow createadmin")
    except ValidationError as exc:
        print("Error: " + " ".join(exc.messages), file=sys.stderr)
        return 1
    except AppError as exc:
        print(f"Error: {exc.message} {exc.as_dict()['fields']}", file=sys.stderr)
        return 1
    print(f"Created the administrator {user.username}.")
    return 0


def cmd_check(args) -> int:
    _setup()
    from django.conf import settings
    from django.core import checks
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    problems: list[str] = []
    notes: list[str] = []
    messages = checks.run_checks(include_deployment_checks=settings.PRODUCTION, databases=[DEFAULT_DB_ALIAS])
    for message in messages:
        if message.is_silenced():
            continue
        line = f"{message.id or ''} {message.obj if message.obj is not None else ''}: {message.msg}".strip()
        # Production: deployment warnings are problems too.
        if message.level >= checks.ERROR or (settings.PRODUCTION and message.level >= checks.WARNING):
            problems.append(line)
        else:
            notes.append(line)
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        plan = MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes())
        if plan:
            problems.append(f"database: {len(plan)} migrations not applied (run `salesflow migrate`).")
    except Exception as exc:  # any driver error means the database is unusable
        problems.append(f"database ({connection.vendor}): cannot connect: {exc}")
    try:
        from django_tasks import default_task_backend

        backend_name = settings.TASKS["default"]["BACKEND"]
        for message in default_task_backend.check():
            problems.append(f"tasks: {message.msg}")
        if backend_name == TASKS_DB_BACKEND and not any("database" in p for p in problems):
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.exists()
        elif "rq" in backend_name.lower():
            url = os.environ.get("REDIS_URL", "")
            if not url:
                problems.append("tasks: TASKS_BACKEND is RQ but REDIS_URL is not set.")
            else:
                import redis  # installed with django-tasks-rq

                redis.Redis.from_url(url).ping()
    except Exception as exc:  # a backend that cannot be built or reached
        problems.append(f"tasks: backend unusable: {exc}")
    for line in notes:
        print(f"note: {line}")
    if problems:
        for line in problems:
            print(f"PROBLEM: {line}")
        return 1
    env = "production" if settings.PRODUCTION else "development"
    print(f"OK ({env}, database {connections[DEFAULT_DB_ALIAS].vendor}, tasks {settings.TASKS['default']['BACKEND']})")
    return 0


def cmd_manage(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesflow.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["salesflow manage", *args.extra])
    return 0


# --- parser -----------------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salesflow", description="Salesflow 销售流程管理")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="migrate, collect static files and run the web server with the tasks worker")
    p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    p.add_argument("--port", default=os.environ.get("PORT", "8000"))
    p.add_argument("--no-worker", action="store_true", help="do not start the tasks worker")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("scheduler", help="enqueue periodic tasks (approval deadline sweep) for the worker")
    p.set_defaults(func=cmd_scheduler)

    p = sub.add_parser("worker", help="run the background tasks worker (db_worker)")
    p.add_argument("extra", nargs=argparse.REMAINDER, help="options passed to db_worker")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("demo", help="load the demo company (refused in production)")
    p.add_argument("--reset", action="store_true", help="wipe business data, users and org tree first")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("import-customers", help="import customers from an .xlsx or .csv file")
    p.add_argument("file")
    p.add_argument("--user", required=True, help="username of the importing user (default owner of the rows)")
    p.set_defaults(func=cmd_import_customers)

    p = sub.add_parser("createadmin", help="create a system administrator")
    p.add_argument("--username", default="")
    p.add_argument("--password", default="", help="better: SALESFLOW_ADMIN_PASSWORD in the environment")
    p.add_argument("--name", default="")
    p.add_argument("--email", default="")
    p.add_argument("--no-input", action="store_true", help="never prompt")
    p.set_defaults(func=cmd_createadmin)

    p = sub.add_parser("check", help="check configuration, database and the tasks backend")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("manage", help="run any manage.py command", add_help=False)
    p.add_argument("extra", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from django.core.exceptions import ImproperlyConfigured

    try:
        return int(args.func(args) or 0)
    except ImproperlyConfigured as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
