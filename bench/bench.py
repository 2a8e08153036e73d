#!/usr/bin/env python3
"""Benchmark docker dbake against plain `docker buildx bake` on real BuildKit.

    python3 bench/bench.py [--workloads W1,W3] [--reps 3] [--keep-cluster]

Starts its own 4-node cluster with tools/cluster (state in /tmp/dbake-bench,
builder "bench"; the test cluster in /tmp/dbake-cluster is never touched),
runs each workload of bench/workloads.py with three modes, side by side,
`--reps` times each (the order of the modes rotates from one repetition to
the next), and prints per-run wall times, medians and ratios to the
physical lower bound (LB). Before each run the daemons are left to
finish what the run before left them doing (bench/daemons.py, a minute
at most): a bake's trace, which BuildKit writes into the history record
of each of its builds seconds after the bake ends, costs the bake that
made it, not the next. Raw runs and medians go to
bench/results/bench-<date>.csv. Progress goes to stderr.

Modes (run from the workload's directory, with the cluster's environment):
  plain  docker buildx bake --progress quiet -f docker-bake.hcl
  split  what a user would script by hand: the default group's targets
         dealt round-robin (by name) into one plain bake per node, on a
         single-node builder of that node each, all at once
  fifo   docker-dbake --progress quiet --schedule fifo -f docker-bake.hcl
  dbake  docker-dbake --progress quiet -f docker-bake.hcl
Both dbake modes run with their defaults: no --cache-registry, no --slots.

Timings never fail the benchmark: it exits 1 only if a build fails (or
times out), 0 otherwise.
"""

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import daemons  # noqa: E402
import workloads  # noqa: E402

CLUSTER = os.path.join(TOP, "tools", "cluster")
DBAKE_BIN = os.path.join(TOP, "build", "docker-dbake")
RESULTS = os.path.join(HERE, "results")
CLUSTER_DIR = os.environ.get("DBAKE_BENCH_CLUSTER_DIR", "/tmp/dbake-bench")
BUILDER = "bench"
NODES = 4
MODES = ("plain", "split", "fifo", "dbake")
RUN_TIMEOUT = 900          # seconds for one measured build
FILE = "docker-bake.hcl"
CSV_HEADER = ["bench_id", "workload", "layout", "kind", "mode", "rep", "seconds", "ratio",
              "rc", "lb_seconds", "history", "nonce", "builds_per_node",
              "run_steps_executed_per_node", "tool_summary", "loadavg1", "started_utc",
              "command"]

T0 = time.monotonic()


def progress(msg):
    print(f"[bench {time.monotonic() - T0:5.0f}s] {msg}", file=sys.stderr, flush=True)


class Stop(Exception):
    """SIGTERM / SIGHUP: stop like Ctrl+C (the cluster still goes down)."""


def on_signal(signum, _frame):
    raise Stop(f"signal {signum}")


# ------------------------------------------------------------------ cluster

def cluster_env_base():
    env = dict(os.environ)
    for k in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS",
              "BUILDX_BUILDER", "BUILDKIT_HOST", "BUILDX_CONFIG", "DOCKER_CONFIG",
              "DOCKER_HOST", "DBAKE_STATE_DIR"):
        env.pop(k, None)
    env["DBAKE_CLUSTER_DIR"] = CLUSTER_DIR
    return env


def cluster(*args, capture=False):
    """Run tools/cluster with our state dir; its log lines go to stderr."""
    return subprocess.run([CLUSTER, *args], env=cluster_env_base(), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE if capture else sys.stderr,
                          text=True)


def running_layout():
    """max_parallelism of the bench cluster if it is up and alive, else None."""
    if cluster("status", capture=True).returncode != 0:
        return None
    try:
        with open(os.path.join(CLUSTER_DIR, "config")) as f:
            for line in f:
                if line.startswith("max_parallelism="):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return ""


def layout_arg(layout):
    return str(layout[0]) if len(set(layout)) == 1 else ",".join(map(str, layout))


