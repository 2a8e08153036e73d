"""The test bed's BuildKit daemons, seen from /proc: how much CPU they
have used, and waiting until they are idle between timed runs."""
import os
import time


def cpu_seconds(cluster_dir):
    """CPU seconds the buildkitd processes of the bed in `cluster_dir`
    have used so far."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().split(b"\0")
            if (not cmd[0].endswith(b"buildkitd")
                    or cluster_dir.encode() not in b" ".join(cmd)):
                continue
            with open("/proc/%s/stat" % pid) as f:
                st = f.read().rsplit(")", 1)[1].split()
            total += (int(st[11]) + int(st[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


# BuildKit writes a build's trace into its history record this long
# after the build ends (llbsolver's recordBuildHistory: 3 s, unless the
# client finalizes the record sooner), and only then works on it.
TRACE_DELAY = 3.0


def settle(cluster_dir, limit=60.0):
    """Wait until the daemons are idle (under a tenth of a CPU over a
    second, once TRACE_DELAY and a second have passed), at most `limit`
    seconds: what a run leaves them doing (a bake's trace, written into
    its builds' history records seconds after it ends) is not the next
    run's cost. Then what it wrote and the kernel still holds is written
    out (a run of C leaves 20 copies of a 50 MB file in the nodes' state
    dirs), so that no run starts with another's writes pending; whether
    they slowed the next run was not measured. Returns the seconds
    waited."""
    t0 = time.monotonic()
    time.sleep(TRACE_DELAY)
    while time.monotonic() - t0 < limit:
        before = cpu_seconds(cluster_dir)
        time.sleep(1.0)
        if cpu_seconds(cluster_dir) - before < 0.1:
            break
    os.sync()
    return time.monotonic() - t0
