#!/usr/bin/env bats
# ocsf-push against the Sekoia intake fixture (tests/fixtures/intake.py).
#
# Every case checks the "no data loss" rule of SPEC.md: what the intake
# recorded plus what FAILED holds is the input, line for line (in order
# with -P 1, sorted otherwise), and asserts the exit status and the
# message on stderr.

load helper

UUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0

setup() {
	T=$BATS_TEST_TMPDIR
	REC=$T/rec
	export SEKOIA_API_KEY=test-key SEKOIA_CONNECTOR_UUID=$UUID
}

# ---- helpers ---------------------------------------------------------

fail() {
	printf '%s\n' "$@" >&2
	return 1
}

# intake ARGS...: the fixture, recording into $REC; SEKOIA_BASE_URL set.
intake() {
	start_intake --record "$REC" "$@"
	export SEKOIA_BASE_URL=$INTAKE_URL
}

# gen N [BYTES]: N distinct JSON object lines with non-ASCII text and a
# \u escape, each padded to exactly BYTES bytes when BYTES is given.
gen() {
	python3 - "$@" <<'EOF'
import sys
n = int(sys.argv[1])
size = int(sys.argv[2]) if len(sys.argv) > 2 else 0
for i in range(1, n + 1):
    fmt = '{"n":%d,"class_uid":5001,"s":"\u00e9/\\u00e9","pad":"%s"}'
    line = fmt % (i, "")
    if size:
        line = fmt % (i, "x" * (size - len(line.encode())))
        assert len(line.encode()) == size
    print(line)
EOF
}

# norm: each line re-serialized as the intake records it; lines that are
# not JSON pass unchanged.
norm() {
	python3 -c 'import json, sys
out = sys.stdout.buffer
for l in sys.stdin.buffer:
    l = l.rstrip(b"\n")
    try:
        o = json.loads(l)
    except ValueError:
        out.write(l + b"\n")
        continue
    out.write(json.dumps(o, separators=(",", ":"), ensure_ascii=False).encode() + b"\n")'
}

# recorded: every item the intake accepted, in order.
recorded() {
	cat "$REC/$UUID.ndjson" 2>/dev/null || true
}

# pick FILE N...: lines N... of FILE; omit FILE N...: the other lines.
pick() {
	local f=$1 s=
	shift
	for n in "$@"; do s="$s${n}p;"; done
	sed -n "$s" "$f"
}
omit() {
	local f=$1 s=
	shift
	for n in "$@"; do s="$s${n}d;"; done
	sed "$s" "$f"
}

# push ARGS... [<input]: ocsf-push (60 s guard), FAILED (stdout) in
# $T/failed, stderr in $T/err and $err, exit status in $status.
push() {
	status=0
	timeout 60 "$OCSF_PUSH" "$@" >"$T/failed" 2>"$T/err" 3>&- || status=$?
	err=$(cat "$T/err")
}

assert_status() {
	[ "$status" -eq "$1" ] ||
		fail "exit status $status, expected $1; stderr:" "$err"
}

# assert_err REGEX: some stderr line matches the extended regex.
assert_err() {
	grep -Eq -- "$1" "$T/err" ||
		fail "no stderr line matches: $1" "stderr:" "$err"
}

# assert_split INPUT N...: FAILED is exactly lines N... of INPUT (bytes),
# and the intake recorded exactly the other lines, in order, once.
assert_split() {
	local input=$1
	shift
	pick "$input" "$@" >"$T/exp.failed"
	omit "$input" "$@" | norm >"$T/exp.rec"
	recorded >"$T/got.rec"
	cmp -s "$T/exp.failed" "$T/failed" ||
		fail "FAILED differs from input lines ${*:-(none)}:" \
		    "$(diff "$T/exp.failed" "$T/failed")" "stderr:" "$err"
	cmp -s "$T/exp.rec" "$T/got.rec" ||
		fail "recorded items differ from the input minus ${*:-(none)}:" \
		    "$(diff "$T/exp.rec" "$T/got.rec")" "stderr:" "$err"
}

# assert_union INPUT: recorded + FAILED is INPUT, sorted, each line once.
assert_union() {
	norm <"$1" | sort >"$T/exp.all"
	{ recorded; cat "$T/failed"; } | norm | sort >"$T/got.all"
	cmp -s "$T/exp.all" "$T/got.all" ||
		fail "recorded + FAILED is not the input:" \
		    "$(diff "$T/exp.all" "$T/got.all")" "stderr:" "$err"
}

# reqs FIELD: FIELD of every request in requests.log, in log order.
reqs() {
	python3 -c 'import json, sys
vals = []
try:
    with open(sys.argv[2]) as f:
        for l in f:
            v = json.loads(l)[sys.argv[1]]
            vals.append("null" if v is None else str(v))
except FileNotFoundError:
    pass
print(" ".join(vals))' "$1" "$REC/requests.log"
}

nreqs() {
	count_lines "$REC/requests.log"
}

# assert_summary: the stderr summary line (lines read, accepted, ...).
assert_summary() {
	assert_err "^ocsf-push: $1 lines read, $2 accepted, [0-9]+ batch(es)?, [0-9]+ retr(y|ies), $3 rejected, $4 failed \(saved to [^)]*\), [0-9.]+ s$"
}

# assert_retry_lines STATUS... : one "retrying" line per retry, in order,
# each naming the status, the delay and the retries left (counting down).
assert_retry_lines() {
	local lines i=0 left prev=
	mapfile -t lines < <(grep 'retrying' "$T/err")
	[ "${#lines[@]}" -eq $# ] ||
		fail "expected $# retry lines, got ${#lines[@]}:" "$err"
	for s in "$@"; do
		[[ ${lines[$i]} =~ ^ocsf-push:\ .*$s.*\ in\ [0-9]+(\.[0-9]+)?\ s\ \(([0-9]+)\ retr(y|ies)\ left\)$ ]] ||
			fail "retry line $i does not give $s, delay, retries left:" "${lines[$i]}"
		left=${BASH_REMATCH[2]}
		[ -z "$prev" ] || [ "$left" -eq $((prev - 1)) ] ||
			fail "retries left do not count down: ${lines[*]}"
		prev=$left
		i=$((i + 1))
	done
}

# wait_for SECS CMD...: poll until CMD succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for: $*"
		sleep 0.05
	done
}

has_requests() { [ "$(nreqs)" -ge "$1" ]; }

# wait_exit PID SECS: reap a background child (SIGKILL after SECS);
# sets status.
wait_exit() {
	local pid=$1 deadline=$((SECONDS + $2))
	while [ -d "/proc/$pid" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.05
	done
	status=0
	wait "$pid" || status=$?
	err=$(cat "$T/err")
}

# ---- batching --------------------------------------------------------

@test "ocsf-push: -b 3 sends 10 lines as 3,3,3,1 on one connection, each once" {
	intake
	gen 10 >"$T/in"
	push -b 3 <"$T/in"
	assert_status 0
	[ "$(reqs items)" = "3 3 3 1" ] || fail "items per request: $(reqs items)"
	[ "$(reqs status)" = "200 200 200 200" ]
	assert_split "$T/in"
	[ ! -s "$T/failed" ]
	assert_summary 10 10 0 0
	# keep-alive: one connection; the User-Agent names the program
	[ "$(reqs conn | tr ' ' '\n' | sort -u | wc -l)" -eq 1 ] ||
		fail "connections: $(reqs conn)"
	reqs user_agent | grep -q '^ocsf-push/[0-9]'
}

@test "ocsf-push: by default a batch holds 100 items" {
	intake
	gen 250 >"$T/in"
	push <"$T/in"
	assert_status 0
	[ "$(reqs items)" = "100 100 50" ] || fail "items per request: $(reqs items)"
	assert_split "$T/in"
}

@test "ocsf-push: -B caps every body, and batches are filled up to the cap" {
	intake
	gen 20 300 >"$T/in"
	push -B 1024 <"$T/in"
	assert_status 0
	assert_split "$T/in"
	[ ! -s "$T/failed" ]
	assert_summary 20 20 0 0
	# every body <= 1024 bytes, and each batch took lines until the next
	# one would have passed the cap (greedy, as the spec reads)
	python3 - "$T/in" "$REC/requests.log" 1024 <<'EOF'
import json, sys
lens = [len(l.rstrip(b"\n")) for l in open(sys.argv[1], "rb")]
cap = int(sys.argv[3])
head = len('{"version":1,"items":[') + len("]}")
want, cur = [], []
for n in lens:
    if cur and head + sum(cur) + len(cur) + n > cap:
        want.append(cur)
        cur = []
    cur.append(n)
want.append(cur)
log = [json.loads(l) for l in open(sys.argv[2])]
got = [(r["items"], r["bytes"]) for r in log]
exp = [(len(b), head + sum(b) + len(b) - 1) for b in want]
assert all(b <= cap for _, b in got), got
assert got == exp, (got, exp)
EOF
}

@test "ocsf-push: a line too large for -B alone is rejected (FILE:LINE), saved verbatim" {
	intake
	# -B 1024 leaves 1000 bytes for a lone item: 1000 fits, 1001 does
	# not, and a 3000-byte line is longer than the reader's limit
	{
		gen 2 200
		gen 1 1001 | sed 's/"n":1/"n":3/'
		gen 1 1000 | sed 's/"n":1/"n":4/'
		gen 1 3000 | sed 's/"n":1/"n":5/'
		gen 1 200 | sed 's/"n":1/"n":6/'
	} >"$T/in.ndjson"
	push -B 1024 "$T/in.ndjson"
	assert_status 1
	assert_split "$T/in.ndjson" 3 5
	assert_err "^ocsf-push: $T/in.ndjson:3: .*-B"
	assert_err "^ocsf-push: $T/in.ndjson:5: .*-B"
	[ "$(grep -c "in.ndjson:[0-9]*:" "$T/err")" -eq 2 ] || fail "$err"
	python3 -c 'import json, sys
assert all(json.loads(l)["bytes"] <= 1024 for l in open(sys.argv[1]))' \
		"$REC/requests.log"
	assert_summary 6 4 2 2
}

@test "ocsf-push: -i sends a slow producer's partial batch before more input comes" {
	skip_timing_under_valgrind
	intake
	producer() {
		date +%s.%N >"$T/t0"
		printf '{"n":1,"class_uid":5001}\n{"n":2,"class_uid":5001}\n'
		sleep 3
		date +%s.%N >"$T/t3"
		printf '{"n":3,"class_uid":5001}\n'
	}
	printf '{"n":%d,"class_uid":5001}\n' 1 2 3 >"$T/in"
	push -i 1 -b 100 < <(producer)
	assert_status 0
	assert_split "$T/in"
	[ "$(reqs items)" = "2 1" ] || fail "items per request: $(reqs items)"
	# the first request came about 1 s after L1, before L3 was written;
	# the second after it
	python3 - "$REC/requests.log" "$(cat "$T/t0")" "$(cat "$T/t3")" <<'EOF'
import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1])]
t0, t3 = float(sys.argv[2]), float(sys.argv[3])
assert 0.8 <= t[0] - t0 <= 2.5, ("first request after", t[0] - t0)
assert t[0] < t3, ("first request not before L3", t[0], t3)
assert t[1] >= t3, ("second request before L3", t[1], t3)
EOF
}

