#!/usr/bin/env python3
"""Benchmark workloads for `docker dbake` (used by bench/bench.py).

Every workload is a bake file (HCL) whose work is `RUN ... sleep D` steps of
known duration, so the nodes' capacity (max-parallelism), not this machine's
cores, is what limits a build. Each RUN command carries a nonce: a new nonce
makes every step a cache miss (cold run), the same nonce again makes them
cache hits (warm run).

Besides the bake file, a workload carries a work model: the steps, their
durations and dependencies, with identical steps (same id) counted once.
From it comes the physical lower bound of a run:

    LB = max(critical path, distinct work / total node capacity)

Run it alone to see a workload:  python3 bench/workloads.py W2 [--registry R]
"""

import argparse
import heapq
import json
import random
import sys
from dataclasses import dataclass, field

BASE = "{reg}/base/busybox"

# Cluster layouts (max-parallelism per node) the workloads run on.
LAYOUT_EVEN = (2, 2, 2, 2)
LAYOUT_UNEVEN = (3, 1, 1, 1)


@dataclass
class Target:
    dockerfile: str                     # template: {reg} and {nonce}
    contexts: dict = field(default_factory=dict)   # name -> "target:other"
    tags: list = field(default_factory=list)       # templates: {reg}
    steps: list = field(default_factory=list)      # ids of its final steps


@dataclass
class Step:
    seconds: float
    deps: tuple = ()


@dataclass
class Workload:
    key: str
    title: str
    summary: str
    layout: tuple                       # max-parallelism per node
    warm: bool                          # measured runs reuse one nonce
    targets: dict                       # name -> Target (insertion order kept)
    steps: dict                         # step id -> Step
    default: list                       # bake's default group
    lb_note: str = ""
    files: dict = field(default_factory=dict)  # path -> bytes, in its directory

    # ---- the work model ------------------------------------------------

    def _reachable(self):
        seen, todo = set(), [s for t in self.targets.values() for s in t.steps]
        while todo:
            s = todo.pop()
            if s in seen:
                continue
            seen.add(s)
            todo.extend(self.steps[s].deps)
        return seen

    def work(self):
        """Seconds of distinct work (identical steps counted once)."""
        return sum(self.steps[s].seconds for s in self._reachable())

    def critical_path(self):
        memo = {}

        def finish(s):
            if s not in memo:
                st = self.steps[s]
                memo[s] = st.seconds + max((finish(d) for d in st.deps), default=0.0)
            return memo[s]

        return max((finish(s) for s in self._reachable()), default=0.0)

    def capacity(self):
        return sum(self.layout)

    def lower_bound(self):
        return max(self.critical_path(), self.work() / self.capacity())

    def blind(self, runs=2000, seed=0):
        """What knowing no duration costs: the mean makespan of list
        scheduling on the pooled capacity (no start-up, no transfer)
        that knows the graph but not one duration. Ready steps go
        longest chain of steps first (as dbake's first run ranks them),
        ties in a random order, `runs` orders. A reference, not a bound:
        a first run is judged against it as well as against LB."""
        reach = self._reachable()
        deps = {s: [d for d in self.steps[s].deps if d in reach] for s in reach}
        kids = {s: [] for s in reach}
        for s in reach:
            for d in deps[s]:
                kids[d].append(s)
        hops = {}

        def depth(s):
            if s not in hops:
                hops[s] = 1 + max((depth(k) for k in kids[s]), default=0)
            return hops[s]

        order = sorted(reach)
        rnd = random.Random(seed)
        cap, total = self.capacity(), 0.0
        for _ in range(runs):
            tie = {s: rnd.random() for s in order}
            need = {s: len(deps[s]) for s in order}
            ready = [(-depth(s), tie[s], s) for s in order if not need[s]]
            heapq.heapify(ready)
            running, now, free = [], 0.0, cap
            while ready or running:
                while free and ready:
                    _, _, s = heapq.heappop(ready)
                    heapq.heappush(running, (now + self.steps[s].seconds, s))
                    free -= 1
                now, s = heapq.heappop(running)
                free += 1
                for k in kids[s]:
                    need[k] -= 1
                    if not need[k]:
                        heapq.heappush(ready, (-depth(k), tie[k], k))
            total += now
        return total / runs

    def lb_text(self):
        return (f"LB = max(critical path {self.critical_path():g} s, "
                f"work {self.work():g} s / capacity {self.capacity()}) "
                f"= {self.lower_bound():.2f} s")

    # ---- the bake file -------------------------------------------------

    def render(self, registry, nonce):
        """The docker-bake.hcl text for one run."""
        def q(s):
            # JSON string escapes are valid HCL escapes; no "${" or "%{"
            # ever appears in the generated text.
            out = json.dumps(s)
            assert "${" not in out and "%{" not in out, out
            return out

        lines = [f"# generated by bench/workloads.py: {self.key} {self.title}, nonce {nonce}",
                 "",
                 'group "default" {',
                 f"  targets = [{', '.join(q(t) for t in self.default)}]",
                 "}"]
        for name, t in self.targets.items():
            lines.append("")
            lines.append(f"target {q(name)} {{")
            df = t.dockerfile.format(reg=registry, nonce=nonce)
            lines.append(f"  dockerfile-inline = {q(df)}")
            if t.contexts:
                ctx = ", ".join(f"{k} = {q(v)}" for k, v in t.contexts.items())
                lines.append(f"  contexts = {{ {ctx} }}")
            if t.tags:
                tags = ", ".join(q(x.format(reg=registry)) for x in t.tags)
                lines.append(f"  tags = [{tags}]")
            lines.append("}")
        return "\n".join(lines) + "\n"


