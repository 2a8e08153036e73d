#!/usr/bin/env python3
"""What one bake costs on this machine: the two numbers dbake's launch
pacing (src/sched/pace.h: LAUNCH_CPU_MS) and the simulator's model of a
bake (src/sched/sim_dbake.h: its start-up) stand for.

    eval "$(tools/cluster env)"
    python3 bench/bake_cost.py [--reps N]

Each bake is run as dbake runs its children: a definition of one
target in JSON, `--progress plain`, no git info, no trace, on a builder
of one node. Prints medians over --reps:

- CPU: user + system seconds of a bake whose one step is cached (what
  starting a bake costs the client: Go's start, reading the file, the
  session with BuildKit, the answer);
- overhead: wall time of a bake whose one step (`sleep 1`) is not
  cached, less that second (start, solve, export, exit), one bake on
  idle daemons; then one bake on each node at once, as a first wave
  launches them.
"""
import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import daemons  # noqa: E402

STEP = 1.0


def constants():
    """What the code assumes now, read from its headers."""
    out = {}
    for path, key in (("src/sched/pace.h", "#define LAUNCH_CPU_MS"),
                      ("src/sched/sim_dbake.h", "#define SIM_DBAKE_CONFIG_INIT")):
        with open(os.path.join(ROOT, path)) as f:
            for line in f:
                if line.startswith(key):
                    out[path] = line[len(key):].strip()
    return out


def definition(d, name, reg, nonce, step):
    target = {"context": ".", "dockerfile": "Dockerfile",
              "dockerfile-inline": "FROM %s/base/busybox\nRUN echo %s > /x%s\n"
                                   % (reg, nonce, " && sleep %g" % step if step else ""),
              "platforms": ["linux/amd64"]}
    path = os.path.join(d, name + ".json")
    with open(path, "w") as f:
        json.dump({"target": {name: target}}, f)
    return path


def bake_cmd(buildx, builder, path, name):
    return [buildx, "bake", "--builder", builder, "-f", path, "--progress", "plain",
            "--", name]


def timed(cmds, env, cwd, gap=0.0):
    """Run cmds, `gap` seconds apart: (each one's wall, CPU of them all)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    procs, starts = [], []
    for i, c in enumerate(cmds):
        if i and gap:
            time.sleep(gap)
        starts.append(time.monotonic())
        procs.append(subprocess.Popen(c, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE))
    walls, errs = [0.0] * len(procs), [b""] * len(procs)

    def wait(i):
        errs[i] = procs[i].communicate()[1]
        walls[i] = time.monotonic() - starts[i]
    threads = [threading.Thread(target=wait, args=(i,)) for i in range(len(procs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p, err in zip(procs, errs):
        if p.returncode:
            raise SystemExit("bake_cost: a bake failed: %s" % err.decode()[-400:])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return walls, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--launch-cpu-ms", type=float, dest="pace_ms",
                    default=float(constants()["src/sched/pace.h"]),
                    help="the paced wave's gap is this over the CPUs "
                         "(default: LAUNCH_CPU_MS, as the dispatcher)")
    a = ap.parse_args()
    pace_ms = a.pace_ms
    for k in ("DBAKE_TEST_REGISTRY", "DBAKE_TEST_NODE_ADDRS", "DBAKE_CLUSTER_DIR"):
        if not os.environ.get(k):
            raise SystemExit('bake_cost: no test bed: eval "$(tools/cluster env)" first')
    reg = os.environ["DBAKE_TEST_REGISTRY"]
    cdir = os.environ["DBAKE_CLUSTER_DIR"]
    addrs = os.environ["DBAKE_TEST_NODE_ADDRS"].split()
    buildx = shutil.which("docker-buildx") or "/usr/local/lib/docker/cli-plugins/docker-buildx"
    d = tempfile.mkdtemp(prefix="dbake-bake-cost-")
    env = dict(os.environ, BUILDX_CONFIG=os.path.join(d, "buildx"),
               BUILDX_GIT_INFO="0", OTEL_TRACES_SAMPLER="always_off")
    builders = []
    for i, addr in enumerate(addrs):
        name = "bake-cost-n%d" % i
        r = subprocess.run([buildx, "create", "--name", name, "--driver", "remote", addr],
                           env=env, capture_output=True, text=True)
        if r.returncode:
            raise SystemExit("bake_cost: cannot make a builder for %s: %s" % (addr, r.stderr))
        builders.append(name)
    try:
        # one target built once, then its cached bake again and again
        path = definition(d, "cached", reg, "cached-%d" % random.randrange(1 << 30), 0)
        timed([bake_cmd(buildx, builders[0], path, "cached")], env, d)
        cpu = []
        for _ in range(a.reps):
            daemons.settle(cdir)
            cpu.append(timed([bake_cmd(buildx, builders[0], path, "cached")], env, d)[1])
        alone, wave, wave_cpu, paced = [], [], [], []
        # the dispatcher's gap for this machine's CPUs
        gap = pace_ms / 1000.0 / (os.cpu_count() or 1)
        for r in range(a.reps):
            nonce = "%d-%d" % (r, random.randrange(1 << 30))
            daemons.settle(cdir)
            p = definition(d, "one", reg, nonce, STEP)
            alone.append(timed([bake_cmd(buildx, builders[0], p, "one")], env, d)[0][0] - STEP)
            daemons.settle(cdir)
            cmds = [bake_cmd(buildx, b, definition(d, "w%d" % i, reg, "w" + nonce, STEP),
                             "w%d" % i)
                    for i, b in enumerate(builders)]
            walls, c = timed(cmds, env, d)
            wave += [w - STEP for w in walls]
            wave_cpu.append(c / len(cmds))
            daemons.settle(cdir)
            cmds = [bake_cmd(buildx, b, definition(d, "p%d" % i, reg, "p" + nonce, STEP),
                             "p%d" % i)
                    for i, b in enumerate(builders)]
            paced += [w - STEP for w in timed(cmds, env, d, gap)[0]]
    finally:
        for b in builders:
            subprocess.run([buildx, "rm", b], env=env, capture_output=True)
        shutil.rmtree(d, ignore_errors=True)
    med = statistics.median
    print("one bake, as dbake runs its children (medians of %d; %d CPUs here):"
          % (a.reps, os.cpu_count()))
    print("  CPU of a cached bake:               %4.0f ms (%.0f-%.0f)"
          % (med(cpu) * 1000, min(cpu) * 1000, max(cpu) * 1000))
    print("  CPU of a bake of a 1 s step:        %4.0f ms" % (med(wave_cpu) * 1000))
    print("  overhead, one bake alone:           %4.2f s (%.2f-%.2f)"
          % (med(alone), min(alone), max(alone)))
    print("  overhead, %d at once (one a node):   %4.2f s (%.2f-%.2f)"
          % (len(builders), med(wave), min(wave), max(wave)))
    print("  overhead, %d launched %2.0f ms apart:  %4.2f s (%.2f-%.2f)"
          % (len(builders), gap * 1000, med(paced), min(paced), max(paced)))
    for path, v in constants().items():
        print("  assumed by %s: %s" % (path, v))


if __name__ == "__main__":
    main()