@test "ocsf-push: an overdue partial batch waiting for a free slot does not spin" {
	skip_timing_under_valgrind
	# batch 1,2 is in flight for 2 s; line 3 comes at 0.3 s and is due at
	# 0.5 s, but the only slot is busy until 2 s: that wait must sleep
	intake --latency 2000
	printf '{"n":%d,"class_uid":5001}\n' 1 2 3 >"$T/in"
	local TIMEFORMAT='%U %S'
	{ time push -b 2 -i 0.2 < <(
		printf '{"n":%d,"class_uid":5001}\n' 1 2
		sleep 0.3
		printf '{"n":3,"class_uid":5001}\n'
		sleep 2.5
	); } 2>"$T/time"
	assert_status 0
	assert_split "$T/in"
	[ "$(reqs items)" = "2 1" ]
	awk '{ exit !($1 + $2 < 0.2) }' "$T/time" ||
		fail "CPU time (user sys) while waiting: $(cat "$T/time")"
}

# ---- retries ---------------------------------------------------------

@test "ocsf-push: 503 then 429 are retried (Retry-After honoured), delivered once" {
	intake --fault 503@1 --fault 429@2 --retry-after 1
	gen 10 >"$T/in"
	push --max-retries 3 <"$T/in"
	assert_status 0
	assert_split "$T/in"
	[ "$(reqs status)" = "503 429 200" ] || fail "statuses: $(reqs status)"
	assert_retry_lines 503 429
	grep 'retrying' "$T/err" | sed -n 2p | grep -q ' in 1\.0 s '
	assert_err "^ocsf-push: .* 2 retries, 0 rejected, 0 failed"
	python3 -c 'import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1])]
assert t[2] - t[1] >= 0.95, ("429 Retry-After: 1 not honoured", t[2] - t[1])' \
		"$REC/requests.log"
}

@test "ocsf-push: a 429 whose Retry-After is an HTTP date is honoured" {
	intake --fault 429date@1 --retry-after 1
	gen 4 >"$T/in"
	push --max-retries 2 <"$T/in"
	assert_status 0
	assert_split "$T/in"
	[ "$(reqs status)" = "429 200" ] || fail "statuses: $(reqs status)"
	assert_retry_lines 429
	python3 -c 'import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1])]
assert 0.95 <= t[1] - t[0] <= 3.2, ("waited", t[1] - t[0])' \
		"$REC/requests.log"
}

@test "ocsf-push: 408 and 500 are retried too" {
	intake --fault 408@1 --fault 500@2
	gen 5 >"$T/in"
	push --max-retries 2 <"$T/in"
	assert_status 0
	assert_split "$T/in"
	[ "$(reqs status)" = "408 500 200" ] || fail "statuses: $(reqs status)"
	assert_retry_lines 408 500
}

@test "ocsf-push: retries run out: exit 75, FAILED is the whole input, no request after" {
	intake --fault '503@*'
	gen 10 >"$T/in"
	push -b 2 --max-retries 2 <"$T/in"
	assert_status 75
	assert_split "$T/in" 1 2 3 4 5 6 7 8 9 10
	# 1 + 2 retries of the first batch, then nothing
	[ "$(nreqs)" -eq 3 ] || fail "requests: $(nreqs)"
	[ "$(reqs items)" = "2 2 2" ]
	assert_retry_lines 503 503
	# no Retry-After: full jitter, base 1 s: at most 1 s, then 2 s
	grep retrying "$T/err" | sed -E 's/.* in ([0-9.]+) s .*/\1/' |
		awk 'NR == 1 && $1 > 1.0 || NR == 2 && $1 > 2.0 { bad = 1 }
		    END { exit bad }' || fail "backoff out of bounds:" "$err"
	assert_err '^ocsf-push: HTTP 503.*giving up after 2 retries'
	assert_summary 10 0 0 10
}

@test "ocsf-push: a Retry-After longer than --max-wait counts as retries running out" {
	intake --fault '429@*' --retry-after 30
	gen 4 >"$T/in"
	SECONDS=0
	push --max-wait 2 <"$T/in"
	assert_status 75
	[ "$SECONDS" -lt 10 ]
	assert_split "$T/in" 1 2 3 4
	[ "$(nreqs)" -eq 1 ]
	assert_err '^ocsf-push: HTTP 429.*30 s.*--max-wait'
}

@test "ocsf-push: a dropped connection is retried and the batch delivered exactly once" {
	intake --fault drop@1
	gen 6 >"$T/in"
	push -b 3 --max-retries 2 <"$T/in"
	assert_status 0
	assert_split "$T/in"
	[ "$(reqs items)" = "3 3 3" ] || fail "items per request: $(reqs items)"
	[ "$(reqs status)" = "null 200 200" ]
	assert_retry_lines 'Empty reply'
	assert_summary 6 6 0 0
}

# ---- refusals --------------------------------------------------------

@test "ocsf-push: 400 for a batch whose items pass alone: halves, all delivered once" {
	# the stand-in lies: the batch 3,4 is refused, each item alone is not
	intake --fault 400@2
	gen 6 >"$T/in"
	push -b 2 --max-retries 2 <"$T/in"
	assert_status 0
	assert_split "$T/in"
	[ "$(reqs status)" = "200 400 200 200 200" ] || fail "statuses: $(reqs status)"
	[ "$(reqs items)" = "2 2 1 1 2" ] || fail "items: $(reqs items)"
	assert_summary 6 6 0 0
}

@test "ocsf-push: 400 refusing one item: it alone to FAILED with its line and the API's words" {
	intake --refuse '"n":3,'
	gen 6 >"$T/in"
	push -b 2 "$T/in"
	assert_status 1
	assert_split "$T/in" 3
	[ "$(reqs status)" = "200 400 400 200 200" ] || fail "statuses: $(reqs status)"
	assert_err "^ocsf-push: $T/in:3: refused by the API: HTTP 400 INVALID_ITEM: items\[0\] is refused"
	[ "$(grep -c 'refused by the API' "$T/err")" -eq 1 ] || fail "$err"
	assert_summary 6 5 1 1
	# FAILED replays as is: the same item is refused again, nothing else
	cp "$T/failed" "$T/replay"
	local before
	before=$(nreqs)
	push <"$T/replay"
	assert_status 1
	cmp -s "$T/replay" "$T/failed"
	[ "$(nreqs)" -eq $((before + 1)) ]
}

@test "ocsf-push: 422 is split like 400" {
	intake --refuse '"n":(2|7),' --refuse-status 422
	gen 8 >"$T/in"
	push -b 4 <"$T/in"
	assert_status 1
	assert_split "$T/in" 2 7
	assert_err '^ocsf-push: stdin:2: refused by the API: HTTP 422 '
	assert_err '^ocsf-push: stdin:7: refused by the API: HTTP 422 '
}

@test "ocsf-push: 3 poison records among 1000: exactly those in FAILED, the 997 others once" {
	intake --refuse '"n":(17|500|999),'
	gen 1000 >"$T/in"
	push <"$T/in"
	assert_status 1
	assert_split "$T/in" 17 500 999
	local n
	for n in 17 500 999; do
		assert_err "^ocsf-push: stdin:$n: refused by the API: HTTP 400 "
	done
	[ "$(grep -c 'refused by the API' "$T/err")" -eq 3 ] || fail "$err"
	# 10 batches of 100; each poisoned one costs at most two requests
	# per halving level, ceil(log2(100)) = 7 levels
	[ "$(nreqs)" -le $((10 + 3 * 2 * 7)) ] || fail "requests: $(nreqs)"
	[ "$(reqs status | tr ' ' '\n' | grep -c 200)" -ge 10 ]
	assert_summary 1000 997 3 3
}