def _sleep_target(name, secs):
    df = (f"FROM {BASE}\n"
          f"RUN echo {{nonce}}-{name} > /id && sleep {secs}\n")
    return Target(dockerfile=df, steps=[name])


# ------------------------------------------------------------------- W1 / W5

def _heterogeneous(key, layout, title):
    # 24 targets: 10 x 1 s, 7 x 2 s, 5 x 4 s, 2 x 8 s = 60 s. Durations are
    # shuffled over neutral names (fixed seed), so alphabetical order (fifo)
    # is neither best nor worst case.
    durs = [1] * 10 + [2] * 7 + [4] * 5 + [8] * 2
    random.Random(1).shuffle(durs)
    targets, steps = {}, {}
    for i, d in enumerate(durs, 1):
        name = f"svc-{i:02d}"
        targets[name] = _sleep_target(name, d)
        steps[name] = Step(d)
    return Workload(
        key=key, title=title,
        summary="24 independent distinct targets, RUN sleep 1/2/4/8 s "
                "(10/7/5/2 targets, 60 s of work)",
        layout=layout, warm=False, targets=targets, steps=steps,
        default=list(targets))


# ------------------------------------------------------------------- W2

# name: (seconds, [dependencies]); the first dependency is the FROM, the
# others are COPY --from (fan-in). Depth 6 (base -> libnet -> libdb ->
# api -> gateway -> e2e).
_W2 = {
    "base":      (2, []),
    "tools":     (1, []),
    "runtime":   (3, ["base"]),
    "compiler":  (2, ["tools"]),
    "libcore":   (1, ["base"]),
    "libnet":    (4, ["base", "tools"]),
    "benchtool": (3, ["tools"]),
    "libdb":     (2, ["libcore", "libnet"]),
    "libui":     (3, ["runtime"]),
    "libauth":   (1, ["libcore"]),
    "sdk":       (2, ["compiler", "libcore"]),
    "api":       (3, ["runtime", "libdb", "libauth"]),
    "web":       (2, ["libui"]),
    "worker":    (4, ["libdb"]),
    "cli":       (1, ["sdk"]),
    "plugin":    (2, ["sdk", "libnet"]),
    "gateway":   (2, ["api", "web"]),
    "jobs":      (1, ["worker"]),
    "docs":      (1, ["cli", "web"]),
    "e2e":       (2, ["gateway", "jobs", "plugin"]),
}


def _dag():
    targets, steps = {}, {}
    for name, (secs, deps) in _W2.items():
        lines = [f"FROM {deps[0] if deps else BASE}"]
        for d in deps[1:]:
            lines.append(f"COPY --from={d} /out/{d} /out/{d}")
        lines.append(f"RUN mkdir -p /out && echo {{nonce}}-{name} > /out/{name} && sleep {secs}")
        targets[name] = Target(dockerfile="\n".join(lines) + "\n",
                               contexts={d: f"target:{d}" for d in deps},
                               steps=[name])
        steps[name] = Step(secs, tuple(deps))
    return Workload(
        key="W2", title="DAG",
        summary=f"{len(targets)} targets linked by target: contexts (FROM / "
                "COPY --from), depth 6, fan-out and fan-in, RUN sleep 1-4 s",
        layout=LAYOUT_EVEN, warm=False, targets=targets, steps=steps,
        default=list(targets))


