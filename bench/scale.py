#!/usr/bin/env python3
"""dbake at scale on real daemons: N light targets on a cluster of M
BuildKit nodes of its own, against plain bake on the same builder.

    python3 bench/scale.py [--nodes 12] [--targets 1000] [--no-plain]
                           [--keep-cluster]

Starts `tools/cluster up --nodes M --arm64 0` in /tmp/dbake-scale, makes
a project of N targets (one `RUN echo` each, a tenth of them on the
target before: a DAG), and runs, in this order: plain bake (fresh
nonce), dbake's first run (empty state dir, another fresh nonce), plain
bake again (cached), once more with OTEL_TRACES_SAMPLER=always_off (as
dbake runs its child bakes), dbake again (cached, its state kept), dbake
a third time (cached, with the cached step times the second run left),
and a fourth with the sampler a user gets by default (the trace BuildKit
writes into each build's record: what dbake's child bakes did before
they were told not to sample). After each run, the daemons are left to
finish what it left them doing (up to a minute), and their CPU until
then is the run's.
For each: the wall time, the CPU of the tool and every child it waited
for, per target; for dbake, from its report.json: its own CPU and peak
RSS, the child bakes' CPU, how many bakes, how many scheduler decisions
and their mean and longest time. Prints a table and writes it to
bench/results/scale-DATE.txt.
"""
import argparse
import datetime as dt
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import daemons  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLUSTER_DIR = "/tmp/dbake-scale"


def cluster(*args, capture=False):
    env = dict(os.environ, DBAKE_CLUSTER_DIR=CLUSTER_DIR)
    r = subprocess.run([os.path.join(ROOT, "tools", "cluster"), *args], env=env,
                       stdout=subprocess.PIPE if capture else sys.stderr,
                       text=True)
    if r.returncode:
        raise SystemExit("scale: tools/cluster %s failed" % " ".join(args))
    return r.stdout if capture else ""


def exports_of(text):
    out = {}
    for m in re.finditer(r"^export (\w+)='([^']*)'$", text, re.M):
        out[m.group(1)] = m.group(2)
    return out


def project(n, nonce, reg):
    d = tempfile.mkdtemp(prefix="dbake-scale-")
    with open(os.path.join(d, "docker-bake.hcl"), "w") as f:
        names = ",".join('"t%d"' % i for i in range(n))
        f.write('group "default" { targets = [%s] }\n' % names)
        for i in range(n):
            dep = i % 10 == 9
            base = "dep" if dep else "%s/base/busybox" % reg
            f.write('target "t%d" {\n'
                    '  dockerfile-inline = "FROM %s\\nRUN echo t%d-%s > /x%d\\n"\n'
                    '  platforms = ["linux/amd64"]\n' % (i, base, i, nonce, i))
            if dep:
                f.write('  contexts = { dep = "target:t%d" }\n' % (i - 1))
            f.write('}\n')
    return d


def run(cmd, cwd, env):
    """(exit code, wall s, CPU s of it and its waited-for children, output)"""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return r.returncode, wall, cpu, r.stdout