def cluster_up(layout):
    want = layout_arg(layout)
    have = running_layout()
    if have is not None and have != want:
        progress(f"bench cluster is up with max-parallelism {have!r}; bringing it down for {want}")
        cluster("down")
    elif have is None and os.path.exists(CLUSTER_DIR):
        cluster("down")          # stale or half-dead: clean it
    progress(f"tools/cluster up --nodes {NODES} --arm64 0 --max-parallelism {want} "
             f"--name {BUILDER}  (DBAKE_CLUSTER_DIR={CLUSTER_DIR})")
    r = cluster("up", "--nodes", str(NODES), "--arm64", "0", "--max-parallelism", want,
                "--name", BUILDER, capture=True)
    if r.returncode != 0:
        raise SystemExit(f"bench: tools/cluster up failed (exit {r.returncode})")
    exports = {}
    for line in r.stdout.splitlines():
        parts = shlex.split(line)
        if len(parts) == 2 and parts[0] == "export" and "=" in parts[1]:
            k, v = parts[1].split("=", 1)
            exports[k] = v
    for k in ("DOCKER_CONFIG", "BUILDX_CONFIG", "BUILDX_BUILDER", "DOCKER_HOST",
              "DBAKE_TEST_REGISTRY", "DBAKE_TEST_NODES", "DBAKE_TEST_NODE_ADDRS"):
        if not exports.get(k):
            raise SystemExit(f"bench: tools/cluster up did not export {k}")
    if exports["BUILDX_BUILDER"] != BUILDER:
        raise SystemExit(f"bench: cluster builder is {exports['BUILDX_BUILDER']!r}, want {BUILDER!r}")
    # the hand-made split's builders: one per node, of that node alone
    env = cluster_env_base()
    env.update(exports)
    for i, addr in enumerate(exports["DBAKE_TEST_NODE_ADDRS"].split()):
        subprocess.run(["docker", "buildx", "rm", f"{BUILDER}-n{i}"], env=env,
                       capture_output=True)
        r = subprocess.run(["docker", "buildx", "create", "--name", f"{BUILDER}-n{i}",
                            "--driver", "remote", addr], env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"bench: cannot make the split's builder for {addr}: {r.stderr}")
    return exports


# ------------------------------------------------------------------ runs

def buildctl_path():
    cache = os.environ.get("DBAKE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.environ.get("HOME", "/root"), ".cache"),
        "dbake-testbed")
    p = os.path.join(cache, "bin", "buildctl")
    return p if os.access(p, os.X_OK) else shutil.which("buildctl")


def parse_ts(ts):
    """'2026-11-22T06:58:09.429316243Z' or '2026-11-22 06:58:03.585123979 +0000 UTC'
    -> epoch seconds (UTC)."""
    ts = ts.strip().replace("T", " ").replace(" +0000 UTC", "").rstrip("Z")
    base, _, frac = ts.partition(".")
    return dt.datetime.fromisoformat(base + "." + (frac + "000000")[:6]).replace(
        tzinfo=dt.timezone.utc).timestamp()


