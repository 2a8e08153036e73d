#!/usr/bin/env bash
# Odd names and odd output: nothing stops a build or loses its log.
. "$(dirname "$0")/lib.sh"
project
cat >docker-bake.hcl <<HCL
group "default" { targets = ["-dash", "UPPER_lower-9", "noisy"] }
target "-dash" {
  dockerfile-inline = "FROM $BASE\nRUN echo dash-$NONCE\n"
}
target "UPPER_lower-9" {
  dockerfile-inline = "FROM $BASE\nRUN echo upper-$NONCE\n"
}
target "noisy" {
  dockerfile = "noisy.Dockerfile"
}
HCL
cat >noise.sh <<'SH'
echo "noisy-$1"
head -c 20000 /dev/urandom
printf '\000\377\376 not utf-8\n'
head -c 100000 /dev/zero | tr '\000' x
echo
echo "noisy-end-$1"
SH
cat >noisy.Dockerfile <<DF
FROM $BASE
COPY noise.sh /noise.sh
RUN sh /noise.sh $NONCE
DF
run_dbake
check "odd names and binary output: exit 0" [ "$RC" -eq 0 ]
check "a target named -dash is built" all_built -dash
check "UPPER_lower-9 is built" all_built UPPER_lower-9
check "noisy is built" all_built noisy
logdir=$(sed -n 's/^logs: //p' <<<"$OUT")
ls -l "$logdir" | sed 's/^/# /'
check "-dash has a log with a safe name" grep -q "dash-$NONCE" "$logdir/-dash.log"
check "the noisy log kept everything up to the end" grep -aq "noisy-end-$NONCE" "$logdir/noisy.log"
check "the noisy log holds the bytes that are not text" grep -aq $'\377\376 not utf-8' "$logdir/noisy.log"
check "the noisy log holds the 100 kB line" grep -aq "$(printf 'x%.0s' $(seq 1 5000))" "$logdir/noisy.log"
[ "$RC" -eq 0 ] || show