@test "ocsf-push: 413: halves, all delivered, later batches the largest size that passed" {
	intake --max-items 30
	gen 400 >"$T/in"
	push <"$T/in"
	assert_status 0
	assert_split "$T/in"
	# 100 refused, 50 refused, then 25s: two 413s and no more
	[ "$(reqs status | tr ' ' '\n' | grep -c 413)" -eq 2 ] ||
		fail "statuses: $(reqs status)"
	python3 -c 'import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
assert [r["items"] for r in log[:2]] == [100, 50], log[:3]
assert all(r["items"] <= 25 for r in log[2:]), [r["items"] for r in log]
assert all(r["status"] == 200 for r in log[2:])' "$REC/requests.log"
	assert_summary 400 400 0 0
	assert_err 'HTTP 413.*too large.*halves'
}

@test "ocsf-push: one line refused alone with 413 is rejected, the others delivered" {
	intake --max-bytes 1500
	{ gen 2 200; gen 1 1490 | sed 's/"n":1,/"n":3,/'; gen 1 200 | sed 's/"n":1,/"n":4,/'; } >"$T/in"
	push -b 4 <"$T/in"
	assert_status 1
	assert_split "$T/in" 3
	assert_err '^ocsf-push: stdin:3: refused by the API: HTTP 413 .*too large even alone'
}

@test "ocsf-push: 401: exit 77 after one request, all the input in FAILED" {
	intake --fault 401@1
	gen 6 >"$T/in"
	push -b 2 --max-retries 2 <"$T/in"
	assert_status 77
	assert_split "$T/in" 1 2 3 4 5 6
	[ "$(nreqs)" -eq 1 ] || fail "requests: $(nreqs)"
	assert_err '^ocsf-push: .*401'
	assert_summary 6 0 0 6
}

@test "ocsf-push: 403, and a wrong key, exit 77 with no further request" {
	intake --fault 403@2
	gen 6 >"$T/in"
	push -b 2 --max-retries 2 <"$T/in"
	assert_status 77
	assert_split "$T/in" 3 4 5 6
	[ "$(nreqs)" -eq 2 ]
	assert_err '^ocsf-push: .*403'
	stop_servers
	rm -rf "$REC"
	intake --key other-key
	push -b 2 --max-retries 2 <"$T/in"
	assert_status 77
	assert_split "$T/in" 1 2 3 4 5 6
	[ "$(reqs status)" = "401" ]
	assert_err '^ocsf-push: .*401'
}

# ---- input -----------------------------------------------------------

@test "ocsf-push: lines that are no JSON object are rejected with their line numbers" {
	intake
	{
		printf '%s\n' '{"n":1,"class_uid":5001}' '{"n":2, not json' \
		    '{"n":3,"class_uid":5001}' '[{"n":4}]' \
		    '{"n":5,"class_uid":5001,"s":"\u00e9"}' '42' \
		    '{"n":7,"class_uid":5001}'
		printf '{"n":8,"s":"\xff"}\n'		# not UTF-8
		printf '{"n":9,"class_uid":5001}\r\n'	# CRLF: accepted
		printf '%s\n' '{"n":10} x' 'null' '{"class_uid":5001}'
	} >"$T/in.ndjson"
	push -b 2 "$T/in.ndjson"
	assert_status 1
	sed 's/\r$//' "$T/in.ndjson" >"$T/in.lf"
	assert_split "$T/in.lf" 2 4 6 8 10 11
	local n
	for n in 2 4 6 8 10 11; do
		assert_err "^ocsf-push: $T/in.ndjson:$n: "
	done
	assert_err "^ocsf-push: $T/in.ndjson:4: .*object"
	[ "$(grep -c 'in.ndjson:[0-9]*:' "$T/err")" -eq 6 ] || fail "$err"
	# no request carried a bad line: every one was accepted
	[ "$(reqs status)" = "200 200 200" ] || fail "statuses: $(reqs status)"
	assert_summary 12 6 6 6
}

@test "ocsf-push: with several files, messages name the file and count its lines" {
	intake
	# a.ndjson has no final newline: its last line stays its own
	printf '{"f":"a","n":1,"class_uid":5001}\noops\n{"f":"a","n":3,"class_uid":5001}' >"$T/a.ndjson"
	printf '%s\n' 'true' '{"f":"b","n":2,"class_uid":5001}' '"str"' \
	    '{"f":"b","n":4,"class_uid":5001}' >"$T/b.ndjson"
	{ cat "$T/a.ndjson"; echo; cat "$T/b.ndjson"; } >"$T/all"
	push "$T/a.ndjson" "$T/b.ndjson"
	assert_status 1
	assert_split "$T/all" 2 4 6
	assert_err "^ocsf-push: $T/a.ndjson:2: "
	assert_err "^ocsf-push: $T/b.ndjson:1: "
	assert_err "^ocsf-push: $T/b.ndjson:3: "
	[ "$(grep -c '\.ndjson:[0-9]*:' "$T/err")" -eq 3 ] || fail "$err"
}

@test "ocsf-push: -f FILE appends failed lines and keeps what was there" {
	intake --refuse '"n":[12],'
	printf 'earlier line 1\nearlier line 2\n' >"$T/failed.ndjson"
	gen 4 >"$T/in"
	push -q -b 2 -f "$T/failed.ndjson" <"$T/in"
	assert_status 1
	[ ! -s "$T/failed" ] || fail "stdout is not empty with -f"
	{ printf 'earlier line 1\nearlier line 2\n'; pick "$T/in" 1 2; } |
		cmp - "$T/failed.ndjson"
	# FAILED file + recorded == input
	cp "$T/failed.ndjson" "$T/failed"
	sed -i 1,2d "$T/failed"
	assert_split "$T/in" 1 2
	# -q: only errors, no summary
	if grep -q 'lines read' "$T/err"; then fail "-q printed: $err"; fi
	assert_err '400'
}

@test "ocsf-push: FAILED that cannot be written is loud: exit 75" {
	intake --refuse '"n":[12],'
	gen 4 >"$T/in"
	push -b 2 -f /dev/full <"$T/in"
	assert_status 75
	assert_err '^ocsf-push: .*/dev/full.*(write error|No space left)'
	assert_err '^ocsf-push: .*could not be saved to /dev/full'
	pick "$T/in" 3 4 | norm | cmp - <(recorded)
}

@test "ocsf-push: FAILED on a closed pipe is loud, not a silent death: exit 75" {
	intake --refuse '"n":[12],'
	gen 4 >"$T/in"
	# stdout (FAILED) is a pipe whose reader is gone before anything fails.
	status=0
	timeout 60 bash -c 'exec 3>&-; "$0" -b 2 <"$1" 2>"$2" | true
		exit "${PIPESTATUS[0]}"' "$OCSF_PUSH" "$T/in" "$T/err" || status=$?
	err=$(cat "$T/err")
	assert_status 75
	[[ $err == *"stdout: write error"* ]] || fail "no write error reported"
	[[ $err == *"could not be saved to stdout"* ]] || fail "loss not reported"
	# The batch that went through is still accepted; the other is lost and told.
	pick "$T/in" 3 4 | norm | cmp - <(recorded)
}

# ---- signals ---------------------------------------------------------

# start_push_fifo ARGS...: ocsf-push in the background reading $T/fifo,
# fed by $T/in then kept open; PUSH_PID and PROD_PID set.
start_push_fifo() {
	mkfifo "$T/fifo"
	"$OCSF_PUSH" "$@" <"$T/fifo" >"$T/failed" 2>"$T/err" 3>&- &
	PUSH_PID=$!
	sh -c 'cat "$1"; exec sleep 60' sh "$T/in" >"$T/fifo" 2>/dev/null 3>&- &
	PROD_PID=$!
	SERVER_PIDS+=("$PUSH_PID" "$PROD_PID")
}

@test "ocsf-push: SIGTERM with a batch in flight: it finishes, the rest goes to FAILED, exit 75" {
	# the intake records before its 2 s latency: the batch in flight is
	# accepted within the 5 s grace, so nothing is both recorded and failed
	intake --latency 2000
	gen 5 >"$T/in"
	start_push_fifo -b 3 -i 60
	wait_for 10 has_requests 1
	sleep 0.3
	kill -TERM "$PUSH_PID"
	wait_exit "$PUSH_PID" 20
	kill "$PROD_PID" 2>/dev/null || true
	assert_status 75
	assert_split "$T/in" 4 5
	[ "$(nreqs)" -eq 1 ]
	assert_err '^ocsf-push: .*(Terminated|TERM).*stopping'
}

@test "ocsf-push: SIGTERM with a hung request: 5 s grace, then every line read to FAILED" {
	skip_timing_under_valgrind
	# hang: the intake records the batch at once and never answers in
	# time; once the grace is over that batch goes to FAILED as well (the
	# documented "accepted but not acknowledged" case)
	intake --fault hang@1 --hang-seconds 30
	gen 5 >"$T/in"
	start_push_fifo -b 3 -i 60
	wait_for 10 has_requests 1
	sleep 0.3
	SECONDS=0
	kill -TERM "$PUSH_PID"
	wait_exit "$PUSH_PID" 20
	kill "$PROD_PID" 2>/dev/null || true
	assert_status 75
	[ "$SECONDS" -ge 4 ] && [ "$SECONDS" -le 8 ] ||
		fail "stopped after $SECONDS s, the grace is 5 s"
	[ "$(reqs fault)" = "hang" ]
	sort "$T/in" | cmp - <(sort "$T/failed") ||
		fail "FAILED is not every line read:" "$(cat "$T/failed")"
	pick "$T/in" 1 2 3 | norm | cmp - <(recorded)
	assert_err '^ocsf-push: .*(Terminated|TERM).*stopping'
}