def report_of(out):
    m = re.search(r"^report: (.*)\.html$", out, re.M)
    if not m:
        return None
    try:
        with open(m.group(1) + ".json") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def bakes_of(rep):
    return len({(t.get("node"), t.get("start")) for t in rep.get("targets", [])})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=12)
    ap.add_argument("--targets", type=int, default=1000)
    ap.add_argument("--keep-cluster", action="store_true")
    ap.add_argument("--no-plain", action="store_true",
                    help="dbake's runs only (plain bake's take minutes)")
    ap.add_argument("--dbake", default=os.path.join(ROOT, "build", "docker-dbake"))
    a = ap.parse_args()
    if not os.access(a.dbake, os.X_OK):
        raise SystemExit("scale: no %s (make first)" % a.dbake)
    cluster("up", "--nodes", str(a.nodes), "--arm64", "0", "--name", "scale")
    try:
        exports = exports_of(cluster("env", capture=True))
        env = dict(os.environ, **exports)
        reg = exports["DBAKE_TEST_REGISTRY"]
        n = a.targets
        plain_dir = project(n, "p%d" % random.randrange(1 << 30), reg)
        dbake_dir = project(n, "d%d" % random.randrange(1 << 30), reg)
        denv = dict(env, DBAKE_STATE_DIR=os.path.join(dbake_dir, "state"))
        plain = ["docker", "buildx", "bake", "--progress", "plain"]
        dbake = [a.dbake, "dbake", "--progress", "plain"]
        rows = []
        # the sampler a user gets by default, or none (what dbake tells
        # its child bakes; a user may set it for plain bake too)
        traced = {"OTEL_TRACES_SAMPLER": "parentbased_always_on"}
        untraced = {"OTEL_TRACES_SAMPLER": "always_off"}
        runs = (("plain bake", plain, plain_dir, env),
                ("dbake, first run", dbake, dbake_dir, denv),
                ("plain bake, cached", plain, plain_dir, env),
                ("plain, cached, no trace", plain, plain_dir, dict(env, **untraced)),
                ("dbake, cached", dbake, dbake_dir, denv),
                # the run before remembered cached step times: what a
                # user's next runs, all cached, do
                ("dbake, cached again", dbake, dbake_dir, denv),
                ("dbake, cached, traced", dbake, dbake_dir, dict(denv, **traced)))
        daemons.settle(CLUSTER_DIR)
        for label, cmd, d, e in runs:
            if a.no_plain and cmd is plain:
                continue
            print("scale: %s..." % label, file=sys.stderr, flush=True)
            before = daemons.cpu_seconds(CLUSTER_DIR)
            rc, wall, cpu, out = run(cmd, d, e)
            # the daemons' CPU for this run: what it left them doing too
            waited = daemons.settle(CLUSTER_DIR)
            dcpu = daemons.cpu_seconds(CLUSTER_DIR) - before
            print("scale: %s: %.1f s, the daemons idle %.0f s after" %
                  (label, wall, waited), file=sys.stderr, flush=True)
            rows.append((label, rc, wall, cpu, dcpu,
                         report_of(out) if cmd is dbake else None))
            if rc:
                err = [l for l in out.splitlines() if l.startswith("ERROR")]
                print("scale: %s: exit %d: %s" % (label, rc, "; ".join(err[:3])),
                      file=sys.stderr)
        lines = ["dbake at scale: %d light targets (a tenth FROM the one before) on "
                 "%d BuildKit nodes of one machine (%d CPUs), %s" %
                 (n, a.nodes, os.cpu_count(), dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
                 "",
                 "%-23s %4s %8s %10s %9s %9s | %8s %10s %8s %6s %9s %8s %8s" %
                 ("run", "exit", "wall s", "CPU s", "ms/target", "daemons s", "dbake s",
                  "children s", "RSS MB", "bakes", "decisions", "mean us", "max us")]
        for label, rc, wall, cpu, dcpu, rep in rows:
            s = "%-23s %4d %8.1f %10.1f %9.1f %9.1f" % (label, rc, wall, cpu,
                                                      cpu * 1000 / n, dcpu)
            cl = (rep or {}).get("totals", {}).get("client")
            if cl:
                d = cl.get("decisions", {})
                s += " | %8.2f %10.1f %8.1f %6d %9d %8d %8d" % (
                    cl.get("cpu", 0), cl.get("children_cpu", 0),
                    cl.get("max_rss_kb", 0) / 1024, bakes_of(rep), d.get("count", 0),
                    d.get("mean_us", 0), d.get("max_us", 0))
            lines.append(s)
        lines += ["", "CPU s: the tool and every child it waited for (getrusage); "
                  "daemons s: the BuildKit daemons' CPU from the run's start until "
                  "they were idle after it; "
                  "dbake s, RSS: dbake's own; children s: its child bakes'; "
                  "decisions: the scheduler's calls, their CPU time"]
        text = "\n".join(lines) + "\n"
        print(text)
        os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
        path = os.path.join(ROOT, "bench", "results",
                            "scale-%s.txt" % dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
        with open(path, "w") as f:
            f.write(text)
        print("written to %s" % os.path.relpath(path, ROOT))
    finally:
        if not a.keep_cluster:
            cluster("down")


if __name__ == "__main__":
    main()