# ------------------------------------------------------------------- W3

def _light():
    targets = {"w3-base": Target(
        dockerfile=f"FROM {BASE}\nRUN echo {{nonce}}-w3-base > /base\n",
        steps=["w3-base"])}
    steps = {"w3-base": Step(0)}
    names = [f"light-{i:02d}" for i in range(1, 31)]
    for name in names:
        targets[name] = Target(
            dockerfile=f"FROM base\nRUN echo {{nonce}}-{name} > /id\n",
            contexts={"base": "target:w3-base"}, steps=[name])
        steps[name] = Step(0, ("w3-base",))
    return Workload(
        key="W3", title="light, warm cache",
        summary="30 cheap targets (RUN echo, no sleep) FROM one base target "
                "(target: context); cache warm: one build per mode first "
                "(dbake's is its first run), same nonce for every measured run",
        layout=LAYOUT_EVEN, warm=True, targets=targets, steps=steps,
        default=names,
        lb_note="no sleep: LB is 0, ratios to LB are not meaningful")


# ------------------------------------------------------------------- W4

def _duplicates():
    sets = ["A"] * 12 + ["B"] * 9 + ["C"] * 6 + ["D"] * 3
    random.Random(4).shuffle(sets)
    steps = {}
    for s in "ABCD":
        for i in range(1, 5):
            steps[f"{s}-part{i}"] = Step(2)
        steps[f"{s}-join"] = Step(0, tuple(f"{s}-part{i}" for i in range(1, 5)))

    def dockerfile(s):
        lines = []
        for i in range(1, 5):
            lines.append(f"FROM {BASE} AS part{i}")
            lines.append(f"RUN echo {{nonce}}-set{s}-part{i} > /part{i} && sleep 2")
        lines.append(f"FROM {BASE}")
        for i in range(1, 5):
            lines.append(f"COPY --from=part{i} /part{i} /part{i}")
        return "\n".join(lines) + "\n"

    targets = {}
    for i, s in enumerate(sets, 1):
        name = f"app-{i:02d}"
        targets[name] = Target(dockerfile=dockerfile(s),
                               tags=[f"{{reg}}/bench/w4-{name}:latest"],
                               steps=[f"{s}-join"])
    return Workload(
        key="W4", title="duplicates",
        summary="30 targets from 4 distinct step sets (12/9/6/3 targets); a "
                "set = 4 independent RUN sleep 2 stages joined by COPY --from "
                "(8 s of work); targets differ only by name and tag",
        layout=LAYOUT_EVEN, warm=False, targets=targets, steps=steps,
        default=list(targets),
        lb_note="identical steps counted once")


# ------------------------------------------------------------------- R

def random_family(seed):
    """A workload no constant was tuned on: a random DAG of 24-36 targets
    (each FROM the base or an earlier target, maybe a COPY --from of
    another), lognormal durations (median 2 s), on nodes of random
    capacities (1-3). A new seed each bench; the seed is printed."""
    rnd = random.Random(seed)
    n = rnd.randint(24, 36)
    layout = tuple(rnd.randint(1, 3) for _ in range(4))
    targets, steps = {}, {}
    names = [f"r{i:02d}" for i in range(1, n + 1)]
    for i, name in enumerate(names):
        secs = round(min(10.0, max(0.5, rnd.lognormvariate(0.7, 0.8))) * 2) / 2
        deps = []
        if i and rnd.random() < 0.45:
            deps.append(names[rnd.randrange(i)])
            if rnd.random() < 0.3:
                other = names[rnd.randrange(i)]
                if other not in deps:
                    deps.append(other)
        lines = [f"FROM {deps[0] if deps else BASE}"]
        for d in deps[1:]:
            lines.append(f"COPY --from={d} /out/{d} /out/{d}")
        lines.append(f"RUN mkdir -p /out && echo {{nonce}}-{name} > /out/{name} && sleep {secs:g}")
        targets[name] = Target(dockerfile="\n".join(lines) + "\n",
                               contexts={d: f"target:{d}" for d in deps}, steps=[name])
        steps[name] = Step(secs, tuple(deps))
    return Workload(
        key="R", title=f"random (seed {seed})",
        summary=f"{n} targets, a random DAG (FROM / COPY --from of earlier targets), "
                f"lognormal RUN sleep 0.5-10 s, node capacities {','.join(map(str, layout))}",
        layout=layout, warm=False, targets=targets, steps=steps, default=names)


