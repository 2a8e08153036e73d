#!/usr/bin/env python3
"""What a run costs the client, per target: the CPU of dbake and of every
child it waits for (bake, buildx), against plain bake on the same builder.

    eval "$(tools/cluster env)"
    python3 bench/child_cost.py [--dbake BINARY]... N...

For each N: a project of N independent targets (one `RUN echo` each, a
fresh nonce), built twice by each dbake binary (a first run with an
empty state dir, then a cached one) and twice by plain bake, each on
daemons idle from the run before. Prints CPU
seconds, ms per target and wall time. Several --dbake binaries compare
builds of dbake with one another (default: build/docker-dbake).
"""
import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import daemons  # noqa: E402


def project(n, nonce, reg):
    d = tempfile.mkdtemp(prefix="dbake-child-cost-")
    with open(os.path.join(d, "docker-bake.hcl"), "w") as f:
        names = ",".join('"t%d"' % i for i in range(n))
        f.write('group "default" { targets = [%s] }\n' % names)
        for i in range(n):
            f.write('target "t%d" {\n'
                    '  dockerfile-inline = "FROM %s/base/busybox\\nRUN echo t%d-%s > /x\\n"\n'
                    '  platforms = ["linux/amd64"]\n}\n' % (i, reg, i, nonce))
    return d


def run(cmd, cwd, env):
    """(exit code, CPU seconds of it and its waited-for children, wall),
    on daemons left idle first (bench/daemons.py)"""
    daemons.settle(os.environ.get("DBAKE_CLUSTER_DIR", ""))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return r.returncode, cpu, wall


def line(n, name, first, cached):
    (rc1, c1, w1), (rc2, c2, w2) = first, cached
    return ("%5d targets  %-28s first: exit %d, CPU %6.2f s = %4.0f ms/target, "
            "wall %5.1f s | cached: exit %d, CPU %6.2f s = %4.0f ms/target, "
            "wall %5.1f s" % (n, name, rc1, c1, c1 * 1000 / n, w1,
                              rc2, c2, c2 * 1000 / n, w2))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dbake", action="append", help="a docker-dbake binary")
    ap.add_argument("sizes", nargs="+", type=int)
    a = ap.parse_args()
    reg = os.environ.get("DBAKE_TEST_REGISTRY")
    if not reg:
        raise SystemExit("child_cost: run under tools/cluster "
                         "(eval \"$(tools/cluster env)\")")
    binaries = a.dbake or [os.path.join(ROOT, "build", "docker-dbake")]
    for n in a.sizes:
        for b in binaries:
            d = project(n, "d%d" % random.randrange(1 << 30), reg)
            env = dict(os.environ, DBAKE_STATE_DIR=os.path.join(d, "state"))
            cmd = [b, "dbake", "--progress", "plain"]
            first = run(cmd, d, env)
            print(line(n, "dbake " + os.path.relpath(b), first,
                       run(cmd, d, env)), flush=True)
        d = project(n, "p%d" % random.randrange(1 << 30), reg)
        cmd = ["docker", "buildx", "bake", "--progress", "plain"]
        first = run(cmd, d, os.environ)
        print(line(n, "plain bake", first, run(cmd, d, os.environ)), flush=True)


if __name__ == "__main__":
    main()