def builds_by_node(env, t_start, t_end):
    """{node: build requests} BuildKit recorded in this window (buildx history)."""
    try:
        r = subprocess.run(["docker", "buildx", "history", "ls", "--format", "json"],
                           env=env, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode != 0:
        return None
    nodes = {}
    for line in r.stdout.splitlines():
        try:
            rec = json.loads(line)
            when = parse_ts(rec["created_at"])
            node = rec["ref"].split("/")[1]
        except (ValueError, KeyError, TypeError, IndexError):
            continue
        if t_start - 0.5 <= when <= t_end + 0.5:
            nodes[node] = nodes.get(node, 0) + 1
    return nodes


def runs_by_node(buildctl, names, addrs, nonce, t_start, t_end):
    """{node: RUN steps of this nonce executed there in this window}: cache
    records 'mount / from exec ...<nonce>...' created during the run (a step
    imported from the registry cache or reused is not counted)."""
    if not buildctl:
        return None
    nodes = {}
    for name, addr in zip(names, addrs):
        try:
            r = subprocess.run([buildctl, "--addr", addr, "du", "-v"], stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if r.returncode != 0:
            return None
        n = 0
        for block in r.stdout.split("\n\n"):
            created = desc = ""
            for line in block.splitlines():
                k, _, v = line.partition(":")
                if k == "Created at":
                    created = v
                elif k == "Description":
                    desc = v
            if "from exec" not in desc or nonce not in desc or not created:
                continue
            try:
                if t_start - 0.5 <= parse_ts(created) <= t_end + 0.5:
                    n += 1
            except ValueError:
                continue
        nodes[name] = n
    return nodes


def per_node(counts, names):
    """'24/0/0/0' in the order of names, '?' if unknown."""
    if counts is None:
        return "?"
    return "/".join(str(counts.get(n, 0)) for n in names)


def per_node_csv(text, names):
    """'node0=24 node1=0 ...' for the CSV."""
    if text == "?":
        return "?"
    return " ".join(f"{n}={v}" for n, v in zip(names, text.split("/")))


def tool_summary(text):
    for line in reversed(text.splitlines()):
        if " built, " in line and " failed, " in line:
            return line.strip()
    return ""


def prune_nodes(exports):
    """Every cache of every node gone (docker buildx prune -a of each
    node's builder), for first runs that find nothing."""
    env = cluster_env_base()
    env.update(exports)
    for i in range(len(exports["DBAKE_TEST_NODE_ADDRS"].split())):
        subprocess.run(["docker", "buildx", "prune", "--builder", f"{BUILDER}-n{i}",
                        "-a", "-f"], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)


def run_once(argv, cwd, env):
    """Run one build; returns (seconds, rc, stdout, stderr, wall start, wall end).
    rc is 'timeout' on timeout. The child gets its own process group, which
    is what we stop on timeout or interruption (and nothing else)."""
    wall0 = time.time()
    t0 = time.monotonic()
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=RUN_TIMEOUT)
        rc = p.returncode
    except BaseException as e:
        stop_child(p)
        if isinstance(e, subprocess.TimeoutExpired):
            out, err = p.communicate()
            rc = "timeout"
        else:
            raise
    secs = time.monotonic() - t0
    wall1 = time.time()
    return secs, rc, out or "", err or "", wall0, wall1


def stop_child(p):
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


# ------------------------------------------------------------------ bench

class Bench:
    def __init__(self, args):
        self.args = args
        self.stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.bench_id = self.stamp + "-" + uuid.uuid4().hex[:6]
        self.tmp = tempfile.mkdtemp(prefix="dbake-bench-")
        self.failures = []           # (label, rc, log path, tail)
        self.results = {}            # key -> {mode: [run dicts]}
        self.firsts = {}             # key -> dbake's first runs (run dicts)
        self.split_firsts = {}       # key -> the split's first runs
        self.blinds = {}             # key -> Workload.blind(), worked out once
        self.csv_path = os.path.join(RESULTS, f"bench-{self.stamp}.csv")
        self.reports = os.path.join(RESULTS, f"bench-{self.stamp}-reports")
        os.makedirs(RESULTS, exist_ok=True)
        self.csv_file = open(self.csv_path, "w", newline="")
        self.csv = csv.writer(self.csv_file)
        self.csv.writerow(CSV_HEADER)
        # one binary for the whole run, even if build/ is rebuilt meanwhile
        self.buildctl = buildctl_path()
        self.dbake = os.path.join(self.tmp, "docker-dbake")
        shutil.copy2(DBAKE_BIN, self.dbake)
        with open(self.dbake, "rb") as f:
            self.dbake_sha = hashlib.sha256(f.read()).hexdigest()[:16]

    def row(self, *vals):
        assert len(vals) == len(CSV_HEADER), vals
        self.csv.writerow(vals)
        self.csv_file.flush()

    def command(self, mode, reg):
        if mode == "plain":
            return ["docker", "buildx", "bake", "--progress", "quiet", "-f", FILE]
        if mode == "split":
            return ["bash", "split.sh"]
        argv = [self.dbake, "--progress", "quiet"]
        if mode == "fifo":
            argv += ["--schedule", "fifo"]
        return argv + ["-f", FILE]

    def shown(self, argv):
        a = ["build/docker-dbake" if x == self.dbake else x for x in argv]
        return " ".join(shlex.quote(x) for x in a)

    def env_for(self, exports, state):
        env = cluster_env_base()
        env.update(exports)
        env["TMPDIR"] = os.path.join(self.tmp, "tmp")
        os.makedirs(env["TMPDIR"], exist_ok=True)
        if state:
            env["DBAKE_STATE_DIR"] = state
            os.makedirs(state, exist_ok=True)
        return env

    def one(self, w, mode, rep, nonce, exports, wdir, warmup=False, first=False,
            fresh=False):
        """Write the bake file with this nonce, run one mode, record it.
        first: dbake's first run, without history, in the state dir its
        measured runs then keep (fresh: a state dir of its own, as empty),
        or the split's first run (both timed on pruned nodes, shown apart
        from the median of the runs after them); rep numbers first runs."""
        reg = exports["DBAKE_TEST_REGISTRY"]
        with open(os.path.join(wdir, FILE), "w") as f:
            f.write(w.render(reg, nonce))
        sub = f"warmup-{mode}" if warmup and not first else mode
        if fresh:
            sub = f"{mode}-first{rep}"
        state = os.path.join(self.tmp, "state", w.key, sub) if mode != "plain" else None
        env = self.env_for(exports, state)
        argv = self.command(mode, reg)
        label = f"{w.key} {mode} " + (f"first run {rep}/{self.first_reps(w)}" if first
                                      else "warm-up" if warmup
                                      else f"rep {rep}/{self.args.reps}")
        daemons.settle(CLUSTER_DIR)
        load = os.getloadavg()[0]
        started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        secs, rc, out, err, w0, w1 = run_once(argv, wdir, env)
        names = exports["DBAKE_TEST_NODES"].split()
        builds = per_node(builds_by_node(env, w0, w1), names)
        runs = per_node(runs_by_node(self.buildctl, names, exports["DBAKE_TEST_NODE_ADDRS"].split(),
                                     nonce, w0, w1), names)
        summ = tool_summary(out + "\n" + err) if mode != "plain" else ""
        if mode != "plain":
            self.keep_report(out + "\n" + err, state, f"{w.key}-{mode}-"
                             + (self.first_name(rep) if first else "warmup" if warmup else f"r{rep}"))
        progress(f"{label}: {secs:.1f} s (exit {rc}); per node {'/'.join(names)}: "
                 f"builds {builds}, RUN steps executed {runs}" + (f"  [{summ}]" if summ else ""))
        if rc != 0:
            log = os.path.join(RESULTS, f"bench-{self.stamp}-{w.key}-{mode}-"
                               + (self.first_name(rep) if first else "warmup" if warmup else f"r{rep}")
                               + ".log")
            with open(log, "w") as f:
                f.write(f"command: {self.shown(argv)}\ncwd: {wdir}\nexit: {rc}\n"
                        f"seconds: {secs:.2f}\n--- stdout\n{out}\n--- stderr\n{err}\n")
            tail = "\n".join((err.strip() or out.strip()).splitlines()[-15:])
            self.failures.append((label, rc, log, tail))
            progress(f"{label} FAILED (exit {rc}); output in {log}")
        if mode != "dbake":
            history = ""                # plain and fifo read no history
        else:
            history = "none" if first or warmup else hist_of(rep)
        kind = "first" if first else "warmup" if warmup else "run"
        self.row(self.bench_id, w.key, layout_arg(w.layout), kind, mode,
                 rep if kind in ("run", "first") else "", f"{secs:.3f}", "", rc, f"{w.lower_bound():.3f}",
                 history, nonce, per_node_csv(builds, names), per_node_csv(runs, names), summ, f"{load:.2f}", started,
                 self.shown(argv))
        return {"secs": secs, "rc": rc, "builds": builds, "runs": runs, "summary": summ}

    def keep_report(self, text, state, name):
        """Copy dbake's report.json of the run, and its history as the run
        left it, next to the CSV (bench-<date>-reports/NAME.*.json): what a
        slow run did, node by node, stays readable after the bench."""
        for line in reversed(text.splitlines()):
            if line.startswith("report: ") and line.endswith("/report.html"):
                src = os.path.join(os.path.dirname(line[len("report: "):]), "report.json")
                break
        else:
            return
        os.makedirs(self.reports, exist_ok=True)
        for path, kind in ((src, "report"), (os.path.join(state, "history.json"), "history")):
            try:
                shutil.copyfile(path, os.path.join(self.reports, f"{name}.{kind}.json"))
            except OSError:
                pass

    def write_split(self, w, exports, wdir):
        """split.sh: the default group dealt round-robin by name, one
        plain bake per node, all at once; fails if one fails."""
        n = len(exports["DBAKE_TEST_NODE_ADDRS"].split())
        names = sorted(w.default)
        lines = ["#!/usr/bin/env bash", "# the hand-made split: a plain bake per node", "pids=()"]
        for i in range(n):
            mine = names[i::n]
            if mine:
                lines.append(f"docker buildx bake --progress quiet --builder {BUILDER}-n{i} "
                             f"-f {FILE} {' '.join(shlex.quote(t) for t in mine)} & pids+=($!)")
        lines += ["rc=0", 'for p in "${pids[@]}"; do wait "$p" || rc=1; done', "exit $rc"]
        with open(os.path.join(wdir, "split.sh"), "w") as f:
            f.write("\n".join(lines) + "\n")

    def workload(self, w, exports):
        wdir = os.path.join(self.tmp, "work", w.key)
        os.makedirs(wdir, exist_ok=True)
        for name, data in w.files.items():
            with open(os.path.join(wdir, name), "wb") as f:
                f.write(data)
        self.write_split(w, exports, wdir)
        progress(f"{w.key} {w.title}: {w.summary}; {w.lb_text()}")
        runs = {m: [] for m in self.modes}
        warm_nonce = f"{self.bench_id}-{w.key}-warm"
        first, split_first = [], []
        # W3's warm-up builds the cache; dbake's is its timed first run
        # (no history), whose state its measured runs keep. A cold
        # workload gives dbake first runs of their own, new nonce too.
        # A cold workload: the split and dbake each get first runs
        # (--first-reps, their order rotating like the runs after them)
        # on nodes pruned of every cache before each (the base image
        # too), so no first run finds what another left; dbake's first
        # runs after the first each get an empty state dir of their own
        ups = [m for m in self.modes if w.warm or m in ("dbake", "split")]
        for f in range(1, self.first_reps(w) + 1):
            k = (f - 1) % len(ups) if ups else 0
            for m in ups[k:] + ups[:k]:
                nonce = warm_nonce if w.warm else \
                    f"{self.bench_id}-{w.key}-{m}-{self.first_name(f)}"
                if not w.warm:
                    prune_nodes(exports)
                r = self.one(w, m, f, nonce, exports, wdir, warmup=True,
                             first=m == "dbake" or (m == "split" and not w.warm),
                             fresh=f > 1)
                if m == "dbake":
                    first.append(r)
                elif m == "split" and not w.warm:
                    split_first.append(r)
        self.firsts[w.key] = first
        self.split_firsts[w.key] = split_first
        # A node keeps what a builder synced of a build context, for its
        # next build to send only what changed; the prune before each
        # first run leaves that only to the mode whose first run came
        # last (on C, the split's first measured run took 4.2 s and
        # dbake's 5.2 on the same plan, dbake's next 4.1). Pruned once
        # more, each mode's first measured run sends the whole context,
        # its next ones what changed.
        if w.files and not w.warm and first + split_first:
            prune_nodes(exports)
        for rep in range(1, self.args.reps + 1):
            k = (rep - 1) % len(self.modes)
            order = self.modes[k:] + self.modes[:k]     # rotate the order
            for m in order:
                nonce = warm_nonce if w.warm else f"{self.bench_id}-{w.key}-{m}-r{rep}-{uuid.uuid4().hex[:6]}"
                runs[m].append(self.one(w, m, rep, nonce, exports, wdir))
        self.results[w.key] = runs
        # medians and ratios, to the CSV
        lb = w.lower_bound()
        med = {}
        for m in self.modes:
            ok = [r["secs"] for r in runs[m] if r["rc"] == 0]
            med[m] = statistics.median(ok) if ok else None
            self.row(self.bench_id, w.key, layout_arg(w.layout), "median", m, f"n={len(ok)}",
                     f"{med[m]:.3f}" if med[m] is not None else "",
                     f"{med[m] / lb:.3f}" if med[m] is not None and lb > 0 else "",
                     "", f"{lb:.3f}", "", "", "", "", "", "", "", "")
        for name, a, b in self.ratio_defs():
            r = ratio(med.get(a) if a != "LB" else lb, med.get(b) if b != "LB" else lb)
            self.row(self.bench_id, w.key, layout_arg(w.layout), "ratio", name, "", "",
                     f"{r:.3f}" if r is not None else "", "", f"{lb:.3f}",
                     "", "", "", "", "", "", "", "")
        self.print_workload(w, runs, med, first, exports)

    def first_reps(self, w):
        """First runs of each of dbake and the split: one on a warm
        workload (the runs after it find its cache)."""
        return 1 if w.warm else self.args.first_reps

    @staticmethod
    def first_name(f):
        return "first" if f == 1 else f"first{f}"

    def ratio_defs(self):
        defs = [("dbake/LB", "dbake", "LB"), ("plain/dbake", "plain", "dbake"),
                ("split/dbake", "split", "dbake"), ("fifo/dbake", "fifo", "dbake")]
        return [d for d in defs if all(x == "LB" or x in self.modes for x in d[1:])]

    def print_workload(self, w, runs, med, first, exports):
        names = exports["DBAKE_TEST_NODES"].split()
        p = print
        p(f"\n{w.key} {w.title}: {w.summary}")
        p(f"   nodes {'/'.join(names)} with max-parallelism {layout_arg(w.layout)}; {w.lb_text()}"
          + (f" ({w.lb_note})" if w.lb_note else ""))
        self.blinds[w.key] = w.blind()
        p(f"   blind = {self.blinds[w.key]:.2f} s: list scheduling that knows the graph, "
          "not one duration")
        for m in self.modes:
            vals = "  ".join(f"{r['secs']:6.1f}" + ("" if r["rc"] == 0 else f"(exit {r['rc']})")
                             for r in runs[m])
            md = f"{med[m]:6.1f}" if med[m] is not None else "  FAIL"
            rcs = ",".join(str(r["rc"]) for r in runs[m])
            p(f"   {m:<6} runs {vals}   median {md}   exit codes {rcs}")
            for i, r in enumerate(runs[m], 1):
                extra = f"   {r['summary']}" if r["summary"] else ""
                hist = f"  (history of {hist_of(i)})" if m == "dbake" else ""
                p(f"          run {i}: builds {r['builds']}, RUN steps executed {r['runs']}"
                  f"{hist}{extra}")
            for i, sf in enumerate(self.split_firsts[w.key] if m == "split" else [], 1):
                p(f"   split first run {i} (pruned nodes, not in the median): "
                  f"{sf['secs']:.1f} s, exit {sf['rc']}; builds {sf['builds']}, "
                  f"RUN steps executed {sf['runs']}")
            for i, fr in enumerate(first if m == "dbake" else [], 1):
                extra = f"   {fr['summary']}" if fr["summary"] else ""
                p(f"   dbake first run {i} (no history, not in the median): {fr['secs']:.1f}"
                  f" s, exit {fr['rc']}; builds {fr['builds']}, RUN steps executed "
                  f"{fr['runs']}{extra}")
        sys.stdout.flush()

    def table(self):
        firsts = "dbake" in self.modes and "split" in self.modes
        cols = ["LB", "blind", *self.modes] + (["dbake 1st", "1st/LB", "1st/blind",
                                                  "1st/dbake"]
                                      if "dbake" in self.modes else []) \
            + (["split 1st", "1st s/d"] if firsts else []) \
            + [d[0] for d in self.ratio_defs()]
        head = f"{'workload':<9} " + " ".join(f"{c:>11}" for c in cols)
        lines = [head]
        if any(k == "R" for k in self.results):
            lines.append(f"(R: random family, seed {workloads.SEED}; "
                         f"bench/bench.py --seed {workloads.SEED} repeats it)")
        partial = False
        for key, runs in self.results.items():
            w = workloads.get(key)
            lb = w.lower_bound()
            blind = self.blinds[key] if key in self.blinds else w.blind()
            med, cells = {}, [f"{lb:.1f}", f"{blind:.1f}"]
            for m in self.modes:
                ok = [r["secs"] for r in runs[m] if r["rc"] == 0]
                med[m] = statistics.median(ok) if ok else None
                if not ok:
                    cells.append("FAIL")
                elif len(ok) < len(runs[m]):
                    partial = True
                    cells.append(f"{med[m]:.1f}*")
                else:
                    cells.append(f"{med[m]:.1f}")
            if "dbake" in self.modes:
                f = self.firsts.get(key)
                fs = first_median(f)
                cells.append(first_cell(f, fs))
                partial |= cells[-1].endswith("*")
                for b in (lb, blind, med.get("dbake")):
                    r = ratio(fs, b)
                    cells.append(f"{r:.2f}" if r is not None else "n/a")
            if firsts:
                sf = self.split_firsts.get(key)
                ss = first_median(sf)
                cells.append(first_cell(sf, ss))
                partial |= cells[-1].endswith("*")
                r = ratio(ss, fs)
                cells.append(f"{r:.2f}" if r is not None else "n/a")
            for _, a, b in self.ratio_defs():
                r = ratio(lb if a == "LB" else med[a], lb if b == "LB" else med[b])
                cells.append(f"{r:.2f}" if r is not None else "n/a")
            lines.append(f"{key:<9} " + " ".join(f"{c:>11}" for c in cells))
        if partial:
            lines.append("* median of the successful runs only (a build failed, see below)")
        return "\n".join(lines)

    def run(self):
        a = self.args
        self.modes = [m for m in MODES if m in a.modes]
        keys = a.workloads
        groups = {}
        for k in keys:
            groups.setdefault(workloads.get(k).layout, []).append(k)
        p = print
        p(f"dbake benchmark {self.bench_id}: workloads {','.join(keys)}, {a.reps} runs per mode, "
          f"{a.first_reps} first runs of dbake and of the split per cold workload, "
          f"medians reported")
        p(f"   {NODES} local BuildKit nodes (tools/cluster, DBAKE_CLUSTER_DIR={CLUSTER_DIR}, "
          f"builder '{BUILDER}'); work is RUN sleep, limited by each node's max-parallelism")
        p(f"   dbake binary: build/docker-dbake (sha256 {self.dbake_sha}..., copied once for the "
          f"whole run); this machine: {os.cpu_count()} CPUs")
        p("   modes, run in the workload's directory (order rotates between repetitions):")
        for m in self.modes:
            p(f"     {m:<6} {self.shown(self.command(m, '$DBAKE_TEST_REGISTRY'))}")
        if "fifo" in self.modes or "dbake" in self.modes:
            p("   fifo and dbake run with their defaults (no --cache-registry, no --slots): "
              "fifo is one build per node by name, as the earlier tool did")
            p("   dbake keeps its state (history, shards) in a fresh DBAKE_STATE_DIR per workload "
              "and mode; dbake's first run there (no history) is timed and shown apart "
              "('dbake 1st'), its measured runs use what the runs before taught it, as a "
              "user's next builds do; fifo reads no history")
        p("   cold workloads: before the first run of split and of dbake, every node's cache "
          "is pruned (docker buildx prune -a, the base image too): 'split 1st' and 'dbake 1st' "
          "find nothing, as on fresh nodes ('1st s/d': split 1st / dbake 1st)")
        p("   cold workloads get a new nonce in every RUN for every single run; W3 is warmed by "
          "one build per mode (untimed for plain and fifo, dbake's first run for dbake), "
          "then reuses its nonce")
        p("   LB = max(critical path, distinct work / total capacity)")
        p("   blind = what knowing no duration costs, as a first run knows none: the mean "
          "makespan of list scheduling on the pooled capacity, longest chain of steps "
          "first, ties in 2000 random orders, no start-up (bench/workloads.py: "
          "Workload.blind); a first run is judged against it too ('1st/blind')")
        p("   per node: 'builds' = build requests in BuildKit's history during the run; "
          "'RUN steps executed' = RUN steps of the run's nonce that the node really ran "
          "(cache records created during the run; not cache hits, not registry imports)")
        sys.stdout.flush()
        exports = None
        for layout, ks in groups.items():
            exports = cluster_up(layout)
            for k in ks:
                self.workload(workloads.get(k), exports)
        p("\n" + self.table())
        if a.child_cost:
            # what a run costs the client per target, as the project grows
            p(f"\nclient CPU per target (dbake and every child it waits for, "
              f"against plain bake; N independent RUN echo targets, first run "
              f"then cached): bench/child_cost.py {' '.join(map(str, a.child_cost))}")
            sys.stdout.flush()
            env = cluster_env_base()
            env.update(exports or cluster_up(workloads.LAYOUT_EVEN))
            subprocess.run([sys.executable, os.path.join(HERE, "child_cost.py"),
                            "--dbake", self.dbake, *map(str, a.child_cost)], env=env,
                           stdin=subprocess.DEVNULL, timeout=3600)
        sim = os.path.join(TOP, "build", "dbake-sim")
        if os.access(sim, os.X_OK):
            # the same shapes in the simulator: dbake's decisions on a model
            # of these nodes, a first run and the runs after it
            out = subprocess.run([sim, "--dbake-table"], capture_output=True,
                                 text=True, timeout=300)
            p(out.stdout.rstrip())
        total = time.monotonic() - T0
        p(f"\nmedian of {a.reps} wall times in seconds (first runs of a cold workload: "
          f"median of {a.first_reps}); total bench time {total / 60:.1f} min")
        self.row(self.bench_id, "", "", "total", "", "", f"{total:.1f}", "", "", "", "", "",
                 "", "", "", "", "", "")
        p(f"raw runs and medians: {os.path.relpath(self.csv_path, TOP)}")
        if os.path.isdir(self.reports):
            p(f"report and history after each fifo and dbake run: "
              f"{os.path.relpath(self.reports, TOP)}/")
        if self.failures:
            p(f"\n{len(self.failures)} build(s) FAILED:")
            for label, rc, log, tail in self.failures:
                p(f"  {label}: exit {rc}, full output in {os.path.relpath(log, TOP)}")
                for line in tail.splitlines():
                    p(f"      | {line}")
            p(f"  dbake's per-target logs are kept under {self.tmp}/tmp")
        sys.stdout.flush()
        return 1 if self.failures else 0

    def close(self):
        self.csv_file.close()
        if not self.failures:
            shutil.rmtree(self.tmp, ignore_errors=True)


def hist_of(rep):
    return ("the first run" if rep == 1 else "the first run and run 1" if rep == 2
            else f"the first run and runs 1-{rep - 1}")


def first_median(firsts):
    """The median of the first runs that succeeded, or None."""
    ok = [r["secs"] for r in firsts or [] if r["rc"] == 0]
    return statistics.median(ok) if ok else None


def first_cell(firsts, secs):
    """A table cell for first runs and their median: '*' when some
    failed (the median is then of the others)."""
    if not firsts:
        return "n/a"
    if secs is None:
        return "FAIL"
    return f"{secs:.1f}" + ("*" if any(r["rc"] != 0 for r in firsts) else "")


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return None
    return a / b


def main():
    ap = argparse.ArgumentParser(description="benchmark docker dbake against plain bake "
                                 "on a local 4-node BuildKit cluster")
    ap.add_argument("--workloads", default=",".join([*workloads.WORKLOADS, "R"]),
                    help="comma-separated subset of %(default)s (R: a random "
                    "family, a new seed each bench)")
    ap.add_argument("--seed", type=int, help="the random family's seed (printed by "
                    "every bench)")
    ap.add_argument("--reps", type=int, default=3, help="runs per mode (default 3)")
    ap.add_argument("--first-reps", type=int, help="first runs of dbake and of the "
                    "split on a cold workload, each on pruned nodes, dbake's with an "
                    "empty state dir; their median is shown (default: --reps)")
    ap.add_argument("--modes", default=",".join(MODES),
                    help="comma-separated subset of %(default)s")
    ap.add_argument("--child-cost", default="30,200,1000",
                    help="project sizes for the client's CPU per target "
                    "(bench/child_cost.py); empty: skip")
    ap.add_argument("--keep-cluster", action="store_true",
                    help="leave the bench cluster up at the end")
    a = ap.parse_args()
    a.workloads = [k.strip().upper() for k in a.workloads.split(",") if k.strip()]
    bad = [k for k in a.workloads if k not in workloads.WORKLOADS and k != "R"]
    if a.seed is not None:
        workloads.SEED = a.seed
    a.child_cost = [int(x) for x in a.child_cost.split(",") if x.strip()]
    if bad or not a.workloads:
        ap.error(f"unknown workload(s) {','.join(bad)}; known: {','.join(workloads.WORKLOADS)}")
    a.modes = [m.strip() for m in a.modes.split(",") if m.strip()]
    if not a.modes or any(m not in MODES for m in a.modes):
        ap.error(f"--modes: choose among {','.join(MODES)}")
    if a.reps < 1:
        ap.error("--reps must be at least 1")
    if a.first_reps is None:
        a.first_reps = a.reps
    if a.first_reps < 1:
        ap.error("--first-reps must be at least 1")
    if not os.access(DBAKE_BIN, os.X_OK):
        sys.exit(f"bench: {DBAKE_BIN} missing; run make first")
    if os.geteuid() != 0:
        sys.exit("bench: tools/cluster needs root")

    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    b = Bench(a)
    rc = 1
    try:
        rc = b.run()
    except (KeyboardInterrupt, Stop) as e:
        progress(f"interrupted ({e or 'SIGINT'}); partial results in {b.csv_path}")
        if b.results:
            print("\n(interrupted; finished workloads only)\n" + b.table(), flush=True)
        rc = 130
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        b.close()
        if a.keep_cluster:
            progress(f"--keep-cluster: the bench cluster stays up "
                     f"(DBAKE_CLUSTER_DIR={CLUSTER_DIR} tools/cluster down)")
        else:
            progress("tools/cluster down")
            cluster("down")
        progress(f"done in {(time.monotonic() - T0) / 60:.1f} min")
    sys.exit(rc)


if __name__ == "__main__":
    main()