@test "ocsf-push: SIGINT while a full batch waits for a free slot: no line is lost" {
	# -b 2: batch 1,2 in flight (2 s latency), batch 3,4 full and waiting
	# for the slot, line 5 taken from the input and held, 6-10 buffered
	intake --latency 2000
	gen 10 >"$T/in"
	start_push_fifo -b 2 -i 60
	wait_for 10 has_requests 1
	sleep 0.3
	kill -INT "$PUSH_PID"
	wait_exit "$PUSH_PID" 20
	kill "$PROD_PID" 2>/dev/null || true
	assert_status 75
	[ "$(nreqs)" -eq 1 ]
	pick "$T/in" 1 2 | norm | cmp - <(recorded)
	pick "$T/in" 3 4 5 6 7 8 9 10 | sort >"$T/exp.failed"
	sort "$T/failed" | cmp -s - "$T/exp.failed" ||
		fail "FAILED is not lines 3-10:" "$(sort "$T/failed" | diff "$T/exp.failed" -)"
	assert_err '^ocsf-push: .*(Interrupt|INT).*stopping'
}

@test "ocsf-push: SIGTERM during a retry wait stops at once, the batch to FAILED" {
	skip_timing_under_valgrind
	intake --fault '429@*' --retry-after 30
	gen 4 >"$T/in"
	start_push_fifo -b 2 -i 60
	wait_for 10 has_requests 1
	sleep 0.3
	SECONDS=0
	kill -TERM "$PUSH_PID"
	wait_exit "$PUSH_PID" 20
	kill "$PROD_PID" 2>/dev/null || true
	assert_status 75
	[ "$SECONDS" -le 2 ] || fail "took $SECONDS s to stop"
	[ "$(nreqs)" -eq 1 ]
	assert_union "$T/in"
	[ "$(recorded | wc -l)" -eq 0 ]
}

# ---- parallel --------------------------------------------------------

@test "ocsf-push: -P 4 sends 200 lines in 40 batches, each once, on 2 to 4 connections" {
	intake --latency 50
	gen 200 >"$T/in"
	push -P 4 -b 5 <"$T/in"
	assert_status 0
	[ ! -s "$T/failed" ]
	assert_union "$T/in"
	[ "$(recorded | wc -l)" -eq 200 ]
	[ "$(nreqs)" -eq 40 ]
	local conns
	conns=$(reqs conn | tr ' ' '\n' | sort -u | wc -l)
	[ "$conns" -ge 2 ] && [ "$conns" -le 4 ] || fail "connections: $conns"
	assert_summary 200 200 0 0
}

@test "ocsf-push: -P 4 and a 401: no request after it, recorded + FAILED is the input" {
	# the 401 comes at once; the three other batches in flight are
	# recorded at once and answered 200 only 2 s later, so no slot is
	# free before the 401 is seen
	intake --fault 401@1 --fault hang@2-1000 --hang-seconds 2
	gen 200 >"$T/in"
	push -P 4 -b 5 <"$T/in"
	assert_status 77
	assert_union "$T/in"
	[ "$(recorded | wc -l)" -eq 15 ]
	# the four batches already in flight; none started after the 401
	[ "$(nreqs)" -eq 4 ] || fail "requests: $(reqs status)"
	[ "$(reqs status | tr ' ' '\n' | grep -c 401)" -eq 1 ]
	assert_err '^ocsf-push: .*401'
}

# ---- dry run ---------------------------------------------------------

@test "ocsf-push: -n prints each body on stdout, makes no request, needs no key" {
	unset SEKOIA_API_KEY
	export SEKOIA_BASE_URL=http://127.0.0.1:1
	gen 7 >"$T/in"
	push -n -b 3 <"$T/in"
	assert_status 0
	[ "$(wc -l <"$T/failed")" -eq 3 ]
	# each line is {"version":1,"items":[...]}, the items being the input
	# lines byte for byte
	python3 - "$T/in" "$T/failed" <<'EOF'
import json, sys
lines = [l.rstrip(b"\n") for l in open(sys.argv[1], "rb")]
bodies = [l.rstrip(b"\n") for l in open(sys.argv[2], "rb")]
batches = [lines[0:3], lines[3:6], lines[6:7]]
for body, items in zip(bodies, batches):
    doc = json.loads(body)
    assert list(doc) == ["version", "items"] and doc["version"] == 1, doc
    assert doc["items"] == [json.loads(i) for i in items]
    assert body == b'{"version":1,"items":[' + b",".join(items) + b"]}", body
EOF
}

# ---- secrets ---------------------------------------------------------

@test "ocsf-push: the API key never appears in any output, at -v and -vvv" {
	local key=k3y-SECRET-1234 v
	intake --key "$key" --fault 429@1 --fault 429@5 --retry-after 0 \
	    --refuse '"n":[35],'
	export SEKOIA_API_KEY=$key
	gen 6 >"$T/in"
	for v in -v -vvv; do
		push "$v" -b 2 --max-retries 2 <"$T/in"
		assert_status 1
		cat "$T/failed" "$T/err" >>"$T/all-output"
	done
	# -vvv traces the headers, with the credential blanked
	grep -qi 'authorization' "$T/err"
	if grep -rF -e "$key" -e SECRET-1234 "$T/all-output" "$REC" "$T"/INTAKE.*; then
		fail "the key leaked"
	fi
}

# ---- configuration ---------------------------------------------------

@test "ocsf-push: no API key: exit 78 with a message" {
	intake
	gen 2 >"$T/in"
	unset SEKOIA_API_KEY
	push <"$T/in"
	assert_status 78
	assert_err '^ocsf-push: .*SEKOIA_API_KEY'
	[ ! -s "$T/failed" ]
	[ "$(nreqs)" -eq 0 ]
}

@test "ocsf-push: SEKOIA_API_KEY_FILE is read; with SEKOIA_API_KEY too, exit 78" {
	intake --key file-key
	gen 3 >"$T/in"
	printf 'file-key\n' >"$T/key"
	unset SEKOIA_API_KEY
	SEKOIA_API_KEY_FILE=$T/key push <"$T/in"
	assert_status 0
	assert_split "$T/in"
	SEKOIA_API_KEY=file-key SEKOIA_API_KEY_FILE=$T/key push <"$T/in"
	assert_status 78
	assert_err '^ocsf-push: .*SEKOIA_API_KEY.*SEKOIA_API_KEY_FILE'
	[ ! -s "$T/failed" ]
	[ "$(nreqs)" -eq 1 ]
}

@test "ocsf-push: a bad or missing connector UUID: exit 78" {
	intake
	gen 2 >"$T/in"
	for u in not-a-uuid 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f ../../x; do
		SEKOIA_CONNECTOR_UUID=$u push <"$T/in"
		assert_status 78
		assert_err '^ocsf-push: .*SEKOIA_CONNECTOR_UUID'
		[ ! -s "$T/failed" ]
	done
	unset SEKOIA_CONNECTOR_UUID
	push <"$T/in"
	assert_status 78
	assert_err '^ocsf-push: .*SEKOIA_CONNECTOR_UUID'
	[ "$(nreqs)" -eq 0 ]
}

@test "ocsf-push: a base URL that is not https, or http off loopback: exit 78" {
	gen 2 >"$T/in"
	for u in http://example.com http://10.0.0.1:8080 \
	    http://localhost.example.com http://127.0.0.1.nip.io \
	    ftp://127.0.0.1 'not a url'; do
		SEKOIA_BASE_URL=$u push <"$T/in"
		assert_status 78
		assert_err '^ocsf-push: .*SEKOIA_BASE_URL'
		[ ! -s "$T/failed" ]
	done
}

@test "ocsf-push: bad option values: exit 64 with a message" {
	intake
	gen 2 >"$T/in"
	local a
	for a in '-b 0' '-b 10001' '-P 0' '-P 17' '-B 10' '-i 0' \
	    '--max-retries -1' '--no-such-option'; do
		# shellcheck disable=SC2086
		push $a <"$T/in"
		assert_status 64
		assert_err '^ocsf-push: |^usage: ocsf-push'
		[ ! -s "$T/failed" ]
	done
	push -b 0 <"$T/in"
	assert_err '^ocsf-push: -b 0'
	push -P 17 <"$T/in"
	assert_err '^ocsf-push: -P 17'
	push -B 10 <"$T/in"
	assert_err '^ocsf-push: -B 10'
	[ "$(nreqs)" -eq 0 ]
}

# ---- a service no batch can use: 69 ---------------------------------

@test "ocsf-push: unknown connector (404): exit 69 after the first answer, FAILED is the input" {
	intake --uuid 11111111-2222-3333-4444-555555555555
	gen 250 >"$T/in"
	push -b 10 <"$T/in"
	assert_status 69
	assert_split "$T/in" $(seq 1 250)
	[ "$(nreqs)" -eq 1 ] || fail "requests: $(nreqs)"
	[ "$(reqs status)" = "404" ]
	assert_err "^ocsf-push: HTTP 404 NOT_FOUND: connector not found: POST $INTAKE_URL/api/v2/asset-management/asset-connector/$UUID: .*SEKOIA_CONNECTOR_UUID $UUID.*SEKOIA_REGION"
	assert_summary 250 0 0 250
}

@test "ocsf-push: 405, 410 and another 4xx: exit 69, no request after, the rest to FAILED" {
	local k
	for k in 405 410 404; do
		stop_servers
		rm -rf "$REC"
		intake --fault "$k@2"
		gen 6 >"$T/in"
		push -b 2 <"$T/in"
		assert_status 69
		assert_split "$T/in" 3 4 5 6
		[ "$(reqs status)" = "200 $k" ] || fail "statuses: $(reqs status)"
		assert_err "^ocsf-push: HTTP $k .*POST $INTAKE_URL/api/v2/"
	done
}

