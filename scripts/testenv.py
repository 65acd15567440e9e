"""Run a command with throw-away PostgreSQL and Redis servers on free ports of 127.0.0.1.

    python scripts/testenv.py -- pytest ...

Starts both, exports DATABASE_URL, CELERY_BROKER_URL and REDIS_URL (plus REDIS_SERVER_BIN and
CHROMIUM_PATH for tests that start their own), runs the command, and stops the servers
afterwards whatever happens. PostgreSQL refuses to run as root, so as root it runs as the
`postgres` user.
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        sys.exit(f"{name} not found: install PostgreSQL (make test does)")
    return candidates[-1]


def runuser() -> str:
    """runuser lives in /usr/sbin, which a PATH made for a user (or by `env -i`) may lack."""
    for found in (shutil.which("runuser"), "/usr/sbin/runuser", "/sbin/runuser"):
        if found and os.path.exists(found):
            return found
    sys.exit("runuser not found: PostgreSQL refuses to run as root (install util-linux)")


def as_pg_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return [runuser(), "-u", "postgres", "--", *cmd]
    return cmd


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def main() -> int:
    argv = sys.argv[1:]
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        sys.exit("usage: testenv.py -- COMMAND ...")

    workdir = tempfile.mkdtemp(prefix="saldo-testenv-")
    os.chmod(workdir, 0o755)
    pgdata = os.path.join(workdir, "pg")
    os.makedirs(pgdata)
    if os.geteuid() == 0:
        shutil.chown(pgdata, "postgres", "postgres")
    pg_port, redis_port = free_port(), free_port()
    redis = None
    pg_started = False
    try:
        subprocess.run(as_pg_user([pg_bin("initdb"), "-D", pgdata, "-U", "postgres",
                                   "--auth=trust", "-E", "UTF8", "--no-locale"]),
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(as_pg_user([
            pg_bin("pg_ctl"), "-D", pgdata, "-l", os.path.join(pgdata, "server.log"), "-w",
            "-o", f"-p {pg_port} -k {pgdata} -c listen_addresses=127.0.0.1 -c fsync=off "
                  "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            "start"]), check=True, stdout=subprocess.DEVNULL)
        pg_started = True
        subprocess.run(as_pg_user([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(pg_port),
                                   "-U", "postgres", "saldo"]), check=True)
        redis_bin = shutil.which("redis-server") or "/usr/bin/redis-server"
        redis = subprocess.Popen(
            [redis_bin, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", workdir],
            stdout=subprocess.DEVNULL)
        wait_for_port(redis_port)
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/saldo",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/1",
            "REDIS_SERVER_BIN": redis_bin,
            "CHROMIUM_PATH": env.get("CHROMIUM_PATH") or shutil.which("chromium") or "",
            "DEMO_DATA_ALLOWED": "true",
            "SECRET_KEY": env.get("SECRET_KEY") or "throw-away-test-secret-" + os.urandom(8).hex(),
        })
        print(f"testenv: PostgreSQL on 127.0.0.1:{pg_port}, Redis on 127.0.0.1:{redis_port}",
              flush=True)
        return subprocess.call(argv, env=env)
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
        if pg_started:
            subprocess.run(as_pg_user([pg_bin("pg_ctl"), "-D", pgdata, "-m", "immediate",
                                       "stop"]), stdout=subprocess.DEVNULL, check=False)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