# ------------------------------------------------------------------- C

def _context():
    """20 targets that send one 50 MB build context: what shipping a
    context to several nodes costs (the LB counts only the RUN steps)."""
    rnd = random.Random(50)
    blob = rnd.randbytes(50 << 20)          # incompressible
    targets, steps = {}, {}
    for i in range(1, 21):
        name = f"ctx-{i:02d}"
        targets[name] = Target(
            dockerfile=(f"FROM {BASE}\nCOPY big.bin /big.bin\n"
                        f"RUN echo {{nonce}}-{name} > /id && sleep 1\n"),
            steps=[name])
        steps[name] = Step(1)
    return Workload(
        key="C", title="shared 50 MB context",
        summary="20 targets, each COPY of one 50 MB file of the build context, then "
                "RUN sleep 1",
        layout=LAYOUT_EVEN, warm=False, targets=targets, steps=steps,
        default=list(targets), files={"big.bin": blob},
        lb_note="LB counts the RUN steps only, not sending the context")


def set_of(workload, target):
    """W4: which step set a target belongs to (for reports)."""
    return workload.targets[target].steps[0].split("-")[0]


WORKLOADS = {
    "W1": lambda: _heterogeneous("W1", LAYOUT_EVEN, "heterogeneous"),
    "W2": _dag,
    "W3": _light,
    "W4": _duplicates,
    "W5": lambda: _heterogeneous("W5", LAYOUT_UNEVEN, "uneven nodes (W1 on 3,1,1,1)"),
    "C": _context,
}

# the random family's seed: a new one each bench (bench.py --seed repeats one)
SEED = random.SystemRandom().randrange(1 << 30)


def get(key):
    if key == "R":
        return random_family(SEED)
    return WORKLOADS[key]()


def sim_family(seeds):
    """The random family's seeds as dbake-sim --family reads them: a line
    "SEED NJOBS CAP CAP CAP CAP", then "SECONDS NDEPS DEP..." per target
    (dependencies by index)."""
    out = []
    for seed in seeds:
        w = random_family(seed)
        names = list(w.targets)
        out.append(" ".join(map(str, [seed, len(names), *w.layout])))
        for name in names:
            step = w.steps[name]
            out.append(" ".join(map(str, [step.seconds, len(step.deps),
                                          *[names.index(d) for d in step.deps]])))
    return "\n".join(out) + "\n"


def seed_range(text):
    """"1-200" or "7": the seeds, inclusive."""
    lo, _, hi = text.partition("-")
    try:
        lo, hi = int(lo), int(hi or lo)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a seed or FROM-TO: {text!r}")
    if lo > hi:
        raise argparse.ArgumentTypeError(f"an empty range: {text!r}")
    return range(lo, hi + 1)


def main():
    ap = argparse.ArgumentParser(description="print a benchmark workload")
    ap.add_argument("workload", nargs="?", choices=sorted([*WORKLOADS, "R"]))
    ap.add_argument("--registry", default="REGISTRY")
    ap.add_argument("--nonce", default="NONCE")
    ap.add_argument("--sim-family", type=seed_range, metavar="SEEDS",
                    help="print the random family's seeds (N or FROM-TO) "
                         "for build/dbake-sim --family -")
    a = ap.parse_args()
    if a.sim_family is not None:
        sys.stdout.write(sim_family(a.sim_family))
        return
    if a.workload is None:
        ap.error("a workload, or --sim-family SEEDS")
    w = get(a.workload)
    sys.stdout.write(w.render(a.registry, a.nonce))
    print(f"# {w.key} {w.title}: {w.summary}", file=sys.stderr)
    print(f"# layout {','.join(map(str, w.layout))}: {w.lb_text()}", file=sys.stderr)


if __name__ == "__main__":
    main()
