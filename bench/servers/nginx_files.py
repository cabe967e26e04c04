"""nginx from Debian serving DATA_DIR under /static/: the anchor for the
file rows (sendfile, one worker process, as picoweb has one process).

Writes its config and runtime files into BENCH_WORK/nginx (run.py's
scratch folder; one nginx runs at a time) and then becomes nginx (exec),
so the benchmark's process id is nginx's master and stopping it stops
nginx. Its worker runs as the user who runs the benchmark: nginx started
by root would otherwise serve as nobody, who cannot read a checkout in a
folder only root may enter (a home directory, a `mktemp -d`): 403s."""

import grp
import os
import pwd
import shutil
import sys

from common import HOST, parse_argv

CONFIG = """\
{user}worker_processes 1;
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    server {{
        listen {host}:{port};
        location /static/ {{ alias {data}/; }}
    }}
}}
"""


def worker_user():
    """The `user` line that keeps nginx's worker as the invoking user; only
    root's nginx switches users, and any other ignores the line with a warning."""
    if os.geteuid() != 0:
        return ""
    return "user %s %s;\n" % (pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(os.getegid()).gr_name)


if __name__ == "__main__":
    port, data_dir, _ = parse_argv()
    work = os.environ.get("BENCH_WORK") or os.path.join(data_dir, "..", ".out")
    run_dir = os.path.abspath(os.path.join(work, "nginx"))
    os.makedirs(run_dir, exist_ok=True)
    conf = os.path.join(run_dir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(CONFIG.format(user=worker_user(), run=run_dir, host=HOST, port=port, data=os.path.abspath(data_dir)))
    sys.stdout.flush()
    # /usr/sbin is not on a non-root PATH, where Debian puts nginx.
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    os.execv(nginx, [nginx, "-e", "stderr", "-p", run_dir, "-c", conf])