@test "ocsf-push: -P 4 and a 404: the batches in flight end in FAILED or accepted, none after" {
	intake --fault 404@1 --fault hang@2-1000 --hang-seconds 2
	gen 200 >"$T/in"
	push -P 4 -b 5 <"$T/in"
	assert_status 69
	assert_union "$T/in"
	[ "$(nreqs)" -eq 4 ] || fail "requests: $(reqs status)"
}

# ---- where: regions and base URLs ------------------------------------

@test "ocsf-push: a base URL ending in /api (Sekoia's region form) gets no second /api" {
	intake
	gen 4 >"$T/in"
	for base in "$INTAKE_URL/api" "$INTAKE_URL/api/" "$INTAKE_URL/"; do
		SEKOIA_BASE_URL=$base push -b 2 <"$T/in"
		assert_status 0
	done
	[ "$(reqs status)" = "200 200 200 200 200 200" ] || fail "$(reqs path)"
	reqs path | tr ' ' '\n' | sort -u |
		cmp - <(echo "/api/v2/asset-management/asset-connector/$UUID") ||
		fail "paths: $(reqs path)"
}

@test "ocsf-push: each SEKOIA_REGION resolves to its documented URL (-n -v, no network)" {
	unset SEKOIA_API_KEY SEKOIA_BASE_URL
	local r u
	printf '{"class_uid":5001}\n' >"$T/in"
	while read -r r u; do
		SEKOIA_REGION=$r push -n -v <"$T/in"
		assert_status 0
		assert_err "^ocsf-push: POST ${u//./\\.}/v2/asset-management/asset-connector/$UUID\$"
	done <<-'EOF2'
		FRA1 https://api.sekoia.io/api
		FRA2 https://app.fra2.sekoia.io/api
		MCO1 https://app.mco1.sekoia.io/api
		UAE1 https://app.uae1.sekoia.io/api
		USA1 https://app.usa1.sekoia.io/api
		usa1 https://app.usa1.sekoia.io/api
	EOF2
	# no region, no base URL: FRA1
	push -n -v <"$T/in"
	assert_err "^ocsf-push: POST https://api\.sekoia\.io/api/v2/asset-management/asset-connector/$UUID\$"
	SEKOIA_REGION=EU1 push -n <"$T/in"
	assert_status 78
	assert_err '^ocsf-push: SEKOIA_REGION EU1: not a region: FRA1, FRA2, MCO1, UAE1 or USA1'
}

@test "ocsf-push: a path, query, fragment, both variables, the type UUID: 78 before any request or read" {
	intake
	local u
	for u in "$INTAKE_URL/api/v2" "$INTAKE_URL/x" "$INTAKE_URL/api/api" \
	    "$INTAKE_URL/?x=1" "$INTAKE_URL/api?x=1" "$INTAKE_URL/#frag"; do
		SECONDS=0
		SEKOIA_BASE_URL=$u push < <(sleep 30)
		assert_status 78
		[ "$SECONDS" -lt 10 ] || fail "$u: waited for input"
		assert_err '^ocsf-push: SEKOIA_BASE_URL.*https://HOST/api'
		[ ! -s "$T/failed" ]
	done
	SEKOIA_REGION=FRA2 push < <(sleep 30)
	assert_status 78
	assert_err '^ocsf-push: both SEKOIA_REGION and SEKOIA_BASE_URL are set'
	SEKOIA_CONNECTOR_UUID=b6e2c8a2-4f3b-4e7a-8c1d-2e4f3a6b7c9d push < <(sleep 30)
	assert_status 78
	assert_err '^ocsf-push: SEKOIA_CONNECTOR_UUID b6e2c8a2-.* is the type of connector.*create an asset connector.*UUID'
	SEKOIA_CONNECTOR_UUID=0f1e2d3c4b5a69788796a5b4c3d2e1f0 push < <(sleep 30)
	assert_status 78
	assert_err '^ocsf-push: SEKOIA_CONNECTOR_UUID 0f1e2d3c4b5a69788796a5b4c3d2e1f0: not a UUID; .*8-4-4-4-12.*xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'
	[ "$(nreqs)" -eq 0 ]
}

@test "ocsf-push: the password of a base URL with credentials stays out of the message" {
	gen 1 >"$T/in"
	SEKOIA_BASE_URL=http://u:pass@127.0.0.1:1/ push <"$T/in"
	assert_status 78
	assert_err '^ocsf-push: SEKOIA_BASE_URL .*credentials'
	if grep -q pass "$T/err"; then fail "the password leaked: $err"; fi
	SEKOIA_BASE_URL='http://127.0.0.1:1/?token=s3cr3t' push <"$T/in"
	assert_status 78
	if grep -q s3cr3t "$T/err"; then fail "the query leaked: $err"; fi
}

# ---- only OCSF records -----------------------------------------------

@test "ocsf-push: raw Okta devices are refused (did you forget okta2ocsf?), never sent" {
	intake
	{
		printf '%s\n' '{"id":"guo1","status":"ACTIVE","profile":{"displayName":"a"},"resourceType":"UDDevice"}'
		printf '%s\n' '{"id":"guo2","profile":{"platform":"WINDOWS"}}'
		printf '%s\n' '{"class_uid":"5001"}' '{"class_uid":5001.0}' '{"class_uid":5e3}'
		printf '%s\n' '{"device":{"class_uid":5001}}' '{"class_uid":null}'
		printf '%s\n' '{"class_uid":5001,"n":8}' '{"n":9,"class_uid":-1}'
	} >"$T/in"
	push "$T/in"
	assert_status 1
	assert_split "$T/in" 1 2 3 4 5 6 7
	assert_err "^ocsf-push: $T/in:1: not an OCSF record: did you forget okta2ocsf\\?"
	assert_err "^ocsf-push: $T/in:2: not an OCSF record: did you forget okta2ocsf\\?"
	local n
	for n in 3 4 5 7; do
		assert_err "^ocsf-push: $T/in:$n: not an OCSF record: class_uid is not an integer"
	done
	assert_err "^ocsf-push: $T/in:6: not an OCSF record: no class_uid"
	[ "$(reqs items)" = "2" ]
	assert_summary 9 2 7 7
}

@test "ocsf-push: okta-fetch | ocsf-push (okta2ocsf forgotten): all refused, nothing sent, exit 1" {
	if [ ! -f "$SAMPLE" ]; then
		echo "# $SAMPLE not found: sample devices skipped" >&3
		skip "no sample devices"
	fi
	intake
	sample_ndjson >"$T/in"
	push <"$T/in"
	assert_status 1
	cmp -s "$T/in" "$T/failed" || fail "FAILED is not the input"
	[ "$(nreqs)" -eq 0 ]
	[ "$(grep -c 'did you forget okta2ocsf' "$T/err")" -eq "$(wc -l <"$T/in")" ]
}

# ---- --check -------------------------------------------------------------

@test "ocsf-push --check: key and connector accepted: one empty POST, one line, exit 0" {
	intake
	push --check
	assert_status 0
	[ ! -s "$T/failed" ] || fail "stdout: $(cat "$T/failed")"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "$err"
	assert_err "^ocsf-push: check: the key and connector $UUID were accepted \\(HTTP 400\\)"
	[ "$(reqs items)" = "0" ] && [ "$(nreqs)" -eq 1 ]
}

@test "ocsf-push --check: wrong key 77, key without the right 77, unknown connector 69, dead port 75" {
	intake --key other-key
	push --check
	assert_status 77
	assert_err '^ocsf-push: check: HTTP 401 .*key was refused'
	[ "$(wc -l <"$T/err")" -eq 1 ] && [ ! -s "$T/failed" ]
	stop_servers
	intake --fault '403@*'
	push --check
	assert_status 77
	assert_err "^ocsf-push: check: HTTP 403 .*lacks the right.*$UUID"
	stop_servers
	intake --uuid 11111111-2222-3333-4444-555555555555
	push --check
	assert_status 69
	assert_err "^ocsf-push: check: HTTP 404 .*unknown connector or wrong region.*$UUID"
	[ "$(wc -l <"$T/err")" -eq 1 ] && [ ! -s "$T/failed" ]
	SEKOIA_BASE_URL=http://127.0.0.1:1 push --check
	assert_status 75
	[ "$(wc -l <"$T/err")" -eq 1 ] && [ ! -s "$T/failed" ]
	assert_err '^ocsf-push: check: .*(connect|Connection refused)'
	push --check "$T/in"
	assert_status 64
	SEKOIA_CONNECTOR_UUID=x push --check
	assert_status 78
}

# ---- input that fails, FAILED that is input, signals -------------------

