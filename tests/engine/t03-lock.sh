#!/usr/bin/env bash
# Waiting for another dbake's shard store lock: Ctrl+C ends the wait at
# once (exit 130), and the wait has a timeout naming the holder's pid.
. "$(dirname "$0")/lib.sh"

world
targets a b
run_dbake
check "a first run makes the store (exit $RC)" [ "$RC" -eq 0 ]
lock=$XDG_STATE_HOME/dbake/buildx/dbake.lock
check "the store has its lock file" test -f "$lock"

# hold the lock as another dbake would, our pid in it
exec 9<>"$lock"
flock 9
echo $$ >"$lock"

nbuilds=$(builds | wc -l)
"$DBAKE" dbake --progress plain >"$W/out" 2>&1 &
pid=$!
wait_for 10 grep -q "waiting for another dbake (pid $$)" "$W/out"
check "the wait names the holder" grep -q "waiting for another dbake (pid $$)" "$W/out"
interrupt "$pid"
check "Ctrl+C while waiting for the lock: exit 130 (got $RC)" [ "$RC" -eq 130 ]
check "Ctrl+C while waiting for the lock: at once (${MS} ms)" [ "$MS" -lt 1000 ]
check "nothing was built while waiting" [ "$(builds | wc -l)" -eq "$nbuilds" ]

DBAKE_LOCK_TIMEOUT=1 run_dbake
check "the wait times out: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "the timeout names the holder" grep -q "still locked by another dbake (pid $$) after 1 s" <<<"$ERR"

# let go: the next run proceeds
flock -u 9
exec 9<&-
run_dbake
check "once the lock is free, the run goes on (exit $RC)" [ "$RC" -eq 0 ]
