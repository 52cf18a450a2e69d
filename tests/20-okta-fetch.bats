#!/usr/bin/env bats
# 20-okta-fetch.bats: okta-fetch against the Okta stand-in, tests/fixtures/okta.py
# (SPEC.md "Shared conventions" and "okta-fetch"; reference/okta-devices-api.md
# sections 3, 4, 5 and 10).
#
# The expected devices come from an oracle: setup_file walks the pages of a
# clean stand-in (--generate 1000, no fault) with Python's http.client and
# saves what it got.  The stand-in's device i does not depend on --generate N,
# so the first N lines of that walk are the devices of any --generate N org.
# Every case checks stdout, the exit status and stderr, and the stand-in's
# request log (--log) when the case is about requests.
# shellcheck disable=SC2154  # status, output, stderr, stderr_lines: set by run
load helper

export OKTA_API_TOKEN=test-token
OKTA_LOG=$BATS_TEST_TMPDIR/requests.log
DATA=$BATS_TEST_DIRNAME/data/fetch
MARKS=$DATA/marks.ndjson

setup_file() {
	local py dir=$BATS_FILE_TMPDIR

	# The pyenv shim costs ~0.3 s a call; the interpreter it runs does not.
	py=$(python3 -c 'import sys; print(sys.executable)')
	if [ -x "$py" ] && [ "$(command -v python3)" != "$py" ]; then
		mkdir -p "$dir/bin"
		ln -sf "$py" "$dir/bin/python3"
		export PATH="$dir/bin:$PATH"
	fi

	start_server ORACLE okta.py --generate 1000 || return 1
	python3 - "$ORACLE_URL" "$dir" <<-'EOF' || { stop_servers; return 1; }
		import http.client, json, sys, urllib.parse
		base, out = sys.argv[1], sys.argv[2]
		u = urllib.parse.urlsplit(base)
		conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
		for name, extra in (("all", ""), ("user", "&expand=user"),
		                    ("summary", "&expand=userSummary")):
		    path = "/api/v1/devices?limit=200" + extra
		    with open(f"{out}/{name}.ndjson", "wb") as f:
		        while path:
		            conn.request("GET", path, headers={"Authorization": "SSWS test-token"})
		            r = conn.getresponse()
		            body = r.read()
		            assert r.status == 200, (r.status, body)
		            for d in json.loads(body):
		                f.write(json.dumps(d, separators=(",", ":"), ensure_ascii=False).encode() + b"\n")
		            path = None
		            for v in r.headers.get_all("Link") or []:
		                for link in v.split(", <"):
		                    if 'rel="next"' in link:
		                        n = urllib.parse.urlsplit(link.split("<")[-1].split(">")[0])
		                        path = n.path + "?" + n.query
	EOF
	stop_servers
	[ "$(wc -l <"$dir/all.ndjson")" -eq 1000 ]
}

ALL=$BATS_FILE_TMPDIR/all.ndjson
ALL_USER=$BATS_FILE_TMPDIR/user.ndjson
ALL_SUMMARY=$BATS_FILE_TMPDIR/summary.ndjson

# ---- helpers ----------------------------------------------------------------

# okta ARGS...: the stand-in, logging its requests to $OKTA_LOG.
okta() { start_okta --log "$OKTA_LOG" "$@"; }

# fetch ARGS...: okta-fetch, stdout in $output, stderr in $stderr.
fetch() { run --separate-stderr timeout 60 "$OKTA_FETCH" "$@"; }

# fetch_env ENV-ARGS... OKTA_FETCH ARGS...: the same through env(1).
fetch_env() { run --separate-stderr timeout 60 env "$@"; }


expect_status() {
	[ "$status" -eq "$1" ] || flunk "exit status $status, expected $1"
}

# expect_stdout_file FILE: stdout is FILE, byte for byte (bar the final newline).
expect_stdout_file() {
	local want
	want=$(cat "$1")
	if [ "$output" != "$want" ]; then
		printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/stdout.actual"
		printf '%s\n' "$want" >"$BATS_TEST_TMPDIR/stdout.expected"
		flunk "stdout differs from the expected devices (cut to ids):" \
			"$(diff <(cut -c1-30 "$BATS_TEST_TMPDIR/stdout.expected") \
				<(cut -c1-30 "$BATS_TEST_TMPDIR/stdout.actual") | head -n 20)"
	fi
}

# expect_devices N: stdout is exactly the first N devices of the oracle.
expect_devices() { expect_stdout_file <(head -n "$1" "$ALL"); }

expect_stdout_empty() {
	[ -z "$output" ] || flunk "stdout should be empty"
}

expect_stderr_empty() {
	[ -z "$stderr" ] || flunk "stderr should be empty"
}

# stderr_has ERE: some stderr line matches.
stderr_has() {
	grep -Eq -- "$1" <<<"$stderr" || flunk "no stderr line matches /$1/"
}

stderr_lacks() {
	! grep -Eq -- "$1" <<<"$stderr" || flunk "a stderr line matches /$1/"
}

# stderr_count ERE N: exactly N stderr lines match.
stderr_count() {
	local n
	n=$(grep -Ec -- "$1" <<<"$stderr" || true)
	[ "$n" -eq "$2" ] || flunk "$n stderr lines match /$1/, expected $2"
}

# stderr_prefixed: stderr is not empty and every line starts "okta-fetch: ".
stderr_prefixed() {
	[ -n "$stderr" ] || flunk "stderr is empty"
	! grep -vq '^okta-fetch: ' <<<"$stderr" ||
		flunk "a stderr line lacks the okta-fetch: prefix"
}

# stderr_usage: a usage error's stderr: one "okta-fetch: " line saying
# what was wrong, then the synopsis.
stderr_usage() {
	[[ ${stderr_lines[0]} == "okta-fetch: "* ]] || flunk "the first line lacks the okta-fetch: prefix"
	[[ ${stderr_lines[1]} == "usage: okta-fetch "* ]] || flunk "no synopsis after the message"
	! sed 1d <<<"$stderr" | grep -q '^okta-fetch: ' || flunk "more than one message"
}

# expect_summary DEVICES PAGES RETRIES: stderr is exactly the summary line,
# preceded by RETRIES retry lines.
expect_summary() {
	local re="^okta-fetch:(.*[^0-9])?$1 devices?[^a-z](.*[^0-9])?$2 pages?[^a-z](.*[^0-9])?$3 retr(y|ies)[^a-z].*[0-9] ?s\$"
	stderr_prefixed
	[ "${#stderr_lines[@]}" -eq "$(($3 + 1))" ] ||
		flunk "${#stderr_lines[@]} stderr lines, expected $3 retry lines and a summary"
	[[ ${stderr_lines[$3]} =~ $re ]] ||
		flunk "the last stderr line is not the summary '$1 devices, $2 pages, $3 retries, S s'"
}