@test "ocsf-push: stdin reset mid-batch (RST): lines read are delivered, the fragment dropped, exit 75" {
	intake
	gen 5 >"$T/in"
	printf '%s' '{"n":6,"class_uid":50' >"$T/frag"
	cat "$T/in" "$T/frag" >"$T/feed"
	status=0
	timeout 60 python3 - "$OCSF_PUSH" "$T/feed" "$T/failed" "$T/err" -b 3 -i 60 <<'EOF2' 3>&- || status=$?
import fcntl, socket, struct, subprocess, sys, termios, time
push, feed, out, err = sys.argv[1:5]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
c = socket.create_connection(srv.getsockname())
a, _ = srv.accept()
p = subprocess.Popen([push] + sys.argv[5:], stdin=a.fileno(),
                     stdout=open(out, "wb"), stderr=open(err, "wb"))
c.sendall(open(feed, "rb").read())
# wait until ocsf-push has read every byte, then reset the connection
deadline = time.time() + 30
while time.time() < deadline:
    n = struct.unpack("i", fcntl.ioctl(a.fileno(), termios.FIONREAD,
                                       b"\0" * 4))[0]
    if n == 0:
        break
    time.sleep(0.02)
time.sleep(0.2)
a.close()
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
sys.exit(p.wait(timeout=50))
EOF2
	err=$(cat "$T/err")
	assert_status 75
	assert_split "$T/in"
	assert_err "^ocsf-push: stdin: read error, reading it ends here; $(wc -c <"$T/frag") bytes of an unfinished line dropped: Connection reset"
	[ "$(reqs items)" = "3 2" ] || fail "items: $(reqs items)"
	assert_summary 5 5 0 0
}

@test "ocsf-push: a directory among the input files is reported and skipped, the later files read" {
	intake
	gen 3 >"$T/a"
	gen 5 | sed -n '4,5p' >"$T/b"
	mkdir "$T/dir"
	push "$T/a" "$T/dir" "$T/nosuch" "$T/b"
	assert_status 1
	cat "$T/a" "$T/b" >"$T/all"
	assert_split "$T/all"
	assert_err "^ocsf-push: $T/dir: Is a directory"
	assert_err "^ocsf-push: $T/nosuch: No such file"
	assert_summary 5 5 0 0
}

@test "ocsf-push: FAILED that is one of the inputs is refused (64), nothing sent" {
	intake --fault '400@*'
	gen 4 >"$T/same.ndjson"
	cp "$T/same.ndjson" "$T/orig"
	push -f "$T/same.ndjson" "$T/same.ndjson"
	assert_status 64
	assert_err "^ocsf-push: $T/same.ndjson is also an input"
	push -f "$T/same.ndjson" "$T/orig" - <"$T/same.ndjson"
	assert_status 64
	assert_err '^ocsf-push: stdin is also an input'
	# FAILED on stdout, appended to the file that is stdin
	status=0
	timeout 60 "$OCSF_PUSH" <"$T/same.ndjson" >>"$T/same.ndjson" 2>"$T/err" || status=$?
	assert_status 64
	cmp "$T/orig" "$T/same.ndjson"
	[ "$(nreqs)" -eq 0 ]
}

# feed_push ARGS...: ocsf-push in the background reading $T/fifo; $T/in is
# written into the fifo at once and $T/fed appears when ocsf-push has read
# every byte of it; the fifo stays open.  PUSH_PID, PROD_PID set.
feed_push() {
	rm -f "$T/fifo" "$T/fed"
	mkfifo "$T/fifo"
	"$OCSF_PUSH" "$@" <"$T/fifo" >"$T/failed" 2>"$T/err" 3>&- &
	PUSH_PID=$!
	python3 -c 'import fcntl, os, struct, sys, termios, time
fd = os.open(sys.argv[2], os.O_WRONLY)
data = open(sys.argv[1], "rb").read()
while data:
    data = data[os.write(fd, data):]
while struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]:
    time.sleep(0.02)
open(sys.argv[3], "w").close()
time.sleep(120)' "$T/in" "$T/fifo" "$T/fed" 3>&- &
	PROD_PID=$!
	SERVER_PIDS+=("$PUSH_PID" "$PROD_PID")
}

fed() { [ -e "$T/fed" ]; }

@test "ocsf-push: SIGTERM with half a line pending: the fragment is no line, not in FAILED" {
	intake --latency 1000
	gen 4 >"$T/lines"
	printf '%s' '{"n":5,"class_uid":5001,"s":"cut' >"$T/frag"
	cat "$T/lines" "$T/frag" >"$T/in"
	feed_push -b 3 -i 60
	wait_for 20 fed
	wait_for 20 has_requests 1
	kill -TERM "$PUSH_PID"
	wait_exit "$PUSH_PID" 20
	assert_status 75
	assert_split "$T/lines" 4
	assert_err "^ocsf-push: stdin: $(wc -c <"$T/frag") bytes of an unfinished line dropped"
	assert_summary 4 3 0 1
}

@test "ocsf-push: SIGHUP and SIGQUIT stop like SIGTERM: nothing lost, exit 75" {
	local sig
	for sig in HUP QUIT; do
		stop_servers
		rm -rf "$REC"
		intake --latency 1000
		gen 5 >"$T/in"
		feed_push -b 3 -i 60
		wait_for 20 fed
		wait_for 20 has_requests 1
		kill -"$sig" "$PUSH_PID"
		wait_exit "$PUSH_PID" 20
		assert_status 75
		assert_split "$T/in" 4 5
		assert_err '^ocsf-push: (Hangup|Quit): stopping'
	done
}

@test "ocsf-push: SIGKILL after refused batches: FAILED on disk holds them, whole lines" {
	intake --refuse '"n":'
	gen 40 >"$T/in"
	feed_push -b 1 -i 60 -f "$T/failed.ndjson"
	wait_for 20 has_requests 6
	kill -KILL "$PUSH_PID"
	wait_exit "$PUSH_PID" 20
	[ "$status" -eq 137 ] || fail "status $status"
	# the answer to request 5 was handled before request 6 went out
	local n
	n=$(count_lines "$T/failed.ndjson")
	[ "$n" -ge 5 ] || fail "FAILED holds $n lines"
	[ "$(tail -c 1 "$T/failed.ndjson" | od -An -c | tr -d ' ')" = '\n' ] ||
		fail "FAILED ends in a torn line"
	head -n "$n" "$T/in" | cmp - "$T/failed.ndjson"
	[ "$(recorded | wc -l)" -eq 0 ]
}

# ---- promises of the man page ---------------------------------------

@test "ocsf-push: X-Rate-Limit-Reset (no Retry-After) is honoured as the wait" {
	intake --fault 429reset@1 --retry-after 2
	gen 4 >"$T/in"
	push --max-retries 2 <"$T/in"
	assert_status 0
	assert_split "$T/in"
	[ "$(reqs status)" = "429 200" ] || fail "statuses: $(reqs status)"
	# Reset - Date + 1: 3 s or 4 s; a backoff would be at most 1 s
	assert_err '^ocsf-push: HTTP 429 .*retrying a batch of 4 in [34]\.0 s'
	python3 -c 'import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1])]
assert t[1] - t[0] >= 2.9, ("waited", t[1] - t[0])' "$REC/requests.log"
}

@test "ocsf-push: a batch never spans two input files" {
	intake
	gen 5 >"$T/all"
	head -n 3 "$T/all" >"$T/a"
	tail -n 2 "$T/all" >"$T/b"
	push -b 10 "$T/a" "$T/b"
	assert_status 0
	assert_split "$T/all"
	[ "$(reqs items)" = "3 2" ] || fail "items: $(reqs items)"
}

@test "ocsf-push: FAILED is created with mode 0600, whatever the umask" {
	intake --refuse '"n":2,'
	gen 3 >"$T/in"
	(umask 000 && push -b 3 -f "$T/new.failed" <"$T/in")
	[ "$(stat -c %a "$T/new.failed")" = 600 ] ||
		fail "mode $(stat -c %a "$T/new.failed")"
	pick "$T/in" 2 | cmp - "$T/new.failed"
}

# ---- --stats and --help ----------------------------------------------

@test "ocsf-push --stats: the counters and exit status, after a run that works and ones that fail" {
	intake --refuse '"n":4,'
	gen 10 >"$T/in"
	push -b 3 --stats "$T/stats.json" <"$T/in"
	assert_status 1
	python3 - "$T/stats.json" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
keys = ["lines", "accepted", "batches", "retries", "rejected", "failed",
        "batches_confirmed", "batches_ingest_failed", "batches_unconfirmed",
        "lost", "seconds", "exit_status"]
assert list(d) == keys, list(d)
# batches: 4 of the input, then the halves 4,5 and 6 and then 4 alone, 5
assert (d["lines"], d["accepted"], d["rejected"], d["failed"],
        d["retries"], d["exit_status"]) == (10, 9, 1, 1, 0, 1), d
assert d["batches"] == 8, d
assert isinstance(d["seconds"], float), d
EOF2
	stop_servers
	rm -rf "$REC"
	intake --fault 401@1
	push -b 2 --stats "$T/stats.json" <"$T/in"
	assert_status 77
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert (d["lines"], d["accepted"], d["failed"], d["exit_status"]) == (10, 0, 10, 77), d' "$T/stats.json"
	SEKOIA_CONNECTOR_UUID= push --stats "$T/stats.json" <"$T/in"
	assert_status 78
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit_status"] == 78 and d["lines"] == 0, d' "$T/stats.json"
}

