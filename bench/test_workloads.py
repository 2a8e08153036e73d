#!/usr/bin/env python3
"""Checks of the benchmark's work model (bench/workloads.py): its lower
bound and its blind reference. TAP on stdout; run by tests/run --unit."""
import heapq
import itertools
import os
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

print("1..%d" % len(results))
sys.exit(0 if all(results) else 1)