# wait_log N [FILE]: wait (10 s at most) until the log holds N requests.
# The stand-in logs a request before it answers, so every request
# okta-fetch had an answer to is there when okta-fetch has exited; one it
# dropped unanswered (a page asked for ahead) may be logged a little later.
wait_log() {
	local f=${2:-$OKTA_LOG} deadline=$((SECONDS + 10))
	while [ "$(count_lines "$f")" -lt "$1" ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.02
	done
}

# reqs [FILE]: one line per logged request:
#   STATUS CONN SAME RETRY_FOR RETRY_COUNT AUTH QUERY
# CONN numbers the client connections in order of appearance; SAME is "="
# when the query (after included) repeats the previous request's, "+" when
# not; RETRY_FOR is R when X-Okta-Retry-For was sent; QUERY is the query
# without "after", keys sorted, values decoded.
reqs() {
	local f=${1:-$OKTA_LOG}
	[ -f "$f" ] || return 0
	python3 -c 'import json, sys
prev, conns = None, []
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    q = r["query"]
    if r["conn"] not in conns:
        conns.append(r["conn"])
    same, prev = "=" if q == prev else "+", q
    qs = "&".join("%s=%s" % kv for kv in sorted(q.items()) if kv[0] != "after") or "-"
    print(r["status"], conns.index(r["conn"]) + 1, same, "R" if r["retry_for"] else "-",
          r["retry_count"] or "-", r["auth_scheme"] or "-", qs)' "$f"
}

# expect_reqs EXPECTED [FILE]: reqs gives exactly EXPECTED.
expect_reqs() {
	local got
	[ -z "$1" ] || wait_log "$(wc -l <<<"$1")" "${2:-$OKTA_LOG}"
	got=$(reqs "${2:-$OKTA_LOG}")
	[ "$got" = "$1" ] ||
		flunk "request log differs" "--- expected" "$1" "--- actual" "$got"
}

# repeat N LINE: LINE N times, newline-separated.
repeat() {
	local i
	for ((i = 0; i < $1; i++)); do
		[ "$i" -eq 0 ] || printf '\n'
		printf '%s' "$2"
	done
}

# retry_delay: the delay, in seconds, announced by the first retry line.
retry_delay() {
	local line
	line=$(grep -Ei -m1 'retr' <<<"$stderr")
	[[ $line =~ ([0-9]+(\.[0-9]+)?)\ ?s([^a-z]|$) ]] || return 1
	printf '%s\n' "${BASH_REMATCH[1]}"
}

# expect_retries_left MAX: the retry lines say how many retries are left,
# one fewer each time, starting from MAX (counting the one about to be made)
# or MAX - 1 (not counting it): the spec does not say which.
expect_retries_left() {
	local n want=
	local -a got=()
	while read -r n; do
		got+=("$n")
	done < <(grep -Eo '(^|[^0-9])[0-9]+ retr(y|ies) left' <<<"$stderr" | grep -Eo '[0-9]+')
	[ "${#got[@]}" -gt 0 ] || flunk "no retry line says how many retries are left"
	[ "${got[0]}" -eq "$1" ] || [ "${got[0]}" -eq $(($1 - 1)) ] ||
		flunk "the first retry line says ${got[0]} retries left, max is $1"
	for n in "${got[@]}"; do
		[ -z "$want" ] || [ "$n" -eq "$want" ] || flunk "retries left: ${got[*]}"
		want=$((n - 1))
	done
}

# oracle_filter PY-EXPR: the oracle's devices d (parsed) for which EXPR holds.
oracle_filter() {
	python3 -c 'import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    if eval(sys.argv[2]):
        sys.stdout.write(line)' "$ALL" "$1"
}

# expect_no_stray NAME: the stand-in NAME, run with --verbose, which logs
# every request and anything it cannot parse (a TLS hello) on stderr, saw
# nothing but GET /api/v1/devices requests.
expect_no_stray() {
	local stray
	stray=$(grep -v '"GET /api/v1/devices' "$BATS_TEST_TMPDIR/$1.err" || true)
	[ -z "$stray" ] || flunk "the stand-in saw more than requests: $stray"
}

# free_port: a loopback port nobody listens on.
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# ---- listing ----------------------------------------------------------------

@test "empty org: no output, exit 0, summary 0 devices, 1 page" {
	okta --generate 0
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 0
	expect_stdout_empty
	expect_summary 0 1 0
	expect_reqs "200 1 + - - SSWS limit=200"
}

@test "one page: 150 devices, each the stand-in's device as one compact line, in order" {
	okta --generate 150
	fetch -u "$OKTA_URL"
	expect_status 0
	expect_devices 150
	expect_summary 150 1 0
	expect_reqs "200 1 + - - SSWS limit=200"
}

@test "pages with blanks between their tokens: each device printed compact, the same lines" {
	# Page 1 compact (printed from the page itself), pages 2 and 3
	# indented with tabs, spaces and CRs (each device compacted).
	okta --generate 450 --fault pretty@2-3
	fetch -u "$OKTA_URL"
	expect_status 0
	expect_devices 450
	expect_summary 450 3 0
}

@test "many pages: 1000 devices with -l 50: each once, in order, 20 requests on one connection" {
	okta --generate 1000
	fetch -u "$OKTA_URL" -l 50
	expect_status 0
	expect_devices 1000
	expect_summary 1000 20 0
	expect_reqs "$(repeat 20 "200 1 + - - SSWS limit=50")"
}

@test "-l outside 1..200 (0, 201, -1, abc, empty) is a usage error" {
	local l
	for l in 0 201 -1 abc ''; do
		fetch -u http://127.0.0.1:9 -l "$l"
		expect_status 64
		expect_stdout_empty
		stderr_usage
		stderr_has '-l'
	done
}

@test "-s passes the search; --since adds lastUpdated gt, with and and parentheses around -s" {
	local n pages t
	local active='status eq "ACTIVE"' since='lastUpdated gt "2025-01-01T10:00:00.000Z"'
	okta --generate 1000
	oracle_filter 'd["status"] == "ACTIVE"' >"$BATS_TEST_TMPDIR/active"
	oracle_filter 'd["lastUpdated"] > "2025-01-01T10:00:00.000Z"' >"$BATS_TEST_TMPDIR/since"
	oracle_filter 'd["status"] == "ACTIVE" and d["lastUpdated"] > "2025-01-01T10:00:00.000Z"' \
		>"$BATS_TEST_TMPDIR/both"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/since")" -eq 399 ]

	fetch -u "$OKTA_URL" -s "$active"
	n=$(wc -l <"$BATS_TEST_TMPDIR/active")
	pages=$(((n + 199) / 200))
	expect_status 0
	expect_stdout_file "$BATS_TEST_TMPDIR/active"
	expect_summary "$n" "$pages" 0
	expect_reqs "$(repeat "$pages" "200 1 + - - SSWS limit=200&search=$active")"

	: >"$OKTA_LOG"
	fetch -u "$OKTA_URL" --since 2025-01-01T10:00:00Z
	expect_status 0
	expect_stdout_file "$BATS_TEST_TMPDIR/since"
	expect_summary 399 2 0
	expect_reqs "$(repeat 2 "200 1 + - - SSWS limit=200&search=$since")"

	: >"$OKTA_LOG"
	fetch -u "$OKTA_URL" -s "$active" --since 2025-01-01T10:00:00Z
	n=$(wc -l <"$BATS_TEST_TMPDIR/both")
	pages=$(((n + 199) / 200))
	expect_status 0
	expect_stdout_file "$BATS_TEST_TMPDIR/both"
	expect_summary "$n" "$pages" 0
	expect_reqs "$(repeat "$pages" "200 1 + - - SSWS limit=200&search=($active) and $since")"

	# Another offset, the same instant, in Okta's form.
	: >"$OKTA_LOG"
	fetch -u "$OKTA_URL" --since 2025-01-01T12:00:00+02:00
	expect_status 0
	expect_stdout_file "$BATS_TEST_TMPDIR/since"
	expect_summary 399 2 0
	expect_reqs "$(repeat 2 "200 1 + - - SSWS limit=200&search=$since")"

	: >"$OKTA_LOG"
	for t in garbage 2025-13-01T00:00:00Z 2025-01-01T25:00:00Z ''; do
		fetch -u "$OKTA_URL" --since "$t"
		expect_status 64
		expect_stdout_empty
		stderr_usage
		stderr_has 'since'
	done
	expect_reqs ""
}

@test "-e userSummary and -e user: expand is sent, devices carry _embedded.users; -e bogus is 64" {
	okta --generate 450
	fetch -u "$OKTA_URL" -e userSummary
	expect_status 0
	expect_stdout_file <(head -n 450 "$ALL_SUMMARY")
	[ "$(grep -c '"_embedded":{"users":\[' <<<"$output")" -eq 450 ] ||
		flunk "not every device has _embedded.users"
	expect_summary 450 3 0
	expect_reqs "$(repeat 3 "200 1 + - - SSWS expand=userSummary&limit=200")"

	: >"$OKTA_LOG"
	fetch -u "$OKTA_URL" -e user
	expect_status 0
	expect_stdout_file <(head -n 450 "$ALL_USER")
	[ "$(grep -c '"_embedded":{"users":\[' <<<"$output")" -eq 450 ] ||
		flunk "not every device has _embedded.users"
	grep -q '"credentials":' <<<"$output" || flunk "expand=user gave no full users"
	expect_summary 450 3 0
	expect_reqs "$(repeat 3 "200 1 + - - SSWS expand=user&limit=200")"

	: >"$OKTA_LOG"
	for e in bogus users ''; do
		fetch -u "$OKTA_URL" -e "$e"
		expect_status 64
		expect_stdout_empty
		stderr_usage
	done
	expect_reqs ""
}

# ---- retries and rate limits --------------------------------------------------

