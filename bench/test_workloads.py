#!/usr/bin/env python3
"""Checks of the benchmark's work model (bench/workloads.py): its lower
bound and its blind reference. TAP on stdout; run by tests/run --unit."""
import heapq
import itertools
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402
from workloads import Step, Target, Workload  # noqa: E402

results = []


def check(name, cond, detail=""):
    results.append(cond)
    print(("ok - " if cond else "not ok - ") + name)
    if not cond and detail:
        print("# " + detail)


def model(steps, layout):
    """A workload of the given steps, one target per sink step."""
    used = {d for s in steps.values() for d in s.deps}
    targets = {k: Target(dockerfile="", steps=[k]) for k in steps if k not in used}
    return Workload(key="T", title="t", summary="", layout=layout, warm=False,
                    targets=targets, steps=steps, default=list(targets))


chain = model({"a": Step(2), "b": Step(3, ("a",)), "c": Step(1, ("b",))}, (2, 2))
check("a chain: LB and blind are its length",
      chain.lower_bound() == 6 and abs(chain.blind() - 6) < 1e-9,
      f"LB {chain.lower_bound()}, blind {chain.blind()}")

even = model({f"s{i}": Step(3) for i in range(4)}, (2, 2))
check("as many equal jobs as places: blind is LB", abs(even.blind() - 3) < 1e-9,
      f"blind {even.blind()}")

# two long jobs and four short ones on two places: blind must sometimes
# start a long one late, LPT never does
mixed = model({"l1": Step(4), "l2": Step(4), **{f"s{i}": Step(1) for i in range(4)}},
              (1, 1))
b = mixed.blind()
check("unknown durations cost: LB < blind < the worst order",
      mixed.lower_bound() == 6 and 6 < b < 8, f"LB {mixed.lower_bound()}, blind {b}")
# the exact mean: list scheduling over the 15 places the two long jobs
# can take among the six
spans = []
for pos in itertools.combinations(range(6), 2):
    durs = [4 if i in pos else 1 for i in range(6)]
    h = [0.0, 0.0]
    for d in durs:
        heapq.heappush(h, heapq.heappop(h) + d)
    spans.append(max(h))
exact = sum(spans) / len(spans)
check("blind is the mean over orders (brute force %.3f)" % exact,
      abs(b - exact) < 0.15, f"blind {b}, exact {exact}")

check("same seed, same blind", mixed.blind(seed=3) == mixed.blind(seed=3))

w1 = workloads.get("W1")
lb, b = w1.lower_bound(), w1.blind()
graham = 60 / 8 + (1 - 1 / 8) * 8
check("W1: LB 8 < blind <= Graham's bound", lb == 8 and 8 < b <= graham,
      f"LB {lb}, blind {b}, Graham {graham}")

diamond = model({"a": Step(1), "b": Step(5, ("a",)), "c": Step(1, ("a",)),
                 "d": Step(1, ("b", "c"))}, (1,))
check("a diamond on one place: blind is its work",
      abs(diamond.blind() - 8) < 1e-9, f"blind {diamond.blind()}")

# the random family as dbake-sim --family reads it
text = workloads.sim_family(range(7, 10))
lines = text.splitlines()
ok, at = True, 0
for seed in (7, 8, 9):
    w = workloads.random_family(seed)
    names = list(w.targets)
    head = lines[at].split()
    ok &= head == [str(seed), str(len(names)), *map(str, w.layout)]
    for k, name in enumerate(names, at + 1):
        f = lines[k].split()
        step = w.steps[name]
        ok &= (float(f[0]) == step.seconds and int(f[1]) == len(step.deps) and
               [names[int(x)] for x in f[2:]] == list(step.deps))
    at += 1 + len(names)
check("--sim-family: each seed's capacities, durations and dependencies",
      ok and at == len(lines))
check("--sim-family: seed ranges",
      list(workloads.seed_range("3-5")) == [3, 4, 5] and
      list(workloads.seed_range("7")) == [7])

sim = os.environ.get("DBAKE_SIM", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "build-asan", "dbake-sim"))
if os.access(sim, os.X_OK):
    p = subprocess.run([sim, "--family", "-"], input=text, text=True,
                       capture_output=True)
    rows = [l.split() for l in p.stdout.splitlines()[1:4]]
    ratios = [float(x) for r in rows for x in r[4:7]]
    check("dbake-sim --family: a line a seed, no run under LB",
          p.returncode == 0 and [r[0] for r in rows] == ["7", "8", "9"] and
          len(ratios) == 9 and min(ratios) >= 1.0 and
          p.stdout.splitlines()[4].startswith("3 workloads: first runs "),
          p.stdout + p.stderr)
    bad = subprocess.run([sim, "--family", "-"], input="1 2 1 1 1 1\n1.0 5 0\n",
                         text=True, capture_output=True)
    check("dbake-sim --family: malformed input, exit 2 and why",
          bad.returncode == 2 and "malformed" in bad.stderr, bad.stderr)
else:
    check("dbake-sim is built (%s)" % sim, False)

print("1..%d" % len(results))
sys.exit(0 if all(results) else 1)