@test "ocsf-push --help: every option and variable of the manual's SYNOPSIS and ENVIRONMENT" {
	run -0 --separate-stderr "$OCSF_PUSH" --help
	[ -z "$stderr" ]
	[[ $output == *"See ocsf-push(1)."* ]]
	local o
	for o in $(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$ROOT/man/ocsf-push.1" |
	    grep -o 'Fl [-A-Za-z]*' | sed 's/^Fl //'); do
		if [ "${o#-}" != "$o" ]; then
			o="-$o"
			[[ $output == *"$o"* ]] || fail "--help lacks $o"
		else
			local i
			for ((i = 0; i < ${#o}; i++)); do
				grep -Eq -- "(^| )-${o:$i:1}( |,|$)" <<<"$output" ||
				    fail "--help lacks -${o:$i:1}"
			done
		fi
	done
	for o in $(sed -n '/^\.Sh ENVIRONMENT/,/^\.Sh FILES/p' "$ROOT/man/ocsf-push.1" |
	    grep -o 'Ev [A-Za-z_]*' | sed 's/^Ev //; s/_FILE$//' | grep -vx VAR); do
		[[ $output == *"$o"* ]] || fail "--help lacks $o"
	done
	run -64 --separate-stderr "$OCSF_PUSH" -b 0
	[ -z "$output" ]
	[[ $stderr == "ocsf-push: -b 0: "*"usage: ocsf-push "* ]] || fail "$stderr"
	run -64 --separate-stderr "$OCSF_PUSH" --bogus
	[[ $stderr == *"usage: ocsf-push "* ]]
}

# ---- proof of ingestion (tasks) and a refusing API -------------------

# jstat KEY: KEY of $T/stats.json.
jstat() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$T/stats.json" "$1"
}

# intake_stat KEY: KEY of the intake's GET /stats.
intake_stat() {
	curl -s "$INTAKE_URL/stats" | python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# npolls: the task polls the intake answered.
npolls() {
	count_lines "$REC/tasks.log"
}

# assert_ingest_failed: FAILED is, as a multiset, exactly the items of
# the batches whose task failed, and recorded + FAILED is the input.
assert_ingest_failed() {
	norm <"$T/failed" | sort >"$T/got.failed"
	sort "$REC/ingest-failed.ndjson" >"$T/exp.failed"
	cmp -s "$T/exp.failed" "$T/got.failed" ||
		fail "FAILED is not the lines of the failed batches:" \
		    "$(diff "$T/exp.failed" "$T/got.failed")" "stderr:" "$err"
	assert_union "$1"
}

@test "ocsf-push: tasks: every line is in a confirmed batch or in FAILED, exit 75" {
	intake --task --task-fail-every 3
	gen 50 >"$T/in"
	push -b 5 --stats "$T/stats.json" <"$T/in"
	assert_status 75
	assert_ingest_failed "$T/in"
	[ "$(count_lines "$T/failed")" -eq 15 ] || fail "FAILED: 15 lines expected" "$err"
	[ "$(grep -c 'was not ingested' "$T/err")" -eq 3 ] || fail "$err"
	assert_err '^ocsf-push: stdin:11-15: a batch of 5 the API accepted was not ingested \(task [-0-9a-f]+: FAILED\); its lines go to FAILED'
	assert_err '^ocsf-push: 50 lines read, 35 accepted, 10 batches \(7 confirmed, 3 ingest failed, 0 unconfirmed\), 0 retries, 0 rejected, 15 failed'
	[ "$(jstat batches_confirmed) $(jstat batches_ingest_failed) $(jstat batches_unconfirmed)" = "7 3 0" ] ||
		fail "stats: $(cat "$T/stats.json")"
	[ "$(jstat accepted) $(jstat failed)" = "35 15" ] || fail "stats: $(cat "$T/stats.json")"
	# Each task polled until final: once PENDING, then its final status.
	[ "$(npolls)" -eq 20 ] || fail "$(npolls) polls, expected 20"
}

@test "ocsf-push: a final status with FAIL, ERROR or CANCEL in any case fails; others confirm" {
	local st
	gen 12 >"$T/in"
	for st in Cancelled error_ingestion PARTIAL_FAILURE; do
		rm -rf "$REC"
		intake --task --task-fail '"n":(2|7),' --task-failed "$st" --task-ok SUCCESS
		push -b 3 <"$T/in"
		assert_status 75
		assert_ingest_failed "$T/in"
		[ "$(count_lines "$T/failed")" -eq 6 ] || fail "$st: $err"
		assert_err "\(task [-0-9a-f]+: $st\)"
		stop_servers
	done
}

@test "ocsf-push: tasks across -P 4: FAILED is the failed batches, on at most 4 connections" {
	intake --task --task-fail '"n":(7|77|150|199),'
	gen 200 >"$T/in"
	push -b 5 -P 4 --stats "$T/stats.json" <"$T/in"
	assert_status 75
	assert_ingest_failed "$T/in"
	[ "$(count_lines "$T/failed")" -eq 20 ] || fail "$err"
	[ "$(jstat batches_confirmed) $(jstat batches_ingest_failed)" = "36 4" ] ||
		fail "stats: $(cat "$T/stats.json")"
	local c
	c=$(intake_stat connections)
	[ "$((c - 1))" -le 4 ] || fail "$((c - 1)) connections for -P 4"
}

@test "ocsf-push: no task endpoint (404, or not JSON): exit 0, said once, no more polls" {
	local mode
	gen 30 >"$T/in"
	for mode in 404 html nostatus; do
		rm -rf "$REC"
		intake --task-api "$mode"
		push -b 5 --stats "$T/stats.json" <"$T/in"
		assert_status 0
		assert_union "$T/in"
		[ ! -s "$T/failed" ] || fail "$mode: FAILED not empty"
		[ "$(grep -c 'could not be confirmed' "$T/err")" -eq 1 ] ||
			fail "$mode: not said once:" "$err"
		[ "$(npolls)" -eq 1 ] || fail "$mode: $(npolls) polls, expected 1"
		[ "$(jstat batches_unconfirmed) $(jstat batches_confirmed)" = "6 0" ] ||
			fail "$mode: stats: $(cat "$T/stats.json")"
		[ "$mode" != 404 ] ||
			assert_err '^ocsf-push: task API: HTTP 404 NOT_FOUND: not found \(an older platform without it\?\): ingestion could not be confirmed'
		[ "$mode" = 404 ] ||
			assert_err '^ocsf-push: the task API answers no JSON task status \(an older platform\?\): ingestion could not be confirmed'
		stop_servers
	done
}

@test "ocsf-push: a task_id that is no string is ignored: accepted, unconfirmed, never polled" {
	local kind
	gen 10 >"$T/in"
	for kind in number null object empty long; do
		rm -rf "$REC"
		intake --task --task-id-type "$kind"
		push -b 5 --stats "$T/stats.json" <"$T/in"
		assert_status 0
		assert_union "$T/in"
		[ "$(npolls)" -eq 0 ] || fail "$kind: polled"
		[ "$(jstat batches_unconfirmed)" -eq 2 ] || fail "$kind: $(cat "$T/stats.json")"
		[ "$(grep -c 'no task id' "$T/err")" -eq 1 ] || fail "$kind: $err"
		stop_servers
	done
}

@test "ocsf-push: --task-wait 0 never polls; the batches are accepted, unconfirmed" {
	intake --task --task-fail-every 1
	gen 20 >"$T/in"
	push -b 5 --task-wait 0 --stats "$T/stats.json" <"$T/in"
	assert_status 0
	[ ! -s "$T/failed" ] || fail "FAILED not empty"
	[ "$(npolls)" -eq 0 ] || fail "$(npolls) polls with --task-wait 0"
	[ "$(jstat batches_unconfirmed)" -eq 4 ] || fail "$(cat "$T/stats.json")"
	assert_err '4 batches \(0 confirmed, 0 ingest failed, 4 unconfirmed\)'
}

@test "ocsf-push: tasks still open after --task-wait stay accepted, unconfirmed: exit 0" {
	intake --task --task-pending 100000 --task-fail-every 1
	gen 20 >"$T/in"
	push -b 5 --task-wait 2 --stats "$T/stats.json" <"$T/in"
	assert_status 0
	[ ! -s "$T/failed" ] || fail "FAILED not empty"
	[ "$(jstat batches_unconfirmed) $(jstat batches_ingest_failed)" = "4 0" ] ||
		fail "$(cat "$T/stats.json")"
	[ "$(grep -c 'still open after --task-wait 2 s' "$T/err")" -eq 1 ] || fail "$err"
	# Polled on the schedule (1 s, then 2 s), and not after the wait.
	[ "$(npolls)" -ge 4 ] && [ "$(npolls)" -le 8 ] || fail "$(npolls) polls"
}

@test "ocsf-push: a 429 with Retry-After on the task API is obeyed, then the task confirmed" {
	intake --task --task-fault 429@1-2 --retry-after 1
	gen 5 >"$T/in"
	push -b 5 --stats "$T/stats.json" <"$T/in"
	assert_status 0
	assert_split "$T/in"
	assert_retry_lines 429 429
	assert_err 'task API: HTTP 429 TOO_MANY_REQUESTS: rate limited: retrying the poll of task [-0-9a-f]+ in 1\.0 s'
	[ "$(jstat batches_confirmed) $(jstat retries)" = "1 2" ] || fail "$(cat "$T/stats.json")"
	# 2 refused, then PENDING, then COMPLETED.
	[ "$(npolls)" -eq 4 ] || fail "$(npolls) polls"
}

@test "ocsf-push: a task API failing for good: --max-retries, then unconfirmed, never forever" {
	intake --task --task-fault 503@*
	gen 10 >"$T/in"
	push -b 5 --max-retries 2 --stats "$T/stats.json" <"$T/in"
	assert_status 0
	assert_union "$T/in"
	[ "$(npolls)" -eq 3 ] || fail "$(npolls) polls: 1 and 2 retries expected"
	[ "$(grep -c 'could not be confirmed' "$T/err")" -eq 1 ] || fail "$err"
	[ "$(jstat batches_unconfirmed)" -eq 2 ] || fail "$(cat "$T/stats.json")"
}

@test "ocsf-push: the task URL follows the base's /api rule, with the same key" {
	intake --task --key other-key
	gen 5 >"$T/in"
	SEKOIA_API_KEY=other-key SEKOIA_BASE_URL=$INTAKE_URL/api push <"$T/in"
	assert_status 0
	grep -q '"status":200,"state":"COMPLETED"' "$REC/tasks.log" || fail "$(cat "$REC/tasks.log")"
	! grep -q '/api/api' "$REC/tasks.log"
}

@test "ocsf-push: SIGTERM with tasks open: their lines go nowhere (accepted), exit 75" {
	intake --task --task-pending 100000 --task-fail-every 2
	gen 20 >"$T/in"
	"$OCSF_PUSH" -b 5 --stats "$T/stats.json" <"$T/in" >"$T/failed" 2>"$T/err" &
	local pid=$!
	wait_for 20 has_requests 4
	wait_for 20 test -s "$REC/tasks.log"
	kill -TERM "$pid"
	wait_exit "$pid" 20
	assert_status 75
	[ ! -s "$T/failed" ] || fail "FAILED holds accepted lines:" "$(cat "$T/failed")"
	[ "$(jstat batches_unconfirmed) $(jstat accepted)" = "4 20" ] || fail "$(cat "$T/stats.json")"
	assert_err 'stopping; lines read but not accepted go to'
}

@test "ocsf-push: the batches kept for their tasks are bounded: at 1024, the next waits" {
	intake --task --task-pending 100000
	gen 1030 >"$T/in"
	push -b 1 --task-wait 2 --stats "$T/stats.json" <"$T/in"
	assert_status 0
	assert_split "$T/in"
	[ "$(jstat batches_unconfirmed)" -eq 1030 ] || fail "$(cat "$T/stats.json")"
	# POST 1025 waited for the first task's --task-wait (2 s) to end.
	python3 - "$REC/requests.log" <<'EOF2'
import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1])]
assert len(t) == 1030, len(t)
assert t[1024] - t[0] >= 1.5, (t[0], t[1023], t[1024])
EOF2
}