@test "429 then success: waits Reset - Date + 1, one retry line, X-Okta-Retry-For/-Count sent" {
	skip_timing_under_valgrind
	local t0 t1 delay
	okta --generate 450 --fault 429@2 --retry-wait 1
	t0=$(date +%s.%N)
	fetch -u "$OKTA_URL" --max-retries 2
	t1=$(date +%s.%N)
	expect_status 0
	expect_devices 450
	expect_summary 450 3 1
	[[ ${stderr_lines[0]} =~ 429 ]] || flunk "the retry line does not name 429"
	expect_retries_left 2
	delay=$(retry_delay) || flunk "the retry line gives no delay in seconds"
	expect_reqs "200 1 + - - SSWS limit=200
429 1 + - - SSWS limit=200
200 1 = R 1 SSWS limit=200
200 1 + - - SSWS limit=200"
	# The stand-in's Reset is ceil(t + 1) for a 429 answered at t, its Date
	# floor(t): the retry must come after Reset, and wait Reset - Date + 1
	# (plus at most about a second).
	run python3 -c 'import json, math, sys
L = [json.loads(l) for l in open(sys.argv[1])]
delay, wall = float(sys.argv[2]), float(sys.argv[4]) - float(sys.argv[3])
t429, tretry = L[1]["t"], L[2]["t"]
reset = math.ceil(t429 + 1)
hint = reset - math.floor(t429)
gap = tretry - t429
errs = []
if not hint <= delay <= hint + 1:
    errs.append("announced %.1f s; Reset - Date is %d s" % (delay, hint))
if gap < delay - 0.05 or tretry < reset - 0.01:
    errs.append("retried after %.2f s, before the announced %.1f s or the reset" % (gap, delay))
if gap > hint + 2.1:
    errs.append("retried after %.2f s, more than Reset - Date + 1 + 1 s = %d s" % (gap, hint + 2))
if not hint <= wall <= hint + 3:
    errs.append("the run took %.2f s (Reset - Date = %d s)" % (wall, hint))
print("\n".join(errs))
sys.exit(1 if errs else 0)' "$OKTA_LOG" "$delay" "$t0" "$t1"
	[ "$status" -eq 0 ] || flunk "$output"
}

@test "429: X-Okta-Retry-For is the 429's X-Okta-Request-Id, X-Okta-Retry-Count 1" {
	local rid
	okta --generate 5 --fault 429@1 --retry-wait 0
	fetch -u "$OKTA_URL" --max-retries 2 -vv
	expect_status 0
	expect_devices 5
	stderr_prefixed
	rid=$(awk '/^okta-fetch: < HTTP\/[0-9.]+ 429/ { f = 1 }
		f && tolower($0) ~ /^okta-fetch: < x-okta-request-id:/ { print $NF; exit }' <<<"$stderr")
	[ -n "$rid" ] || flunk "no X-Okta-Request-Id in the trace of the 429"
	stderr_has "^okta-fetch: > X-Okta-Retry-For: $rid\$"
	stderr_has "^okta-fetch: > X-Okta-Retry-Count: 1\$"
	expect_reqs "429 1 + - - SSWS limit=200
200 1 = R 1 SSWS limit=200"
	grep -qF "\"retry_for\":\"$rid\"" "$OKTA_LOG" || flunk "the stand-in did not get Retry-For $rid"
}

@test "X-Rate-Limit-Remaining 0: pauses until the window resets instead of provoking a 429" {
	okta --generate 450 --fault remaining0@2 --retry-wait 1
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 0
	expect_devices 450
	stderr_prefixed
	[ "${#stderr_lines[@]}" -eq 2 ] || flunk "expected the pause line and the summary"
	[[ ${stderr_lines[0]} =~ paus ]] || flunk "the first stderr line does not say pausing"
	stderr_has '(^|[^0-9])450 devices?[^a-z].*(^|[^0-9])3 pages?.*(^|[^0-9])0 retries'
	expect_reqs "$(repeat 3 "200 1 + - - SSWS limit=200")"
}

@test "duplicate X-Rate-Limit-Reset: waits by the smallest (not 30 s more)" {
	skip_timing_under_valgrind
	local t0 t1 delay
	okta --generate 450 --fault 429@2 --retry-wait 0 --dup-reset
	t0=$(date +%s)
	fetch -u "$OKTA_URL" --max-retries 2
	t1=$(date +%s)
	expect_status 0
	expect_devices 450
	expect_summary 450 3 1
	delay=$(retry_delay) || flunk "the retry line gives no delay in seconds"
	[[ $delay =~ ^[123](\.0+)?$ ]] || flunk "announced $delay s, expected 1 to 3"
	[ $((t1 - t0)) -le 5 ] || flunk "the run took $((t1 - t0)) s"
	expect_reqs "200 1 + - - SSWS limit=200
429 1 + - - SSWS limit=200
200 1 = R 1 SSWS limit=200
200 1 + - - SSWS limit=200"
}

@test "429 without X-Rate-Limit-Reset: exponential backoff; a hint beyond --max-wait: 75 at once" {
	skip_timing_under_valgrind
	local delay t0 t1
	okta --generate 450 --fault 429noreset@2 --fault 429@4 --retry-wait 100
	t0=$(date +%s)
	fetch -u "$OKTA_URL" --max-retries 2 --max-wait 5
	t1=$(date +%s)
	expect_status 75
	expect_devices 400
	stderr_prefixed
	stderr_count '429' 2
	delay=$(retry_delay) || flunk "the retry line gives no delay in seconds"
	[[ $delay =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || flunk "first backoff $delay s, expected 0 to 1 s"
	stderr_has 'max-wait'
	[ $((t1 - t0)) -le 4 ] || flunk "took $((t1 - t0)) s"
	expect_reqs "200 1 + - - SSWS limit=200
429 1 + - - SSWS limit=200
200 1 = R 1 SSWS limit=200
429 1 + - - SSWS limit=200"
}

@test "500 then success and 503 then success: each page retried, every device once" {
	okta --generate 450 --fault 500@2 --fault 503@4
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 0
	expect_devices 450
	expect_summary 450 3 2
	[[ ${stderr_lines[0]} =~ 500 ]] || flunk "the first retry line does not name 500"
	[[ ${stderr_lines[1]} =~ 503 ]] || flunk "the second retry line does not name 503"
	wait_log 5
	[ "$(reqs | cut -d' ' -f1,3)" = "200 +
500 +
200 =
503 +
200 =" ] || flunk "requests: $(reqs)"
}

@test "connection dropped mid-body: the page is retried, no device printed twice" {
	okta --generate 450 --fault drop@2
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 0
	expect_devices 450
	expect_summary 450 3 1
	wait_log 4
	[ "$(reqs | cut -d' ' -f1,3)" = "200 +
200 +
200 =
200 +" ] || flunk "requests: $(reqs)"
}

@test "a 200 whose JSON is cut short is retried like a drop, no device printed twice" {
	okta --generate 450 --fault truncate@2
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 0
	expect_devices 450
	expect_summary 450 3 1
	# Page 3 was asked for while page 2 was read; page 2 cut short, that
	# request is dropped, page 2 asked again (a retry), then page 3.
	wait_log 5
	[ "$(reqs | wc -l)" -eq 5 ] || flunk "requests: $(reqs)"
	[ "$(reqs | sed -n 4p | cut -d' ' -f4,5)" = "R 1" ] || flunk "requests: $(reqs)"
	[ "$(reqs | sed -n 2p | cut -d' ' -f7-)" = "$(reqs | sed -n 4p | cut -d' ' -f7-)" ] ||
		flunk "the retry is not page 2: $(reqs)"
	[ "$(reqs | sed -n 3p | cut -d' ' -f7-)" = "$(reqs | sed -n 5p | cut -d' ' -f7-)" ] ||
		flunk "page 3 not asked again: $(reqs)"
}

@test "retries exhausted (503 forever, --max-retries 2): exit 75 after exactly 3 requests" {
	okta --generate 450 --fault '503@*'
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 75
	expect_stdout_empty
	stderr_prefixed
	stderr_count '503' 3
	stderr_count 'giving up' 1
	[[ ${stderr_lines[2]} =~ giving\ up ]] || flunk "the last line does not say giving up"
	expect_retries_left 2
	wait_log 3
	[ "$(reqs | cut -d' ' -f1,3)" = "503 +
503 =
503 =" ] || flunk "requests: $(reqs)"
}

@test "a failure after page 1 exits 75, page 1 stays printed" {
	okta --generate 450 --fault '503@2-99'
	fetch -u "$OKTA_URL" --max-retries 0
	expect_status 75
	expect_devices 200
	stderr_prefixed
	stderr_has 'giving up'
	# The summary still comes, and says the listing is not whole.
	stderr_has '200 devices, 1 page, 0 retries'
	stderr_has 'the listing is INCOMPLETE'
	wait_log 2
	[ "$(reqs | cut -d' ' -f1)" = "200
503" ] || flunk "requests: $(reqs)"
}

@test "--since DATE means that day's midnight, UTC" {
	okta --generate 10
	fetch -u "$OKTA_URL" --since 2025-01-01
	expect_status 0
	# Device 0 changed at midnight itself, which is not after it.
	expect_stdout_file <(sed -n 2,10p "$ALL")
	grep -q '"search": *"lastUpdated gt \\"2025-01-01T00:00:00.000Z\\""' "$OKTA_LOG" ||
		flunk "search not sent as midnight: $(cat "$OKTA_LOG")"
	fetch -u "$OKTA_URL" --since 2025-13-01
	expect_status 64
	stderr_has 'not a date or an RFC 3339 time'
}

# ---- refusals -----------------------------------------------------------------

@test "401 (wrong token): exit 77 with errorCode, errorSummary and the expiry hint, no retry" {
	okta --generate 5
	OKTA_API_TOKEN=wrong-token fetch -u "$OKTA_URL" --max-retries 2
	expect_status 77
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'E0000011.*Invalid token provided'
	stderr_has 'expired'
	stderr_lacks 'retr(y|ying|ies) '
	expect_reqs "401 1 + - - SSWS limit=200"
}

@test "403: exit 77 with errorCode, errorSummary and the okta.devices.read hint, no retry" {
	okta --generate 5 --fault 403@1
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 77
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'E0000006.*You do not have permission'
	stderr_has 'okta\.devices\.read'
	stderr_lacks 'retrying'
	expect_reqs "403 1 + - - SSWS limit=200"
}

@test "400 on a bad search: exit 69 with Okta's E0000031, no retry" {
	okta --generate 5
	fetch -u "$OKTA_URL" -s 'bogus (((' --max-retries 2
	expect_status 69
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'E0000031.*Invalid search criteria'
	expect_reqs "400 1 + - - SSWS limit=200&search=bogus ((("
}

# cross_origin PAGE: the next link of page PAGE (of 100 devices each)
# points at another port, where a second stand-in logs whatever it gets:
# exit 69, PAGE pages printed, nothing sent to the other port.
cross_origin() {
	local port
	start_server OTHER okta.py --generate 250 --log "$BATS_TEST_TMPDIR/other.log" --verbose
	port=${OTHER_URL##*:}
	okta --generate 250 --fault "crossorigin@$1" --other-port "$port" --verbose
	fetch -u "$OKTA_URL" -l 100 --max-retries 2
	expect_status 69
	expect_devices $(($1 * 100))
	stderr_prefixed
	stderr_has "^okta-fetch: page $1: the next link points outside"
	expect_reqs "$(for _ in $(seq "$1"); do echo "200 1 + - - SSWS limit=100"; done)"
	expect_reqs "" "$BATS_TEST_TMPDIR/other.log"
	[ ! -s "$BATS_TEST_TMPDIR/OTHER.err" ] || flunk "the other port saw: $(cat "$BATS_TEST_TMPDIR/OTHER.err")"
	expect_no_stray OKTA
}

@test "next link to another port: exit 69, page 1 printed, nothing sent to the other port" {
	cross_origin 1
}

@test "next link to another host or another scheme: exit 69, page 1 printed, one request" {
	local kind
	for kind in crosshost crossscheme; do
		stop_servers
		: >"$OKTA_LOG"
		okta --generate 250 --fault "$kind@1" --verbose
		fetch -u "$OKTA_URL" -l 100 --max-retries 2
		expect_status 69
		expect_devices 100
		stderr_prefixed
		stderr_has 'next'
		expect_reqs "200 1 + - - SSWS limit=100"
		expect_no_stray OKTA
	done
}

@test "a redirect is not followed: exit 69, one request" {
	okta --generate 5 --fault redirect@1
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 69
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'redirect|302'
	expect_reqs "302 1 + - - SSWS limit=200"
}

@test "a 200 that is JSON but not an array: exit 69, not retried" {
	okta --generate 5 --fault notarray@1
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 69
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'array'
	expect_reqs "200 1 + - - SSWS limit=200"
}

@test "a 200 that is not JSON: exit 69, not retried; on page 2, page 1 stays printed" {
	okta --generate 5 --fault notjson@1
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 69
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'JSON'
	expect_reqs "200 1 + - - SSWS limit=200"

	stop_servers
	: >"$OKTA_LOG"
	okta --generate 450 --fault notjson@2
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 69
	expect_devices 200
	stderr_prefixed
	stderr_has 'JSON'
	expect_reqs "$(repeat 2 "200 1 + - - SSWS limit=200")"
}

@test "a repeated cursor: exit 69 after a bounded number of requests" {
	okta --generate 500 --fault repeatcursor@2
	fetch -u "$OKTA_URL" -l 100 --max-retries 2
	expect_status 69
	expect_devices 200
	stderr_prefixed
	stderr_has 'cursor'
	expect_reqs "$(repeat 2 "200 1 + - - SSWS limit=100")"

	# On page 1: the next link is the first URL again.
	stop_servers
	: >"$OKTA_LOG"
	okta --generate 500 --fault repeatcursor@1
	fetch -u "$OKTA_URL" -l 100 --max-retries 2
	expect_status 69
	expect_devices 100
	stderr_prefixed
	stderr_has 'cursor'
	expect_reqs "200 1 + - - SSWS limit=100"
}

@test "Link styles: one joined header, lower-case name, both: like the default" {
	local args
	for args in "--link-style joined" "--link-case lower" "--link-style joined --link-case lower"; do
		stop_servers
		: >"$OKTA_LOG"
		# shellcheck disable=SC2086
		okta --generate 450 $args
		fetch -u "$OKTA_URL"
		expect_status 0
		expect_devices 450
		expect_summary 450 3 0
		expect_reqs "$(repeat 3 "200 1 + - - SSWS limit=200")"
	done
}

# ---- incremental sync -----------------------------------------------------------

@test "--state and --commit: the mark round trip" {
	local d=$BATS_TEST_TMPDIR/st mark=2025-06-15T08:30:00.250Z
	local s=$d/state
	mkdir -p "$d"
	okta --devices "$MARKS" --generate 300

	# Run 1, no state yet: a full listing; the mark goes to state.next only.
	fetch -u "$OKTA_URL" --state "$s"
	expect_status 0
	expect_stdout_file <(cat "$MARKS"; head -n 300 "$ALL")
	expect_summary 303 2 0
	[ ! -e "$s" ] || flunk "run 1 created the state file"
	[ "$(head -n 1 "$s.next")" = "$mark" ] || flunk "state.next: $(head -n 1 "$s.next"), expected $mark"
	expect_reqs "$(repeat 2 "200 1 + - - SSWS limit=200")"

	# --commit promotes state.next to state.
	run --separate-stderr timeout 60 "$OKTA_FETCH" --commit "$s"
	expect_status 0
	expect_stdout_empty
	stderr_prefixed
	[ "$(head -n 1 "$s")" = "$mark" ] || flunk "state: $(head -n 1 "$s"), expected $mark"
	[ "$(ls -A "$d" | tr '\n' ' ')" = "state state.roster " ] ||
		flunk "left in the state directory: $(ls -A "$d")"

	# Run 2: from the mark minus 5 minutes.
	: >"$OKTA_LOG"
	fetch -u "$OKTA_URL" --state "$s"
	expect_status 0
	expect_stdout_file <(sed -n 2p "$MARKS")
	expect_summary 1 1 0
	expect_reqs '200 1 + - - SSWS limit=200&search=lastUpdated gt "2025-06-15T08:25:00.250Z"'
	[ "$(head -n 1 "$s")" = "$mark" ] || flunk "run 2 moved the state file"
	[ "$(head -n 1 "$s.next")" = "$mark" ] || flunk "state.next: $(head -n 1 "$s.next"), expected $mark"

	# With -s too: parentheses and and.
	: >"$OKTA_LOG"
	fetch -u "$OKTA_URL" --state "$s" -s 'status eq "ACTIVE"'
	expect_status 0
	expect_stdout_file <(sed -n 2p "$MARKS")
	expect_reqs '200 1 + - - SSWS limit=200&search=(status eq "ACTIVE") and lastUpdated gt "2025-06-15T08:25:00.250Z"'

	# Committed twice: the second has nothing to commit.
	run --separate-stderr timeout 60 "$OKTA_FETCH" --commit "$s"
	expect_status 0
	[ ! -e "$s.next" ] || flunk "state.next still there after --commit"
	run --separate-stderr timeout 60 "$OKTA_FETCH" --commit "$s"
	expect_status 0
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'nothing to commit'
	[ "$(head -n 1 "$s")" = "$mark" ] || flunk "--commit without state.next changed state"
	[ "$(ls -A "$d" | tr '\n' ' ')" = "state state.roster " ] ||
		flunk "left in the state directory: $(ls -A "$d")"

	# A corrupt state file: 78 naming FILE:1, no request.
	: >"$OKTA_LOG"
	printf 'not a time\n' >"$d/bad"
	fetch -u "$OKTA_URL" --state "$d/bad"
	expect_status 78
	expect_stdout_empty
	stderr_prefixed
	stderr_has "$d/bad:1"
	expect_reqs ""
}

@test "--state: a failed run writes no state.next (a stale one is removed) and leaves state alone" {
	local d=$BATS_TEST_TMPDIR/st old=2025-01-01T03:00:00.000Z
	mkdir -p "$d"
	okta --generate 450 --fault '503@2-99'

	# No state, a stale state.next: page 1 printed, then 503.
	printf '2020-01-01T00:00:00.000Z\n' >"$d/fresh.next"
	fetch -u "$OKTA_URL" --state "$d/fresh" --max-retries 0
	expect_status 75
	expect_devices 200
	stderr_prefixed
	[ ! -e "$d/fresh.next" ] || flunk "fresh.next exists after a failed run: $(cat "$d/fresh.next")"
	[ ! -e "$d/fresh" ] || flunk "a failed run created the state file"

	# A state and a stale state.next: 503 at once.
	printf '%s\n' "$old" >"$d/state"
	printf '2099-01-01T00:00:00.000Z\n' >"$d/state.next"
	fetch -u "$OKTA_URL" --state "$d/state" --max-retries 0
	expect_status 75
	expect_stdout_empty
	stderr_prefixed
	[ ! -e "$d/state.next" ] || flunk "state.next exists after a failed run: $(cat "$d/state.next")"
	[ "$(cat "$d/state")" = "$old" ] || flunk "a failed run moved the state file"
	wait_log 3
	[ "$(reqs | cut -d' ' -f1,7-)" = '200 limit=200
503 limit=200
503 limit=200&search=lastUpdated gt "2025-01-01T02:55:00.000Z"' ] || flunk "requests: $(reqs)"
	run --separate-stderr timeout 60 "$OKTA_FETCH" --commit "$d/state"
	expect_status 0
	stderr_has 'nothing to commit'
	[ "$(cat "$d/state")" = "$old" ] || flunk "--commit after a failed run moved the state file"
}

# ---- --check ------------------------------------------------------------------

@test "--check: ok, 401, 403, 404 and a closed port, one stderr line each, nothing on stdout" {
	local port
	okta --generate 150 --fault 403@2 --fault 404@3
	fetch --check -u "$OKTA_URL"
	expect_status 0
	expect_stdout_empty
	[ "${#stderr_lines[@]}" -eq 1 ] && [[ ${stderr_lines[0]} == "okta-fetch: ok:"* ]] ||
		flunk "expected one line starting okta-fetch: ok:"

	fetch --check -u "$OKTA_URL"
	expect_status 77
	expect_stdout_empty
	[ "${#stderr_lines[@]}" -eq 1 ] || flunk "expected one stderr line"
	stderr_has '^okta-fetch: .*okta\.devices\.read'

	fetch --check -u "$OKTA_URL"
	expect_status 69
	expect_stdout_empty
	[ "${#stderr_lines[@]}" -eq 1 ] || flunk "expected one stderr line"
	stderr_has '^okta-fetch: .*Identity Engine'

	OKTA_API_TOKEN=wrong-token fetch --check -u "$OKTA_URL"
	expect_status 77
	expect_stdout_empty
	[ "${#stderr_lines[@]}" -eq 1 ] || flunk "expected one stderr line"
	stderr_has '^okta-fetch: .*invalid or expired'

	expect_reqs "200 1 + - - SSWS limit=1
403 2 = - - SSWS limit=1
404 3 = - - SSWS limit=1
401 4 = - - SSWS limit=1"

	port=$(free_port)
	fetch --check -u "http://127.0.0.1:$port"
	expect_status 75
	expect_stdout_empty
	[ "${#stderr_lines[@]}" -eq 1 ] || flunk "expected one stderr line"
	stderr_has '^okta-fetch: .*cannot connect'
}

# ---- secrets and configuration ----------------------------------------------------

@test "the token never shows, at -v, -vv, -vvv, nor on a 401; Authorization is redacted" {
	local tok=SeCrEt-tok-987 v
	okta --generate 450 --token "$tok" --fault 401@10
	for v in -v -vv -vvv; do
		OKTA_API_TOKEN=$tok fetch -u "$OKTA_URL" "$v"
		expect_status 0
		expect_devices 450
		stderr_prefixed
		[[ $output$stderr != *SeCrEt* && $output$stderr != *tok-987* ]] ||
			flunk "the token shows at $v"
		[ "$v" = -v ] || stderr_has '^okta-fetch: > Authorization: \[redacted\]$'
	done

	OKTA_API_TOKEN=$tok fetch -u "$OKTA_URL" -vvv
	expect_status 77
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'E0000011'
	stderr_has '^okta-fetch: > Authorization: \[redacted\]$'
	[[ $output$stderr != *SeCrEt* && $output$stderr != *tok-987* ]] ||
		flunk "the token shows on a 401"

	printf '%s\n' "$tok" >"$BATS_TEST_TMPDIR/tok"
	fetch_env -u OKTA_API_TOKEN OKTA_API_TOKEN_FILE="$BATS_TEST_TMPDIR/tok" \
		"$OKTA_FETCH" -u "$OKTA_URL" -vvv
	expect_status 0
	expect_devices 450
	[[ $output$stderr != *SeCrEt* && $output$stderr != *tok-987* ]] ||
		flunk "the token from a file shows"
	wait_log 12
	[ "$(reqs | cut -d' ' -f1,2)" = "$(printf '200 %s\n' 1 1 1 2 2 2 3 3 3)
401 4
$(printf '200 %s\n' 5 5 5)" ] || flunk "requests: $(reqs)"
}

@test "configuration: token, URL and scheme errors are 78; _FILE, CLIENT and ACCESS variants work" {
	local tf=$BATS_TEST_TMPDIR/token
	fetch_env -u OKTA_API_TOKEN "$OKTA_FETCH" -u http://127.0.0.1:9
	expect_status 78
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'OKTA_API_TOKEN'

	fetch
	expect_status 78
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'OKTA_BASE_URL'

	for url in http://example.com http://10.1.2.3:8080 ftp://127.0.0.1 'http://user:pw@127.0.0.1:9'; do
		fetch -u "$url"
		expect_status 78
		expect_stdout_empty
		stderr_prefixed
		OKTA_BASE_URL=$url fetch
		expect_status 78
	done

	fetch_env OKTA_ACCESS_TOKEN=test-token "$OKTA_FETCH" -u http://127.0.0.1:9
	expect_status 78
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'OKTA_ACCESS_TOKEN'

	fetch -u http://127.0.0.1:9 --bogus
	expect_status 64
	expect_stdout_empty
	fetch -u http://127.0.0.1:9 stray
	expect_status 64
	expect_stdout_empty

	okta --generate 5
	printf 'test-token\n' >"$tf"
	fetch_env -u OKTA_API_TOKEN OKTA_API_TOKEN_FILE="$tf" "$OKTA_FETCH" -u "$OKTA_URL"
	expect_status 0
	expect_devices 5
	expect_summary 5 1 0

	fetch_env -u OKTA_API_TOKEN OKTA_CLIENT_TOKEN=test-token OKTA_CLIENT_ORGURL="$OKTA_URL" "$OKTA_FETCH"
	expect_status 0
	expect_devices 5
	expect_summary 5 1 0

	fetch_env -u OKTA_API_TOKEN OKTA_ACCESS_TOKEN=test-token OKTA_BASE_URL="$OKTA_URL/" "$OKTA_FETCH"
	expect_status 0
	expect_devices 5
	expect_summary 5 1 0

	fetch_env -u OKTA_API_TOKEN OKTA_ACCESS_TOKEN_FILE="$tf" "$OKTA_FETCH" -u "$OKTA_URL"
	expect_status 0
	expect_devices 5

	wait_log 4
	[ "$(reqs | cut -d' ' -f1,6,7)" = "200 SSWS limit=200
200 SSWS limit=200
200 Bearer limit=200
200 Bearer limit=200" ] || flunk "requests: $(reqs)"
}

# ---- verbosity ------------------------------------------------------------------

@test "-v: one stderr line per page with the running count and the rate limit left; -q: silence" {
	okta --generate 450
	fetch -u "$OKTA_URL" -v
	expect_status 0
	expect_devices 450
	stderr_prefixed
	stderr_count 'page [0-9]+' 3
	stderr_has '^okta-fetch: page 1: 200 devices so far.*999999'
	stderr_has '^okta-fetch: page 2: 400 devices so far.*999998'
	stderr_has '^okta-fetch: page 3: 450 devices so far.*999997'
	[[ ${stderr_lines[${#stderr_lines[@]} - 1]} =~ 450\ devices?,.*3\ pages? ]] ||
		flunk "the last line is not the summary"

	fetch -u "$OKTA_URL" -q
	expect_status 0
	expect_devices 450
	expect_stderr_empty

	OKTA_BASE_URL=$OKTA_URL fetch -q
	expect_status 0
	expect_devices 450
	expect_stderr_empty
}

@test "a live counter on a terminal, gone before the summary; none with -q or off a terminal" {
	command -v script >/dev/null || skip "script(1) is not installed"
	okta --generate 450
	# script(1) gives okta-fetch a terminal for its stderr.
	run script -qec "'$OKTA_FETCH' -u '$OKTA_URL' -l 100 >/dev/null" /dev/null
	[ "$status" -eq 0 ] || flunk "script: $output"
	[[ $output == *$'\r\033[K'"okta-fetch: 400 devices, 4 pages"* ]] ||
		flunk "no live counter: $(printf %q "$output")"
	[[ $output == *$'\r\033[K'"okta-fetch: 450 devices, 5 pages, 0 retries"* ]] ||
		flunk "the summary does not clear the counter: $(printf %q "$output")"
	run script -qec "'$OKTA_FETCH' -q -u '$OKTA_URL' >/dev/null" /dev/null
	[ -z "$output" ] || flunk "-q on a terminal printed: $(printf %q "$output")"
	fetch -u "$OKTA_URL"
	[[ $stderr != *$'\r'* ]] || flunk "a counter off a terminal"
}

@test "-h, --help, -V, --version: exit 0" {
	local o
	for o in -h --help -V --version; do
		fetch "$o" -u http://127.0.0.1:9
		expect_status 0
		[[ $output$stderr == *okta-fetch* ]] || flunk "$o does not name okta-fetch"
	done
	fetch -V
	[[ $output =~ [0-9]+\.[0-9]+ ]] || flunk "-V shows no version number"
}

# ---- hostile servers ----------------------------------------------------------------

@test "a trickling body with --timeout 2 --max-retries 0: exit 75 within 5 s" {
	skip_timing_under_valgrind
	local t0 t1
	okta --generate 5 --fault trickle@1
	t0=$(date +%s)
	fetch -u "$OKTA_URL" --timeout 2 --max-retries 0
	t1=$(date +%s)
	expect_status 75
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'giving up'
	[ $((t1 - t0)) -le 5 ] || flunk "took $((t1 - t0)) s"
}

@test "a 2 GiB Content-Length: a clean refusal, no crash" {
	okta --generate 5 --fault hugelength@1
	fetch -u "$OKTA_URL" --max-retries 0
	[ "$status" -eq 69 ] || [ "$status" -eq 75 ] || flunk "exit $status, expected 69 or 75"
	expect_stdout_empty
	stderr_prefixed
}

@test "10000 response headers: exit 69" {
	okta --generate 5 --fault manyheaders@1
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 69
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'header'
	expect_reqs "200 1 + - - SSWS limit=200"
}

# ---- issue 12: long Link lines, cursors, the mark, echoed secrets ----------------

@test "a 9 KiB Link line (a long -s search, repeated in the next link): every page followed" {
	local search='status eq "ACTIVE"' n pages
	while [ "${#search}" -lt 9216 ]; do
		search="$search or status eq \"ACTIVE\""
	done
	okta --generate 1000
	oracle_filter 'd["status"] == "ACTIVE"' >"$BATS_TEST_TMPDIR/active"
	n=$(wc -l <"$BATS_TEST_TMPDIR/active")
	pages=$(((n + 199) / 200))
	[ "$pages" -ge 2 ] || flunk "the oracle has too few active devices"
	fetch -u "$OKTA_URL" -s "$search"
	expect_status 0
	expect_stdout_file "$BATS_TEST_TMPDIR/active"
	expect_summary "$n" "$pages" 0
	[ "$(reqs | wc -l)" -eq "$pages" ] || flunk "requests: $(reqs | cut -c1-80)"
}

@test "a 70 KiB Link line is read; one over 96 KiB ends the run with 69, no mark written" {
	local d=$BATS_TEST_TMPDIR/st
	mkdir -p "$d"
	okta --generate 450 --link-pad 71680
	fetch -u "$OKTA_URL" --state "$d/state"
	expect_status 0
	expect_devices 450
	expect_summary 450 3 0
	[ -s "$d/state.next" ] || flunk "no state.next after a complete run"

	stop_servers
	: >"$OKTA_LOG"
	rm -f "$d/state.next"
	# Over the bound, under libcurl's own (100 KiB): our message.
	okta --generate 450 --link-pad 100000
	fetch -u "$OKTA_URL" --state "$d/state" --max-retries 2
	expect_status 69
	expect_stdout_empty
	stderr_prefixed
	stderr_has 'header line of more than 96 KiB'
	stderr_has 'INCOMPLETE'
	[ ! -e "$d/state.next" ] || flunk "a cut listing wrote state.next"
	expect_reqs "200 1 + - - SSWS limit=200"

	# Over libcurl's bound too: 69 all the same, never a silent stop.
	stop_servers
	: >"$OKTA_LOG"
	okta --generate 450 --link-pad 150000
	fetch -u "$OKTA_URL" --state "$d/state" --max-retries 2
	expect_status 69
	expect_stdout_empty
	stderr_has 'INCOMPLETE'
	[ ! -e "$d/state.next" ] || flunk "a cut listing wrote state.next"
}

@test "a next link without an after cursor, a parameter changing each time: 69 after one page" {
	okta --generate 450 --fault 'nocursor@*'
	fetch -u "$OKTA_URL" --max-retries 2
	expect_status 69
	expect_devices 200
	stderr_prefixed
	stderr_has 'no after cursor'
	stderr_has 'INCOMPLETE'
	expect_reqs "200 1 + - - SSWS limit=200"
}

@test "a device stamped in the future: printed, the mark held at Okta's clock, said once" {
	local d=$BATS_TEST_TMPDIR/st t0 t1
	mkdir -p "$d"
	python3 -c 'import json
for i, lu in enumerate(("2999-01-01T00:00:00.000Z", "2998-06-01T00:00:00.000Z",
                        "2025-03-01T00:00:00.000Z")):
    print(json.dumps({"id": "guoFUTURE%d" % i, "status": "ACTIVE", "lastUpdated": lu,
                      "profile": {"displayName": "d%d" % i, "platform": "WINDOWS"}}))' \
		>"$d/devices.ndjson"
	okta --devices "$d/devices.ndjson" --generate 5
	t0=$(date -u +%s)
	fetch -u "$OKTA_URL" --state "$d/state"
	t1=$(date -u +%s)
	expect_status 0
	[ "$(wc -l <<<"$output")" -eq 8 ] || flunk "expected 8 devices"
	stderr_count 'later than Okta' 1
	stderr_has 'guoFUTURE0.*2999-01-01T00:00:00.000Z'
	run python3 -c 'import sys, datetime
m = datetime.datetime.strptime(open(sys.argv[1]).readline().strip(), "%Y-%m-%dT%H:%M:%S.%fZ")
t = m.replace(tzinfo=datetime.timezone.utc).timestamp()
sys.exit(0 if int(sys.argv[2]) - 1 <= t <= int(sys.argv[3]) + 1 else 1)' "$d/state.next" "$t0" "$t1"
	[ "$status" -eq 0 ] || flunk "state.next $(cat "$d/state.next") is not the run's start ($t0..$t1)"

	# A mark already in the future (an older okta-fetch): set back.
	printf '2999-01-01T00:00:00.000Z\n' >"$d/state"
	rm -f "$d/state.next"
	fetch -u "$OKTA_URL" --state "$d/state"
	expect_status 0
	stderr_has 'the mark 2999-01-01T00:00:00.000Z is later than Okta'
	[[ $(head -n 1 "$d/state.next") == 20[0-9][0-9]-* ]] && [[ $(head -n 1 "$d/state.next") != 2999* ]] ||
		flunk "state.next: $(cat "$d/state.next")"
}

@test "--state: the mark never moves backwards (devices in the overlap are older than it)" {
	local d=$BATS_TEST_TMPDIR/st
	mkdir -p "$d"
	okta --devices "$MARKS" --generate 300
	# One minute after the newest device: the 5 minutes of overlap bring
	# that device back, and it must not pull the mark back with it.
	printf '2025-06-15T08:31:00.250Z\n' >"$d/state"
	fetch -u "$OKTA_URL" --state "$d/state"
	expect_status 0
	expect_stdout_file <(sed -n 2p "$MARKS")
	[ "$(cat "$d/state.next")" = 2025-06-15T08:31:00.250Z ] ||
		flunk "state.next: $(cat "$d/state.next"), expected the old mark"
}

@test "stdout on a full disk (/dev/full): exit 75, said; a closed pipe: SIGPIPE (141)" {
	okta --generate 450
	run --separate-stderr timeout 60 bash -c '"$1" -u "$2" >/dev/full' _ "$OKTA_FETCH" "$OKTA_URL"
	expect_status 75
	stderr_prefixed
	stderr_has 'stdout'
	stderr_has 'INCOMPLETE'
	run bash -c '"$1" -u "$2" | head -c 1 >/dev/null; echo "${PIPESTATUS[0]}"' _ "$OKTA_FETCH" "$OKTA_URL"
	[ "$output" = 141 ] || flunk "exit status $output after a closed pipe, expected 141"
}

@test "a base URL with credentials: 78, and the password is in no message" {
	local url
	for url in 'https://admin:pA55w0rd-x@acme.okta.com' 'http://admin:pA55w0rd-x@127.0.0.1:9' \
	    'https://pA55w0rd-x@acme.okta.com/' 'https://admin:pA55@w0rd-x@acme.okta.com'; do
		fetch -u "$url" -vv
		expect_status 78
		[[ $output$stderr != *pA55* && $output$stderr != *w0rd* ]] ||
			flunk "$url: the password shows: $stderr"
		OKTA_BASE_URL=$url fetch -vv
		expect_status 78
		[[ $output$stderr != *pA55* && $output$stderr != *w0rd* ]] ||
			flunk "$url: the password shows: $stderr"
	done
}

@test "a base URL with a path, a query or an -admin. host: 78 showing the URL to use (-u, the variables, --check); nothing sent" {
	local u want line how mode args
	okta --generate 2
	while IFS='|' read -r u want; do
		for how in -u OKTA_BASE_URL OKTA_CLIENT_ORGURL; do
			for mode in run --check; do
				args=()
				[ "$mode" = --check ] && args=(--check)
				if [ "$how" = -u ]; then
					fetch -u "$u" "${args[@]}"
				else
					fetch_env "$how=$u" "$OKTA_FETCH" "${args[@]}"
				fi
				expect_status 78
				expect_stdout_empty
				line="${stderr_lines[0]}"
				[[ $line == "okta-fetch: base URL "*": use $want" ]] ||
					flunk "$how $u ($mode): not the URL to use ($want)"
				# A query may hold a secret: never shown.
				[[ $stderr != *s3cret* ]] || flunk "$u: the query shows"
				[[ ${u,,} != *-admin.* || $line == *"the admin console's host, not the org's"* ]] ||
					flunk "$u: the admin host is not named"
			done
		done
	done <<-EOF
		$OKTA_URL/api/v1|$OKTA_URL
		$OKTA_URL/api/v1/devices?limit=200|$OKTA_URL
		$OKTA_URL/?token=s3cret|$OKTA_URL
		$OKTA_URL#devices|$OKTA_URL
		https://acme.okta.com/api/v1|https://acme.okta.com
		https://acme.okta.com/api/v1/|https://acme.okta.com
		https://acme-admin.okta.com|https://acme.okta.com
		https://ACME-admin.okta.com/|https://acme.okta.com
		https://acme-admin.oktapreview.com/admin/dashboard|https://acme.oktapreview.com
		https://acme.okta.com:8443/app/UserHome|https://acme.okta.com:8443
	EOF
	expect_reqs ""
	# The org URL itself, with or without a trailing slash, is what works.
	fetch -u "$OKTA_URL/"
	expect_status 0
	expect_devices 2
	fetch_env OKTA_BASE_URL="$OKTA_URL" "$OKTA_FETCH" --check
	expect_status 0
}

@test "an error body that echoes the token (JSON or text): never shown, -q to -vvv" {
	local tok='00aB]cD"eF9-SeCrEtTok_xyz' v
	okta --generate 5 --token "$tok" --fault echoauth@1-5 --fault echotext@6-99
	for v in -q '' -v -vv -vvv; do
		# shellcheck disable=SC2086
		OKTA_API_TOKEN=$tok fetch -u "$OKTA_URL" $v
		expect_status 77
		[ "$v" = -vvv ] || [ "$v" = -vv ] || stderr_has 'E0000011'
		[[ $output$stderr != *SeCrEt* && $output$stderr != *eF9* ]] ||
			flunk "the token shows at '$v' (401 echo): $stderr"
	done
	for v in -q '' -v -vv -vvv; do
		# shellcheck disable=SC2086
		OKTA_API_TOKEN=$tok fetch -u "$OKTA_URL" $v
		expect_status 69
		stderr_has 'HTTP 400'
		[[ $output$stderr != *SeCrEt* && $output$stderr != *eF9* ]] ||
			flunk "the token shows at '$v' (text echo): $stderr"
	done
}

@test "--stats FILE: the counters and the exit status, after a run and after a failure" {
	local st=$BATS_TEST_TMPDIR/stats.json
	okta --generate 450 --fault 500@2
	fetch -u "$OKTA_URL" --stats "$st" --max-retries 2
	expect_status 0
	run python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
assert list(s) == ["devices", "pages", "retries", "seconds", "full", "vanished", "exit_status"], list(s)
assert (s["devices"], s["pages"], s["retries"], s["full"], s["vanished"], s["exit_status"]) == (450, 3, 1, 1, 0, 0), s
assert isinstance(s["seconds"], float) and 0 < s["seconds"] < 60, s' "$st"
	[ "$status" -eq 0 ] || flunk "stats after a run: $output: $(cat "$st")"

	stop_servers
	okta --generate 450 --fault '503@2-99'
	fetch -u "$OKTA_URL" --stats "$st" --max-retries 1 -q
	expect_status 75
	run python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
assert list(s) == ["devices", "pages", "retries", "seconds", "full", "vanished", "exit_status"], list(s)
assert (s["devices"], s["pages"], s["retries"], s["exit_status"]) == (200, 1, 1, 75), s
assert s["seconds"] > 0, s' "$st"
	[ "$status" -eq 0 ] || flunk "stats after a failure: $output: $(cat "$st")"

	# A configuration error: 78 in the file too.
	fetch_env -u OKTA_API_TOKEN "$OKTA_FETCH" -u "$OKTA_URL" --stats "$st"
	expect_status 78
	grep -q '"exit_status":78}' "$st" || flunk "stats after a 78: $(cat "$st")"
}

@test "--help: every option of the manual's SYNOPSIS, the environment, the page; usage errors say what" {
	local opt
	fetch --help
	expect_status 0
	expect_stderr_empty
	[[ $output == *"See okta-fetch(1)."* ]] || flunk "--help does not name the manual page"
	for opt in $(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh/p' "$ROOT/man/okta-fetch.1" |
	    grep -o 'Fl [-a-zA-Z]*' | sed 's/^Fl /-/' | sort -u); do
		if [[ $opt == --* ]] || [ "${#opt}" -eq 2 ]; then
			grep -q -- "$opt" <<<"$output" || flunk "--help lacks $opt"
		else
			# .Op Fl qv: each letter
			for l in $(grep -o . <<<"${opt#-}"); do
				grep -q -- "-$l" <<<"$output" || flunk "--help lacks -$l"
			done
		fi
	done
	for opt in OKTA_BASE_URL OKTA_API_TOKEN OKTA_ACCESS_TOKEN _FILE https_proxy; do
		grep -q -- "$opt" <<<"$output" || flunk "--help lacks $opt"
	done

	fetch --bogus
	expect_status 64
	expect_stdout_empty
	[[ ${stderr_lines[0]} == okta-fetch:*bogus* ]] || flunk "the first line does not name --bogus"
	stderr_has '^usage: okta-fetch'
	fetch -u http://127.0.0.1:9 stray
	expect_status 64
	expect_stdout_empty
	[[ ${stderr_lines[0]} == "okta-fetch: unexpected argument: stray" ]] ||
		flunk "the first line does not name the stray argument"
	stderr_has '^usage: okta-fetch'
}

# ---- issue 20: secrets, files, descriptors, memory ------------------------------

@test "a token of 7 characters: 78, too short to be masked without shredding messages" {
	okta --generate 5 --token abcdefg
	fetch_env OKTA_API_TOKEN=abcdefg "$OKTA_FETCH" -u "$OKTA_URL"
	expect_status 78
	stderr_has '^okta-fetch: OKTA_API_TOKEN: 7 characters: too short'
	expect_reqs ""
	printf 'abcdefg\n' >"$BATS_TEST_TMPDIR/tok"
	fetch_env -u OKTA_API_TOKEN OKTA_ACCESS_TOKEN_FILE="$BATS_TEST_TMPDIR/tok" "$OKTA_FETCH" -u "$OKTA_URL"
	expect_status 78
	stderr_has 'OKTA_ACCESS_TOKEN: 7 characters'
	fetch_env OKTA_API_TOKEN=abcdefgh "$OKTA_FETCH" -u "$OKTA_URL" -q
	expect_status 77
}

@test "a token file with a byte-order mark, an SSWS or Bearer prefix, a second line: 78 saying what to remove" {
	local tf=$BATS_TEST_TMPDIR/tok
	okta --generate 5 --token test-token-1234
	printf '\357\273\277test-token-1234\n' >"$tf"
	fetch_env -u OKTA_API_TOKEN OKTA_API_TOKEN_FILE="$tf" "$OKTA_FETCH" -u "$OKTA_URL"
	expect_status 78
	stderr_has "^okta-fetch: OKTA_API_TOKEN_FILE: $tf begins with a UTF-8 byte-order mark"
	for pre in 'SSWS ' 'Bearer ' 'bearer '; do
		printf '%stest-token-1234\n' "$pre" >"$tf"
		fetch_env -u OKTA_API_TOKEN OKTA_API_TOKEN_FILE="$tf" "$OKTA_FETCH" -u "$OKTA_URL"
		expect_status 78
		stderr_has "OKTA_API_TOKEN_FILE: $tf begins with an Authorization scheme .*remove it"
	done
	printf 'test-token-1234\nother-token\n' >"$tf"
	fetch_env -u OKTA_API_TOKEN OKTA_API_TOKEN_FILE="$tf" "$OKTA_FETCH" -u "$OKTA_URL"
	expect_status 78
	stderr_has "OKTA_API_TOKEN_FILE: $tf has more than one line.*remove the other lines"
	expect_reqs ""
	[[ $stderr != *test-token-1234* && $stderr != *other-token* ]] || flunk "the token shows"
	# A trailing newline, LF or CRLF, and trailing blank lines are fine.
	printf 'test-token-1234\r\n\r\n' >"$tf"
	fetch_env -u OKTA_API_TOKEN OKTA_API_TOKEN_FILE="$tf" "$OKTA_FETCH" -u "$OKTA_URL" -q
	expect_status 0
	expect_devices 5
}

@test "a token file that is a FIFO, a directory or a device: 78 at once, naming it" {
	local f=$BATS_TEST_TMPDIR/tok.fifo
	mkfifo "$f"
	fetch_env -u OKTA_API_TOKEN OKTA_API_TOKEN_FILE="$f" "$OKTA_FETCH" -u http://127.0.0.1:9
	expect_status 78
	stderr_has "^okta-fetch: OKTA_API_TOKEN_FILE: $f is a FIFO: a secret is read from a regular file only"
	fetch_env -u OKTA_API_TOKEN OKTA_API_TOKEN_FILE=/dev/zero "$OKTA_FETCH" -u http://127.0.0.1:9
	expect_status 78
	stderr_has "/dev/zero is a character device"
	fetch_env -u OKTA_API_TOKEN OKTA_BASE_URL_FILE="$BATS_TEST_TMPDIR" "$OKTA_FETCH"
	expect_status 78
	stderr_has "OKTA_BASE_URL_FILE: $BATS_TEST_TMPDIR is a directory"
}

@test "stdout or stderr closed at start: /dev/null takes it, nothing goes astray" {
	skip_under_valgrind "valgrind's log would take the closed descriptor"
	okta --generate 250
	run bash -c '"$1" -u "$2" -l 100 --stats "$3" >&-' _ "$OKTA_FETCH" "$OKTA_URL" "$BATS_TEST_TMPDIR/st"
	expect_status 0
	grep -q '"devices":250,' "$BATS_TEST_TMPDIR/st" || flunk "stats: $(cat "$BATS_TEST_TMPDIR/st")"
	: >"$OKTA_LOG"
	run bash -c '"$1" -u "$2" -l 100 -vv --stats "$3" 2>&-' _ "$OKTA_FETCH" "$OKTA_URL" "$BATS_TEST_TMPDIR/st"
	expect_status 0
	[ "$output" = "$(head -n 250 "$ALL")" ] || flunk "stdout is not the 250 devices"
	expect_reqs "200 1 + - - SSWS limit=100
200 1 + - - SSWS limit=100
200 1 + - - SSWS limit=100"
}

@test "memory: 2,000 pages of unique 60 KB cursors, peak RSS under 32 MB" {
	local rss
	okta --generate 2000 --cursor-pad 61440
	run --separate-stderr python3 - "$OKTA_FETCH" "$OKTA_URL" <<-'EOF'
		import resource, subprocess, sys
		p = subprocess.run([sys.argv[1], "-u", sys.argv[2], "-l", "1", "-q"],
		                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
		n = p.stdout.count(b"\n")
		rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
		print(p.returncode, n, rss)
		sys.stderr.write(p.stderr.decode(errors="replace"))
	EOF
	read -r rc n rss <<<"$output"
	echo "# okta-fetch peak RSS over 2000 pages of 60 KB cursors: $rss KiB" >&3
	[ "$rc" -eq 0 ] || flunk "okta-fetch exited $rc: $stderr"
	[ "$n" -eq 2000 ] || flunk "$n devices, 2000 expected"
	# valgrind and AddressSanitizer (make check-sanitize sets
	# ASAN_OPTIONS) have memory of their own: the bound is for the program
	if [ -n "${VALGRIND:-}" ] || [ -n "${ASAN_OPTIONS:-}" ]; then
		echo "# RSS bound not checked under valgrind or a sanitizer" >&3
		return 0
	fi
	[ "$rss" -lt 32768 ] || flunk "peak RSS $rss KiB, 32 MB allowed"
}

@test "a bad next link on page 2, not page 1: exit 69, the other host never gets the token" {
	cross_origin 2
}

@test "a cross-origin next link with a password and the token in it: both masked in the message" {
	local port tok=00aBcD-SeCrEtTok_xyz
	start_server OTHER okta.py --generate 250 --log "$BATS_TEST_TMPDIR/other.log" --verbose
	port=${OTHER_URL##*:}
	okta --generate 250 --token "$tok" --fault "crosscreds@*" --other-port "$port"
	for v in -q '' -vv; do
		# shellcheck disable=SC2086
		fetch_env OKTA_API_TOKEN=$tok "$OKTA_FETCH" -u "$OKTA_URL" -l 100 $v
		expect_status 69
		stderr_has 'next link points outside.*http://\[redacted\]@127\.0\.0\.1'
		stderr_has 'token=\[redacted\]'
		[[ $stderr != *pA55w0rd* && $stderr != *SeCrEt* ]] ||
			flunk "the password or the token shows at '$v': $stderr"
	done
	expect_reqs "" "$BATS_TEST_TMPDIR/other.log"
}