@test "ocsf-push: an API refusing every record: stop after 8, exit 69, FAILED is the input, at most 40 requests" {
	intake --refuse .
	gen 1000 >"$T/in"
	push --stats "$T/stats.json" <"$T/in"
	assert_status 69
	cmp -s "$T/in" "$T/failed" || fail "FAILED is not the input" "$err"
	[ "$(nreqs)" -le 40 ] || fail "$(nreqs) requests"
	[ "$(grep -c 'refused by the API' "$T/err")" -eq 8 ] || fail "$err"
	assert_err '^ocsf-push: the API refused each of the first 8 records sent alone and accepted none: .*okta2ocsf -T ocsf.*; first refusal stdin:1: HTTP 400 INVALID_ITEM: items\[0\] is refused; no more requests'
	[ "$(jstat accepted) $(jstat failed) $(jstat exit_status)" = "0 1000 69" ] ||
		fail "$(cat "$T/stats.json")"
	# With -P 4 and 16 too: the search goes one batch at a time.
	local p
	for p in 4 16; do
		rm -rf "$REC"
		stop_servers
		intake --refuse .
		push -P "$p" <"$T/in"
		assert_status 69
		sort "$T/in" | cmp -s - <(sort "$T/failed") || fail "-P $p: FAILED is not the input"
		[ "$(nreqs)" -le 40 ] || fail "-P $p: $(nreqs) requests"
	done
}

@test "ocsf-push: 10 records refused alone after one accepted: no early stop, exit 1" {
	intake --refuse '"n":([2-9]|1[01]),'
	gen 30 >"$T/in"
	push -b 1 <"$T/in"
	assert_status 1
	assert_split "$T/in" 2 3 4 5 6 7 8 9 10 11
	! grep -q 'refused each of the first' "$T/err"
	[ "$(nreqs)" -eq 30 ]
}

@test "ocsf-push: a task status echoing the API key is redacted, at -vv too" {
	intake --task --task-fail-every 2 --task-failed "FAILED for test-key" --task-ok "done test-key"
	gen 10 >"$T/in"
	push -b 5 -vv <"$T/in"
	assert_status 75
	assert_ingest_failed "$T/in"
	! grep -q 'test-key' "$T/err" || fail "the key is in stderr:" "$(grep test-key "$T/err")"
	assert_err 'task [-0-9a-f]+: FAILED for \[redacted\]'
}

@test "ocsf-push: -P 1 with polls due and batches waiting: they take turns, no run of polls" {
	intake --task --task-pending 100000 --latency 20
	gen 80 >"$T/in"
	push -b 1 --task-wait 3 <"$T/in"
	assert_status 0
	assert_split "$T/in"
	python3 - "$REC/requests.log" "$REC/tasks.log" <<'EOF2'
import json, sys
ev = [(json.loads(l)["t"], "P") for l in open(sys.argv[1])]
ev += [(json.loads(l)["t"], "g") for l in open(sys.argv[2])]
seq = "".join(k for _, k in sorted(ev))
inner = seq[seq.index("P"):seq.rindex("P") + 1]
assert "g" in inner, seq
assert "gg" not in inner, seq
EOF2
}

# ---- issue 20 ----------------------------------------------------------

@test "ocsf-push: -P 2, a batch that fails after another batch's 401: in FAILED, not lost" {
	# batch 1 is refused at once; batch 2, in flight, fails 2 s later
	intake --fault 401@1 --fault hang503@2 --hang-seconds 2
	gen 10 >"$T/in"
	push -P 2 -b 5 --stats "$T/st" <"$T/in"
	assert_status 77
	[ "$(nreqs)" -eq 2 ] || fail "requests: $(reqs status)"
	[ "$(recorded | wc -l)" -eq 0 ]
	assert_union "$T/in"
	[ "$(wc -l <"$T/failed")" -eq 10 ] || fail "FAILED has $(wc -l <"$T/failed") lines"
	grep -q '"failed":10,' "$T/st" && grep -q '"lost":0,' "$T/st" ||
		fail "stats: $(cat "$T/st")"
}

@test "ocsf-push --stats lost: 0 when every line is accounted for, the unsaved lines when FAILED fails" {
	intake --refuse '"n":4,'
	gen 10 >"$T/in"
	push -b 3 --stats "$T/st" <"$T/in"
	assert_status 1
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["lost"] == 0 and d["lines"] == d["accepted"] + d["failed"], d' "$T/st"
	stop_servers
	rm -rf "$REC"
	intake --fault 401@1
	push -b 2 -f /dev/full --stats "$T/st" <"$T/in"
	assert_status 77
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert (d["lines"], d["accepted"], d["failed"], d["lost"]) == (10, 0, 10, 10), d' "$T/st"
}

@test "ocsf-push -f FILE with stderr closed: FAILED holds the failed lines only, no diagnostic" {
	skip_under_valgrind "valgrind's log would take the closed descriptor"
	intake --fault 401@1
	gen 10 >"$T/in"
	status=0
	timeout 60 "$OCSF_PUSH" -vvv -b 5 -f "$T/F" "$T/in" 2>&- || status=$?
	assert_status 77
	cmp -s "$T/in" "$T/F" || fail "FAILED is not the input:" "$(head -c 600 "$T/F")"
	[ "$(stat -c %a "$T/F")" = 600 ] || fail "FAILED mode $(stat -c %a "$T/F")"
}

@test "ocsf-push -f a FIFO with no reader: 78 at once; -f /dev/stdout and a FIFO being read work" {
	intake --fault 401@1
	gen 4 >"$T/in"
	mkfifo "$T/fifo"
	push -f "$T/fifo" "$T/in"
	assert_status 78
	assert_err "^ocsf-push: $T/fifo: a FIFO with no reader"
	# a reader that says when it has the FIFO open (then none is needed)
	python3 -c 'import sys
f = open(sys.argv[1], "rb")
open(sys.argv[2], "w").close()
open(sys.argv[3], "wb").write(f.read())' "$T/fifo" "$T/open" "$T/fromfifo" &
	local i reader=$!
	for i in $(seq 100); do [ -e "$T/open" ] && break; sleep 0.1; done
	push -f "$T/fifo" "$T/in"
	wait "$reader"
	assert_status 77
	cmp -s "$T/in" "$T/fromfifo" || fail "the FIFO's reader got: $(cat "$T/fromfifo")"
	stop_servers
	intake --fault 401@1
	push -f /dev/stdout "$T/in"
	assert_status 77
	cmp -s "$T/in" "$T/failed" || fail "stdout got: $(cat "$T/failed")"
}

@test "ocsf-push: SEKOIA_API_KEY of 7 characters, or its file a FIFO, or with a Bearer prefix: 78" {
	gen 2 >"$T/in"
	export SEKOIA_BASE_URL=http://127.0.0.1:9
	SEKOIA_API_KEY=abcdefg push "$T/in"
	assert_status 78
	assert_err "^ocsf-push: SEKOIA_API_KEY: 7 characters: too short"
	mkfifo "$T/key"
	SEKOIA_API_KEY= SEKOIA_API_KEY_FILE=$T/key push "$T/in"
	assert_status 78
	assert_err "SEKOIA_API_KEY_FILE: $T/key is a FIFO"
	rm "$T/key"
	printf 'Bearer test-key-123\n' >"$T/key"
	SEKOIA_API_KEY= SEKOIA_API_KEY_FILE=$T/key push "$T/in"
	assert_status 78
	assert_err "SEKOIA_API_KEY_FILE: $T/key begins with an Authorization scheme"
}

@test "ocsf-push: core dumps off (RLIMIT_CORE 0) while it waits on a stalled intake" {
	intake --fault 'hang@*' --hang-seconds 20
	gen 2 >"$T/in"
	no_core_dumps "$OCSF_PUSH" -q "$T/in"
}
