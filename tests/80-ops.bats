#!/usr/bin/env bats
# Operations: okta-ocsf-sync as cron runs it (env -i, a bare PATH, the
# programs beside it), its env file read as data, its metrics and its mark
# rules; the systemd units, the Debian package, the Kubernetes manifests,
# and a clone that stands alone.
load helper

UUID=0f6e2a4c-1b3d-4c5e-8f7a-9b0c1d2e3f40

setup() {
	# The wrapper and the three programs side by side, as make install
	# leaves them; the programs are copies of those under test (or of
	# their valgrind wrappers).
	BIN=$BATS_TEST_TMPDIR/bin
	mkdir -p "$BIN"
	cp "$ROOT/contrib/okta-ocsf-sync" "$BIN/"
	cp "$OKTA_FETCH" "$BIN/okta-fetch"
	cp "$OKTA2OCSF" "$BIN/okta2ocsf"
	cp "$OCSF_PUSH" "$BIN/ocsf-push"
	SYNC=$BIN/okta-ocsf-sync
	STATE=$BATS_TEST_TMPDIR/state
	M=$BATS_TEST_TMPDIR/metrics
	mkdir -p "$M"
	ENVFILE=$BATS_TEST_TMPDIR/acme.env
	PROM=$M/okta_ocsf_acme.prom
}

# start_pair OKTA_ARGS... : the two stand-ins, and the tenant's env file.
start_pair() {
	start_okta "$@"
	REC=$BATS_TEST_TMPDIR/rec
	start_intake --uuid "$UUID" --record "$REC" ${INTAKE_ARGS:-}
	write_env
}

write_env() {	# write_env [EXTRA LINES]: the tenant's settings
	cat >"$ENVFILE" <<-EOF
		# acme: the stand-ins on loopback
		OKTA_BASE_URL=$OKTA_URL
		OKTA_API_TOKEN=test-token
		SEKOIA_BASE_URL=$INTAKE_URL
		SEKOIA_API_KEY=${SEKOIA_KEY:-test-key}
		SEKOIA_CONNECTOR_UUID=${CONNECTOR:-$UUID}
		OKTA_OCSF_STATE_DIR=$STATE
		OKTA_OCSF_METRICS_DIR=$M
		OCSF_PUSH_OPTS="--max-retries 2"
	EOF
	[ $# -eq 0 ] || printf '%s\n' "$@" >>"$ENVFILE"
}

# The wrapper as cron starts it: no environment but a bare PATH.
run_sync() {
	run --separate-stderr env -i PATH=/usr/bin:/bin "$SYNC" "${1:-$ENVFILE}" </dev/null
}

metric() {	# metric NAME: its value in the tenant's .prom file
	sed -n "s/^okta_ocsf_$1{tenant=\"acme\"} //p" "$PROM"
}

# check_prom FILE: valid Prometheus text format, by promtool when there.
check_prom() {
	if command -v promtool >/dev/null; then
		run promtool check metrics <"$1"
		echo "$output"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		return
	fi
	echo "# promtool not found: the metrics checked by a Python reader" >&3
	python3 - "$1" <<-'EOF'
		import re, sys
		typed = set()
		for n, l in enumerate(open(sys.argv[1]), 1):
		    m = re.fullmatch(r'# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) gauge\n', l)
		    if m: typed.add(m[1]); continue
		    if re.fullmatch(r'# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*\n', l): continue
		    m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)\{tenant="[^"\\\n]*"\} (-?[0-9]+(\.[0-9]+)?)\n', l)
		    assert m and m[1] in typed, f"line {n}: {l!r}"
	EOF
}

# A stand-in for one stage: records how it was called and exits $1 after
# writing the --stats it was asked for (with the counters given).
mock_stage() {	# mock_stage NAME STATUS [STATS_JSON_BODY]
	local body=${3:-}
	cat >"$BIN/$1" <<-EOF
		#!/bin/bash
		echo "\$*" >>"$BATS_TEST_TMPDIR/$1.calls"
		case \$1 in
		-V) echo "$1 \$(cat "$BATS_TEST_TMPDIR/mock.version" 2>/dev/null || echo 0.1.0)"; exit 0 ;;
		-h) echo "usage: $1 [--state FILE [--full | --full-every DURATION]]"; exit 0 ;;
		esac
		cat >/dev/null
		prev=
		for a; do
			[ "\$prev" = --stats ] && printf '{%s"exit_status":%d}\n' '$body' $2 >"\$a"
			prev=\$a
		done
		[ $2 -eq 0 ] || echo "$1: the mock's message" >&2
		exit $2
	EOF
	chmod +x "$BIN/$1"
}

@test "ops: under cron's bare PATH the wrapper finds its programs, says nothing, and the metrics tell what was sent" {
	INTAKE_ARGS="--fault 503@1 --retry-after 0" start_pair --generate 30
	run_sync
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(count_lines "$REC/$UUID.ndjson")" -eq 30 ]
	[ -s "$STATE/acme.mark" ]
	check_prom "$PROM"
	[ "$(metric last_run_exit_status)" = 0 ]
	[ "$(metric devices_fetched)" = 30 ]
	[ "$(metric records_accepted)" = 30 ]
	[ "$(metric records_rejected)" = 0 ]
	[ "$(metric records_failed)" = 0 ]
	# The one 503 was retried by ocsf-push.
	[ "$(metric http_retries)" = 1 ]
	[ "$(metric last_success_timestamp_seconds)" = "$(metric last_run_timestamp_seconds)" ]
	now=$(date +%s)
	last=$(metric last_run_timestamp_seconds)
	[ "${last%.*}" -le "$now" ] && [ "${last%.*}" -ge $((now - 600)) ]
	[[ $(metric last_run_duration_seconds) =~ ^[0-9]+\.[0-9]{3}$ ]]
	# Thirteen gauges, each with its HELP and TYPE; no temporary file left.
	[ "$(grep -c '^okta_ocsf_[a-z_]*{tenant="acme"} ' "$PROM")" -eq 13 ]
	[ "$(grep -c '^# TYPE okta_ocsf_[a-z_]* gauge$' "$PROM")" -eq 13 ]
	[ "$(find "$M" -type f | wc -l)" -eq 1 ]
	[ "$(stat -c %a "$PROM")" = 644 ]
}

@test "ops: a refused Sekoia key is 77 with one stderr line; last_success is kept and FAILED holds every record" {
	start_pair --generate 30
	run_sync
	[ "$status" -eq 0 ]
	ok_at=$(metric last_success_timestamp_seconds)
	mark=$(cat "$STATE/acme.mark")
	# The metrics file may go (a collector's directory cleaned): the
	# last success is kept in the state directory.
	rm -f "$PROM"
	SEKOIA_KEY=a-revoked-key write_env
	run_sync
	echo "$stderr"
	[ "$status" -eq 77 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "okta-ocsf-sync: acme: ocsf-push exited 77, credentials refused: "* ]]
	[[ $stderr == *"Sekoia.io API key"* ]]
	[[ $stderr == *"mark not moved"* ]]
	[[ $stderr != *a-revoked-key* ]]
	[ "$(cat "$STATE/acme.mark")" = "$mark" ]
	check_prom "$PROM"
	[ "$(metric last_run_exit_status)" = 77 ]
	[ "$(metric last_success_timestamp_seconds)" = "$ok_at" ]
	[ "$(metric last_run_timestamp_seconds)" != "$ok_at" ]
	[ "$(metric records_accepted)" = 0 ]
	# Delivered + FAILED = input: the devices of the overlap, all in FAILED.
	fetched=$(metric devices_fetched)
	[ "$fetched" -gt 0 ]
	[ "$(metric records_failed)" = "$fetched" ]
	[ "$(count_lines "$STATE/acme.failed")" -eq "$fetched" ]
}

@test "ops: a stage that dies before writing its stats still leaves a metrics file, counts 0" {
	start_pair --generate 10
	cat >"$BIN/okta2ocsf" <<-'EOF'
		#!/bin/bash
		kill -KILL $$
	EOF
	run_sync
	echo "$stderr"
	[ "$status" -eq 137 ]
	[[ $stderr == *"okta2ocsf exited 137, killed by signal 9"* ]]
	[ ! -e "$STATE/acme.mark" ]
	check_prom "$PROM"
	[ "$(metric last_run_exit_status)" = 137 ]
	[ "$(metric last_success_timestamp_seconds)" = 0 ]
	[ "$(metric records_rejected)" = 0 ]
	[ "$(metric records_accepted)" = 0 ]
}

@test "ops: the env file is data: \$(...), backquotes and ; are never run, and reach the programs verbatim" {
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	cat >"$BIN/ocsf-push" <<-EOF
		#!/bin/bash
		cat >/dev/null
		env >"$BATS_TEST_TMPDIR/env.seen"
		exit 0
	EOF
	chmod +x "$BIN/ocsf-push"
	p=$BATS_TEST_TMPDIR/pwned
	cat >"$ENVFILE" <<-EOF
		OKTA_OCSF_STATE_DIR=$STATE
		SEKOIA_API_KEY=\$(touch $p.1)
		SEKOIA_BASE_URL="\`touch $p.2\`"
		SEKOIA_CONNECTOR_UUID=x; touch $p.3
		OKTA_SCOPES=\$(touch $p.4)\${IFS}
		OKTA_KEY_ID='\$HOME'
	EOF
	run_sync
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	for i in 1 2 3 4; do [ ! -e "$p.$i" ]; done
	grep -Fx "SEKOIA_API_KEY=\$(touch $p.1)" "$BATS_TEST_TMPDIR/env.seen"
	grep -Fx "SEKOIA_BASE_URL=\`touch $p.2\`" "$BATS_TEST_TMPDIR/env.seen"
	grep -Fx "SEKOIA_CONNECTOR_UUID=x; touch $p.3" "$BATS_TEST_TMPDIR/env.seen"
	grep -Fx "OKTA_SCOPES=\$(touch $p.4)\${IFS}" "$BATS_TEST_TMPDIR/env.seen"
	grep -Fx 'OKTA_KEY_ID=$HOME' "$BATS_TEST_TMPDIR/env.seen"
}

@test "ops: the env file has systemd's EnvironmentFile syntax" {
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	cat >"$BIN/ocsf-push" <<-EOF
		#!/bin/bash
		cat >/dev/null
		for v in OKTA_BASE_URL OKTA_API_TOKEN OKTA_ACCESS_TOKEN_FILE SEKOIA_API_KEY \
		    SEKOIA_CONNECTOR_UUID SEKOIA_REGION OKTA_SCOPES OKTA_KEY_ID OKTA_CLIENT_ID \
		    https_proxy NO_PROXY OKTA_CLIENT_KID; do
			printf '%s=[%s]\n' "\$v" "\${!v-UNSET}"
		done >"$BATS_TEST_TMPDIR/vars"
	EOF
	chmod +x "$BIN/ocsf-push"
	printf '%s\n' \
		"OKTA_OCSF_STATE_DIR=$STATE" \
		'# a comment' \
		'; another comment' \
		'   ' \
		'  OKTA_BASE_URL  =  https://acme.okta.com   ' \
		"OKTA_API_TOKEN='single \"quoted\" \\ \$x'" \
		'OKTA_ACCESS_TOKEN_FILE="/a b/\"c\"\\\$d\\e"' \
		'SEKOIA_API_KEY=un\ quoted\' \
		'continued' \
		'SEKOIA_CONNECTOR_UUID=a"b"c' \
		"SEKOIA_REGION='multi" \
		"line'" \
		'OKTA_SCOPES=' \
		'OKTA_KEY_ID=first' \
		'OKTA_KEY_ID=second' \
		"OKTA_CLIENT_ID='a'\"b\"" \
		$'https_proxy=http://proxy:3128\r' \
		'NO_PROXY = .internal # not a comment' \
		'OKTA_CLIENT_KID="no final newline"' | head -c -1 >"$ENVFILE"
	run_sync
	echo "$stderr"
	[ "$status" -eq 0 ]
	cat "$BATS_TEST_TMPDIR/vars"
	diff - "$BATS_TEST_TMPDIR/vars" <<-'EOF'
		OKTA_BASE_URL=[https://acme.okta.com]
		OKTA_API_TOKEN=[single "quoted" \ $x]
		OKTA_ACCESS_TOKEN_FILE=[/a b/"c"\$d\e]
		SEKOIA_API_KEY=[un quotedcontinued]
		SEKOIA_CONNECTOR_UUID=[a"b"c]
		SEKOIA_REGION=[multi
		line]
		OKTA_SCOPES=[]
		OKTA_KEY_ID=[second]
		OKTA_CLIENT_ID=[ab]
		https_proxy=[http://proxy:3128]
		NO_PROXY=[.internal # not a comment]
		OKTA_CLIENT_KID=[no final newline]
	EOF
}

@test "ops: a name the suite does not read is refused with 78, naming the file and line; nothing runs" {
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	cat >"$ENVFILE" <<-EOF
		OKTA_OCSF_METRICS_DIR=$M
		OKTA_OCSF_STATE_DIR=$STATE
		OKTA_API_TOKN=typo
		OKTA_BASE_URL=https://acme.okta.com
		PATH=/tmp/evil
		export SEKOIA_API_KEY=x
		LD_PRELOAD=/tmp/evil.so
		OKTA_FETCH=/tmp/evil
		just some words
		SEKOIA_API_KEY_FILE=/etc/okta-ocsf/acme.sekoia-key
		OKTA_OCSF_TYPO=1
	EOF
	run_sync
	echo "$stderr"
	[ "$status" -eq 78 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 7 ]
	[[ ${stderr_lines[0]} == "okta-ocsf-sync: $ENVFILE:3: OKTA_API_TOKN: not a variable okta-ocsf reads"* ]]
	[[ ${stderr_lines[1]} == "okta-ocsf-sync: $ENVFILE:5: PATH: "* ]]
	[[ ${stderr_lines[2]} == "okta-ocsf-sync: $ENVFILE:6: \"export SEKOIA_API_KEY\": no \"export\""* ]]
	[[ ${stderr_lines[3]} == "okta-ocsf-sync: $ENVFILE:7: LD_PRELOAD: "* ]]
	[[ ${stderr_lines[4]} == "okta-ocsf-sync: $ENVFILE:8: OKTA_FETCH: "* ]]
	[[ ${stderr_lines[5]} == "okta-ocsf-sync: $ENVFILE:9: \"just some words\": not KEY=VALUE" ]]
	[[ ${stderr_lines[6]} == "okta-ocsf-sync: $ENVFILE:11: OKTA_OCSF_TYPO: "* ]]
	for p in okta-fetch okta2ocsf ocsf-push; do [ ! -e "$BATS_TEST_TMPDIR/$p.calls" ]; done
	# Monitoring sees the failure too.
	[ "$(metric last_run_exit_status)" = 78 ]
}

@test "ops: an open quote, a NUL byte, a bad tenant name, a bad COMMIT_ON_REJECTS: 78 with the line" {
	mock_stage okta-fetch 0
	printf 'OKTA_BASE_URL=x\nSEKOIA_API_KEY="never closed\nOKTA_SCOPES=y\n' >"$ENVFILE"
	run_sync
	[ "$status" -eq 78 ]
	[ "$stderr" = "okta-ocsf-sync: $ENVFILE:2: SEKOIA_API_KEY: the quote opened here is never closed" ]
	printf 'OKTA_BASE_URL=x\n\nOKTA_SCOPES=a\0b\n' >"$ENVFILE"
	run_sync
	[ "$status" -eq 78 ]
	[ "$stderr" = "okta-ocsf-sync: $ENVFILE:3: a NUL byte: not a text file" ]
	printf '# a comment \\\nOKTA_BASE_URL=x\n' >"$ENVFILE"
	run_sync
	[ "$status" -eq 78 ]
	[[ $stderr == "okta-ocsf-sync: $ENVFILE:1: a comment ends in a backslash"* ]]
	printf 'OKTA_OCSF_COMMIT_ON_REJECTS=yes\nOKTA_OCSF_STATE_DIR=%s\n' "$STATE" >"$ENVFILE"
	run_sync
	[ "$status" -eq 78 ]
	[[ $stderr == *"OKTA_OCSF_COMMIT_ON_REJECTS=yes: must be 0 or 1"* ]]
	cp "$ENVFILE" "$BATS_TEST_TMPDIR/a\$b.env"
	run_sync "$BATS_TEST_TMPDIR/a\$b.env"
	[ "$status" -eq 78 ]
	[[ $stderr == *"a tenant's name is made of"* ]]
	run_sync "$BATS_TEST_TMPDIR/missing.env"
	[ "$status" -eq 78 ]
	[ "$stderr" = "okta-ocsf-sync: $BATS_TEST_TMPDIR/missing.env: cannot read the file" ]
	[ ! -e "$BATS_TEST_TMPDIR/okta-fetch.calls" ]
}

@test "ops: a wrong connector (404: ocsf-push exits 69) never moves the mark, even with OKTA_OCSF_COMMIT_ON_REJECTS=1" {
	start_pair --generate 12
	CONNECTOR=1f6e2a4c-1b3d-4c5e-8f7a-9b0c1d2e3f41 write_env OKTA_OCSF_COMMIT_ON_REJECTS=1
	run_sync
	echo "$stderr"
	# The wrapper's part: no commit, whatever ocsf-push's status.
	[ ! -e "$STATE/acme.mark" ]
	[ "$(count_lines "$STATE/acme.failed")" -eq 12 ]
	# ocsf-push's part: 404 is 69, the connector is wrong.
	[ "$status" -eq 69 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"ocsf-push exited 69, refused for good: check the URLs, the region and the connector UUID"* ]]
	[ ! -e "$STATE/acme.mark" ]
	[ "$(metric last_run_exit_status)" = 69 ]
	[ "$(metric records_failed)" = 12 ]
	[ "$(count_lines "$STATE/acme.failed")" -eq 12 ]
}

@test "ops: a rejected device: the mark moves, the device goes to the dead-letter file, exit 1, one line saying which and why" {
	# One device with an empty id: okta2ocsf rejects it, exit 1.
	echo '[{"id":"","lastUpdated":"2025-06-01T00:00:00.000Z"}]' >"$BATS_TEST_TMPDIR/bad.json"
	start_pair --devices "$BATS_TEST_TMPDIR/bad.json" --generate 8
	run_sync
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "okta-ocsf-sync: acme: okta2ocsf exited 1, 1 record(s) refused for good, appended to $STATE/acme.rejected.ndjson"* ]]
	# Which record (its line) and why, in okta2ocsf's own words.
	[[ $stderr == *'("okta2ocsf: stdin:1: device has no "id"'* ]]
	[[ $stderr == *"; mark moved; "* ]]
	[ -s "$STATE/acme.mark" ]
	[ "$(metric records_rejected)" = 1 ]
	[ "$(metric records_accepted)" = 8 ]
	[ "$(metric devices_fetched)" = 9 ]
	# The run moved the mark: a success for monitoring.
	[ "$(metric last_success_timestamp_seconds)" = "$(metric last_run_timestamp_seconds)" ]
	[ "$(metric last_run_exit_status)" = 1 ]
	# The dead-letter file: 0600, one JSON object a line, the record verbatim.
	d=$STATE/acme.rejected.ndjson
	[ "$(stat -c %a "$d")" = 600 ]
	[ "$(count_lines "$d")" -eq 1 ]
	python3 - "$d" "$STATE/acme.rejects" <<-'EOF'
		import json, sys, time, calendar
		(l,) = open(sys.argv[1])
		d = json.loads(l)
		assert set(d) == {"time", "tenant", "stage", "line"}, d
		assert d["tenant"] == "acme" and d["stage"] == "okta2ocsf", d
		assert d["line"] == open(sys.argv[2]).read().rstrip("\n"), d
		assert json.loads(d["line"])["id"] == "", d
		t = calendar.timegm(time.strptime(d["time"], "%Y-%m-%dT%H:%M:%SZ"))
		assert abs(t - time.time()) < 600, d
	EOF
	# The next run appends; the mark moves again.
	mark=$(cat "$STATE/acme.mark")
	run_sync
	[ "$status" -eq 1 ]
	[ "$(count_lines "$d")" -eq 2 ]
	# OKTA_OCSF_HOLD_ON_REJECTS=1: the old rule, the mark held.
	rm -f "$STATE/acme.mark"
	write_env OKTA_OCSF_HOLD_ON_REJECTS=1
	run_sync
	echo "$stderr"
	[ "$status" -eq 1 ]
	[[ $stderr == *"1 record(s) refused, in $STATE/acme.rejects (mark held: OKTA_OCSF_HOLD_ON_REJECTS=1)"*"mark not moved"* ]]
	[ ! -e "$STATE/acme.mark" ]
	[ "$(count_lines "$d")" -eq 2 ]
	# The deprecated OKTA_OCSF_COMMIT_ON_REJECTS=0 meant the same.
	write_env OKTA_OCSF_COMMIT_ON_REJECTS=0
	run_sync
	[ "$status" -eq 1 ]
	[ ! -e "$STATE/acme.mark" ]
}

@test "ops: a record Sekoia.io refuses: the mark moves, the record is dead-lettered, exit 1" {
	echo '[{"id":"guoREFUSEME0000000001","lastUpdated":"2025-06-01T00:00:00.000Z","status":"ACTIVE","profile":{"displayName":"x","platform":"WINDOWS"}}]' \
		>"$BATS_TEST_TMPDIR/one.json"
	INTAKE_ARGS="--refuse guoREFUSEME" start_pair --devices "$BATS_TEST_TMPDIR/one.json" --generate 5
	run_sync
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "okta-ocsf-sync: acme: ocsf-push exited 1, 1 record(s) refused for good, device guoREFUSEME0000000001, appended to $STATE/acme.rejected.ndjson (\"ocsf-push: "*"refused by the API"*"; mark moved; "* ]]
	[ -s "$STATE/acme.mark" ]
	[ "$(count_lines "$REC/$UUID.ndjson")" -eq 5 ]
	python3 - "$STATE/acme.rejected.ndjson" <<-'EOF'
		import json, sys
		(l,) = open(sys.argv[1])
		d = json.loads(l)
		assert d["stage"] == "ocsf-push", d
		assert json.loads(d["line"])["device"]["uid"] == "guoREFUSEME0000000001", d
	EOF
	[ "$(metric records_rejected)" = 1 ]
	[ "$(metric records_failed)" = 1 ]
}

@test "ops: the mark rules, stage by stage (mock stages)" {
	# STATUSES HOLD_ON_REJECTS -> committed?
	rows=0
	while read -r f m p hold want; do
		rm -rf "$STATE" "$BATS_TEST_TMPDIR"/*.calls
		mock_stage okta-fetch "$f" '"devices":5,"pages":1,"retries":2,"seconds":0.1,'
		mock_stage okta2ocsf "$m" '"devices":5,"records":4,"rejected":1,"seconds":0.1,'
		mock_stage ocsf-push "$p" '"lines":4,"accepted":3,"batches":1,"retries":3,"rejected":1,"failed":1,"seconds":0.1,'
		printf 'OKTA_OCSF_STATE_DIR=%s\nOKTA_OCSF_METRICS_DIR=%s\nOKTA_OCSF_HOLD_ON_REJECTS=%s\n' \
			"$STATE" "$M" "$hold" >"$ENVFILE"
		run_sync
		got=no
		grep -q -- '--commit' "$BATS_TEST_TMPDIR/okta-fetch.calls" && got=yes
		echo "$f $m $p hold=$hold: status $status, commit $got (want $want)"
		rows=$((rows + 1))
		[ "$got" = "$want" ]
		first=0
		for s in "$f" "$m" "$p"; do
			[ "$first" -eq 0 ] && first=$s
		done
		[ "$status" -eq "$first" ]
		[ "$(metric last_run_exit_status)" = "$first" ]
		[ "$(metric devices_fetched)" = 5 ]
		[ "$(metric records_rejected)" = 2 ]
		[ "$(metric records_accepted)" = 3 ]
		[ "$(metric records_failed)" = 1 ]
		[ "$(metric http_retries)" = 5 ]
		[ -z "$output" ]
		if [ "$first" -eq 0 ]; then
			[ -z "$stderr" ]
		fi
		if [ "$got" = yes ] && [ "$first" -eq 1 ]; then
			[[ $stderr == *"mark moved"* ]]
		else
			[[ $stderr != *"mark moved"* ]]
		fi
	done <<-'EOF'
		0 0 0 0 yes
		0 0 0 1 yes
		0 1 0 0 yes
		0 0 1 0 yes
		0 1 1 0 yes
		0 1 0 1 no
		0 0 1 1 no
		0 1 1 1 no
		1 0 0 0 no
		75 0 0 0 no
		77 0 0 0 no
		78 0 0 0 no
		69 0 0 0 no
		0 78 0 0 no
		0 1 69 0 no
		0 1 75 0 no
		0 0 77 0 no
		0 0 78 0 no
		0 0 64 0 no
		0 0 143 0 no
	EOF
	# Every row was run (a stage reading the loop's input would end it).
	[ "$rows" -eq 20 ]
}

@test "ops: a run that finds the tenant locked leaves at once, exit 0, silent, and leaves the metrics alone" {
	mock_stage okta-fetch 0
	printf 'OKTA_OCSF_STATE_DIR=%s\nOKTA_OCSF_METRICS_DIR=%s\n' "$STATE" "$M" >"$ENVFILE"
	mkdir -p "$STATE"
	exec 8>"$STATE/acme.lock"
	flock -n 8
	run_sync
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ -z "$output" ]
	# -v says why it did nothing.
	run --separate-stderr env -i PATH=/usr/bin:/bin "$SYNC" -v "$ENVFILE"
	exec 8>&-
	[ "$status" -eq 0 ]
	[[ $stderr == *"a run is already going on"* ]]
	[ ! -e "$PROM" ]
	[ ! -e "$BATS_TEST_TMPDIR/okta-fetch.calls" ]
}

@test "ops: metrics that cannot be written turn a success into 75, said on stderr" {
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	printf 'OKTA_OCSF_STATE_DIR=%s\nOKTA_OCSF_METRICS_DIR=%s/not-a-dir\n' "$STATE" "$M" >"$ENVFILE"
	touch "$M/not-a-dir"
	run_sync
	[ "$status" -eq 75 ]
	[[ $stderr == *"cannot write the metrics"* ]]
	# The sync itself went through.
	grep -q -- '--commit' "$BATS_TEST_TMPDIR/okta-fetch.calls"
}

@test "ops: programs missing beside the wrapper and in PATH: 78 saying where it looked" {
	! PATH=/usr/bin:/bin command -v okta2ocsf >/dev/null ||
		skip "okta2ocsf is installed in /usr/bin or /bin"
	rm -f "$BIN/okta2ocsf"
	printf 'OKTA_OCSF_STATE_DIR=%s\n' "$STATE" >"$ENVFILE"
	run_sync
	[ "$status" -eq 78 ]
	[[ $stderr == *"must be beside $SYNC or in PATH"* ]]
}

@test "ops: okta-ocsf-sync --help lists its options and settings and names its page; a usage error is 64" {
	run --separate-stderr "$ROOT/contrib/okta-ocsf-sync" --help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ ${lines[0]} == "usage: okta-ocsf-sync [-hVv] ENVFILE" ]]
	for w in -h --help -V --version -v --verbose OKTA_OCSF_STATE_DIR OKTA_OCSF_METRICS_DIR \
	    OKTA_OCSF_HOLD_ON_REJECTS OKTA_OCSF_COMMIT_ON_REJECTS OKTA_OCSF_FULL_EVERY \
	    OKTA_OCSF_TIMEOUT OKTA_FETCH_OPTS OKTA2OCSF_OPTS OCSF_PUSH_OPTS \
	    http_proxy https_proxy HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY \
	    STATE_DIRECTORY XDG_STATE_HOME TMPDIR OKTA_FETCH OKTA2OCSF OCSF_PUSH; do
		[[ $output == *"$w"* ]] || { echo "--help lacks $w" >&2; return 1; }
		m=$w
		[[ $w == -* ]] && m="Fl ${w#-}"
		grep -qF -- "$m" "$ROOT/contrib/okta-ocsf-sync.1" ||
			{ echo "okta-ocsf-sync.1 lacks $w" >&2; return 1; }
	done
	[ "${lines[${#lines[@]} - 1]}" = "See okta-ocsf-sync(1)." ]
	run --separate-stderr "$ROOT/contrib/okta-ocsf-sync" -V
	[ "$status" -eq 0 ]
	[ "$output" = "okta-ocsf-sync $(sed -n 's/^VERSION = //p' "$ROOT/Makefile")" ]
	run --separate-stderr "$ROOT/contrib/okta-ocsf-sync" -x "$ENVFILE"
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "okta-ocsf-sync: -x: unknown option" ]
	[ "${stderr_lines[1]}" = "usage: okta-ocsf-sync [-hVv] ENVFILE" ]
	run --separate-stderr "$ROOT/contrib/okta-ocsf-sync"
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "okta-ocsf-sync: one ENVFILE expected, 0 given" ]
	run mandoc -Tlint -Wwarning "$ROOT/contrib/okta-ocsf-sync.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "ops: exit 1 never moves the mark past records that were not rejected but lost" {
	printf 'OKTA_OCSF_STATE_DIR=%s\n' "$STATE" >"$ENVFILE"
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	# A batch refused whole (the 404 of an ocsf-push before 69): in
	# FAILED, but not one record rejected.
	mock_stage ocsf-push 1 '"lines":12,"accepted":0,"batches":1,"retries":0,"rejected":0,"failed":12,"seconds":0.1,'
	run_sync
	[ "$status" -eq 1 ]
	[[ $stderr == *"mark not moved"* ]]
	! grep -q -- '--commit' "$BATS_TEST_TMPDIR/okta-fetch.calls"
	# Stats without the counters: nothing says the failures were only
	# rejects.
	mock_stage ocsf-push 1
	run_sync
	[ "$status" -eq 1 ]
	! grep -q -- '--commit' "$BATS_TEST_TMPDIR/okta-fetch.calls"
	# Rejected records and nothing else: the mark moves.
	mock_stage ocsf-push 1 '"lines":12,"accepted":10,"batches":1,"retries":0,"rejected":2,"failed":2,"seconds":0.1,'
	run_sync
	[ "$status" -eq 1 ]
	grep -q -- '--commit' "$BATS_TEST_TMPDIR/okta-fetch.calls"
}

# need TOOL PACKAGE: skip, saying so, when TOOL is absent; in CI, which
# installs them, a missing tool is a failure.
need() {
	command -v "$1" >/dev/null && return 0
	if [ -n "${CI:-}" ]; then
		echo "$1 is missing (Debian package $2), and CI must have it" >&2
		return 1
	fi
	skip "$1 is not installed (Debian package $2)"
}

@test "ops: the installed systemd units: ExecStart where the wrapper is, exposure 2.0 or lower, verify clean" {
	need systemd-analyze systemd
	d=$BATS_TEST_TMPDIR/root
	run make -C "$ROOT" -s install DESTDIR="$d" PREFIX=/usr
	[ "$status" -eq 0 ]
	u=$d/usr/lib/systemd/system
	[ -f "$u/okta-ocsf-sync@.timer" ]
	grep -qx 'ExecStart=/usr/bin/okta-ocsf-sync /etc/okta-ocsf/%i.env' "$u/okta-ocsf-sync@.service"
	grep -qx 'DynamicUser=yes' "$u/okta-ocsf-sync@.service"
	grep -qx 'StateDirectory=okta-ocsf' "$u/okta-ocsf-sync@.service"
	grep -qx 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' "$u/okta-ocsf-sync@.service"
	grep -qx 'LoadCredential=okta-token:/etc/okta-ocsf/%i.okta-token' "$u/okta-ocsf-sync@.service"
	grep -qx 'Environment=OKTA_API_TOKEN_FILE=%d/okta-token' "$u/okta-ocsf-sync@.service"
	grep -qx 'Environment=SEKOIA_API_KEY_FILE=%d/sekoia-key' "$u/okta-ocsf-sync@.service"
	grep -qx 'OnCalendar=\*:0/15' "$u/okta-ocsf-sync@.timer"
	grep -qx 'RandomizedDelaySec=5min' "$u/okta-ocsf-sync@.timer"
	grep -qx 'Persistent=true' "$u/okta-ocsf-sync@.timer"
	# A deadline, after the wrapper's own (OKTA_OCSF_TIMEOUT, 4h).
	grep -qx 'TimeoutStartSec=4h 10min' "$u/okta-ocsf-sync@.service"
	run systemd-analyze security --offline=true --root="$d" okta-ocsf-sync@acme.service
	echo "$output"
	[ "$status" -eq 0 ]
	score=$(sed -n 's/.*Overall exposure level for okta-ocsf-sync@acme.service: \([0-9.]*\) .*/\1/p' <<<"$output")
	echo "# systemd-analyze security: exposure $score" >&3
	[ -n "$score" ]
	awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'
	# verify needs the wrapper where ExecStart says and the pages that
	# Documentation= names: an install without DESTDIR, in a temporary
	# prefix.
	p=$BATS_TEST_TMPDIR/prefix
	run make -C "$ROOT" -s install PREFIX="$p"
	[ "$status" -eq 0 ]
	run env MANPATH="$p/share/man" systemd-analyze verify \
		"$p/lib/systemd/system/okta-ocsf-sync@.service" \
		"$p/lib/systemd/system/okta-ocsf-sync@.timer"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "ops: make deb: lintian finds no error; the package holds the programs, pages, wrapper, units and README" {
	need dpkg-buildpackage dpkg-dev
	need dh debhelper
	need lintian lintian
	before=$(git -C "$ROOT" status --porcelain 2>/dev/null || true)
	v=$(sed -n 's/^VERSION = //p' "$ROOT/Makefile")
	# The package's version is the suite's.
	[ "$(sed -n '1s/^okta-ocsf (\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")" = "$v" ]
	run make -C "$ROOT" -s deb
	echo "$output"
	[ "$status" -eq 0 ]
	deb=$(ls "$ROOT"/build/okta-ocsf_"$v"_*.deb)
	[ -f "$deb" ]
	# The tree is as it was: the build happened in build/deb.
	[ "$(git -C "$ROOT" status --porcelain 2>/dev/null || true)" = "$before" ]
	run lintian --fail-on error "$deb"
	echo "$output" | sed 's/^/# lintian: /' >&3
	[ "$status" -eq 0 ]
	! grep -q '^E: ' <<<"$output"
	run dpkg -c "$deb"
	[ "$status" -eq 0 ]
	for f in usr/bin/okta-fetch usr/bin/okta2ocsf usr/bin/ocsf-push usr/bin/okta-ocsf-sync \
	    usr/share/man/man1/okta-fetch.1.gz usr/share/man/man1/okta2ocsf.1.gz \
	    usr/share/man/man1/ocsf-push.1.gz usr/share/man/man1/okta-ocsf-sync.1.gz \
	    usr/share/man/man7/okta-ocsf.7.gz \
	    usr/lib/systemd/system/okta-ocsf-sync@.service \
	    usr/lib/systemd/system/okta-ocsf-sync@.timer \
	    usr/share/doc/okta-ocsf/README.md.gz usr/share/doc/okta-ocsf/copyright \
	    etc/okta-ocsf/example.env.sample; do
		grep -q " \./$f\$" <<<"$output" || { echo "$f not in the package" >&2; return 1; }
	done
	# What dpkg -i would put in place works: the commands and the pages.
	x=$BATS_TEST_TMPDIR/x
	dpkg-deb -x "$deb" "$x"
	for p in okta-fetch okta2ocsf ocsf-push okta-ocsf-sync; do
		run "$x/usr/bin/$p" -V
		[ "$status" -eq 0 ]
		[ "$output" = "$p $v" ]
	done
	grep -qx 'ExecStart=/usr/bin/okta-ocsf-sync /etc/okta-ocsf/%i.env' \
		"$x/usr/lib/systemd/system/okta-ocsf-sync@.service"
	if command -v man >/dev/null; then
		run env MANWIDTH=80 man -l "$x/usr/share/man/man1/okta-ocsf-sync.1.gz"
		[ "$status" -eq 0 ]
		[[ $output == *"EXIT STATUS"* ]]
	fi
	# The package runs a sync: the programs beside the wrapper.
	start_pair --generate 7
	SYNC=$x/usr/bin/okta-ocsf-sync
	run_sync
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(count_lines "$REC/$UUID.ndjson")" -eq 7 ]
}

@test "ops: the Kubernetes manifests are valid objects, with the fields that matter" {
	k=$ROOT/contrib/kubernetes
	python3 -c 'import yaml' 2>/dev/null || need no-such-tool python3-yaml
	python3 - "$k/okta-ocsf-acme.yaml" "$BATS_TEST_TMPDIR/acme.env.k8s" <<-'EOF'
		import sys, yaml
		import re
		text = open(sys.argv[1]).read()
		docs = {d["kind"]: d for d in yaml.safe_load_all(text) if d}
		# No Secret to apply over the real one: the command that makes it.
		assert set(docs) == {"ConfigMap", "PersistentVolumeClaim", "CronJob"}, docs.keys()
		cm, pvc, cj = (docs[k] for k in ("ConfigMap", "PersistentVolumeClaim", "CronJob"))
		m = re.search(r"kubectl create secret generic (\S+) \\\n#\s+--from-file=(\S+)=\S+ \\\n#\s+--from-file=(\S+)=\S+\n", text)
		assert m, "no kubectl create secret command"
		sec = {"metadata": {"name": m[1]}, "data": {m[2]: "", m[3]: ""}}
		for d in docs.values():
		    assert d["apiVersion"] == ("batch/v1" if d["kind"] == "CronJob" else "v1")
		assert cj["spec"]["concurrencyPolicy"] == "Forbid"
		assert cj["spec"]["schedule"] == "*/15 * * * *"
		job = cj["spec"]["jobTemplate"]["spec"]
		pod = job["template"]["spec"]
		assert pod["restartPolicy"] == "Never"
		assert pod["automountServiceAccountToken"] is False
		psc = pod["securityContext"]
		assert psc["runAsNonRoot"] is True and psc["runAsUser"] != 0 and psc["runAsGroup"] != 0
		assert psc["seccompProfile"]["type"] == "RuntimeDefault"
		(c,) = pod["containers"]
		sc = c["securityContext"]
		assert sc["readOnlyRootFilesystem"] is True
		assert sc["allowPrivilegeEscalation"] is False
		assert sc["capabilities"]["drop"] == ["ALL"]
		r = c["resources"]
		assert r["requests"]["memory"] and r["requests"]["cpu"] and r["limits"]["memory"]
		vols = {v["name"]: v for v in pod["volumes"]}
		mounts = {m["name"]: m for m in c["volumeMounts"]}
		assert set(vols) == set(mounts)
		# The env file from the ConfigMap, named by the container's argument.
		assert vols["config"]["configMap"]["name"] == cm["metadata"]["name"]
		(key,) = cm["data"]
		assert c["args"] == [mounts["config"]["mountPath"] + "/" + key], c["args"]
		env = dict(l.split("=", 1) for l in cm["data"][key].splitlines() if l and l[0] != "#")
		# The secrets as files from the Secret, read-only, not world-readable.
		assert vols["secrets"]["secret"]["secretName"] == sec["metadata"]["name"]
		assert vols["secrets"]["secret"]["defaultMode"] & 0o007 == 0
		assert mounts["secrets"]["readOnly"] is True and mounts["config"]["readOnly"] is True
		for var, k in (("OKTA_API_TOKEN_FILE", "okta-token"), ("SEKOIA_API_KEY_FILE", "sekoia-key")):
		    assert env[var] == mounts["secrets"]["mountPath"] + "/" + k, var
		    assert k in sec.get("stringData", sec.get("data", {})), k
		assert not any(k in env for k in ("OKTA_API_TOKEN", "SEKOIA_API_KEY"))
		# The state on the claim, where the env file says.
		assert vols["state"]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
		assert env["OKTA_OCSF_STATE_DIR"] == mounts["state"]["mountPath"]
		assert not mounts["state"].get("readOnly")
		# The pipes in TMPDIR (/tmp): an emptyDir, not the claim.
		assert "TMPDIR" not in env
		(tmp,) = [n for n, m in mounts.items() if m["mountPath"] == "/tmp"]
		assert "emptyDir" in vols[tmp], vols[tmp]
		# The wrapper's deadline comes before the Job's.
		t = re.fullmatch(r"([0-9]+)([smh]?)", env["OKTA_OCSF_TIMEOUT"])
		secs = int(t[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[t[2]]
		assert secs < job["activeDeadlineSeconds"], (secs, job["activeDeadlineSeconds"])
		# The image from a registry, not a local tag.
		assert "/" in c["image"].split(":")[0], c["image"]
		open(sys.argv[2], "w").write(cm["data"][key])
	EOF
	# The ConfigMap's env file passes the wrapper's own reader.
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	sed "s|^OKTA_OCSF_STATE_DIR=.*|OKTA_OCSF_STATE_DIR=$STATE|" \
		"$BATS_TEST_TMPDIR/acme.env.k8s" >"$ENVFILE"
	run_sync
	echo "$stderr"
	[ "$status" -eq 0 ]
	# The image: the package on Debian's slim image, not root.
	grep -q '^FROM .*debian:[a-z]*-slim$' "$k/Containerfile"
	grep -q 'apt-get install .*/tmp/okta-ocsf_\*\.deb' "$k/Containerfile"
	grep -qx 'USER 65532:65532' "$k/Containerfile"
	grep -qx 'ENTRYPOINT \["/usr/bin/okta-ocsf-sync"\]' "$k/Containerfile"
	# The API's schemas, when the npm validator is installed.
	v=${K8S_VALIDATOR:-$ROOT/build/k8s-validate}
	if command -v node >/dev/null && [ -d "$v/node_modules/kubernetes-models" ]; then
		run node "$k/validate.mjs" "$v" "$k/okta-ocsf-acme.yaml"
		echo "$output"
		[ "$status" -eq 0 ]
	else
		echo "# Kubernetes schemas not checked: npm install --prefix build/k8s-validate kubernetes-models@5 js-yaml@4" >&3
	fi
}

@test "ops: the Prometheus alert fires for a tenant without a success for 3 intervals, and only then" {
	need promtool prometheus
	cd "$ROOT/contrib/prometheus"
	run promtool check rules okta-ocsf.rules.yml
	echo "$output"
	[ "$status" -eq 0 ]
	run promtool test rules okta-ocsf.rules.test.yml
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qF 'time() - okta_ocsf_last_success_timestamp_seconds > 3 * 900' okta-ocsf.rules.yml
}

@test "ops: a clone of the committed HEAD, with no ../shared beside it, runs make demo" {
	git -C "$ROOT" rev-parse --verify -q HEAD >/dev/null || skip "not a git checkout"
	if [ -z "$(git -C "$ROOT" ls-tree HEAD tests/data/okta-devices.json)" ]; then
		echo "# tests/data/okta-devices.json not committed: the demo still needs ../shared; clone test skipped" >&3
		skip "the demo's own sample devices are not in this tree yet"
	fi
	d=$BATS_TEST_TMPDIR/alone/okta-ocsf
	git clone -q "$ROOT" "$d"
	[ ! -e "$d/../shared" ]
	run make -C "$d" -s demo
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"the intake received"* ]]
	[[ $output == *"devices per platform:"* ]]
}

# stop_sync SIGNAL: the signal to the wrapper started in the background
# ($pid, its stderr in sync.err); its status in $status.
stop_sync() {
	kill -"$1" "$pid"
	status=0
	wait "$pid" || status=$?
	cat "$BATS_TEST_TMPDIR/sync.err"
}

@test "ops: SIGTERM to the wrapper reaches the stages: what was not delivered is in FAILED, the metrics say 75" {
	# Every POST hangs; the wrapper is stopped once the listing is mapped.
	INTAKE_ARGS="--fault hang@* --hang-seconds 60" start_pair --generate 15
	env -i PATH=/usr/bin:/bin "$SYNC" "$ENVFILE" 2>"$BATS_TEST_TMPDIR/sync.err" &
	pid=$!
	deadline=$((SECONDS + 60))
	until [ -s "$STATE/acme.run/okta2ocsf.stats" ]; do
		[ "$SECONDS" -lt "$deadline" ] || { kill "$pid"; return 1; }
		sleep 0.1
	done
	stop_sync TERM
	[ "$status" -eq 75 ]
	[[ $(cat "$BATS_TEST_TMPDIR/sync.err") == *"ocsf-push exited 75"* ]]
	[ ! -e "$STATE/acme.mark" ]
	# Delivered + FAILED = input.
	[ "$(count_lines "$STATE/acme.failed")" -eq 15 ]
	[ "$(metric last_run_exit_status)" = 75 ]
	[ "$(metric records_failed)" = 15 ]
	[ "$(metric devices_fetched)" = 15 ]
}

# --- Issue 18: full runs -------------------------------------------------

@test "ops: full runs: --full-every from OKTA_OCSF_FULL_EVERY, --full when okta2ocsf -V or the target changed, noted only on commit" {
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	mock_stage okta-fetch 0 '"devices":4,"pages":1,"retries":0,"full":1,"vanished":3,"seconds":0.1,'
	printf 'OKTA_OCSF_STATE_DIR=%s\nOKTA_OCSF_METRICS_DIR=%s\n' "$STATE" "$M" >"$ENVFILE"
	calls=$BATS_TEST_TMPDIR/okta-fetch.calls
	state_call() { grep -- '--state' "$calls" | tail -n 1; }
	# No mapping noted yet: a full listing, then the mapping noted.
	run_sync
	[ "$status" -eq 0 ]
	[[ $(state_call) == "-q --full --state $STATE/acme.mark "* ]]
	[ "$(cat "$STATE/acme.mapping")" = "okta2ocsf 0.1.0 -T sekoia" ]
	[ "$(stat -c %a "$STATE/acme.mapping")" = 600 ]
	[ "$(metric devices_vanished)" = 3 ]
	[ "$(metric last_run_full)" = 1 ]
	# The same mapping: okta-fetch decides, every 24 hours by default.
	run_sync
	[[ $(state_call) == "-q --full-every 86400 --state $STATE/acme.mark "* ]]
	printf 'OKTA_OCSF_FULL_EVERY=90m\n' >>"$ENVFILE"
	run_sync
	[[ $(state_call) == "-q --full-every 5400 --state $STATE/acme.mark "* ]]
	printf 'OKTA_OCSF_FULL_EVERY=0\n' >>"$ENVFILE"
	run_sync
	[[ $(state_call) == "-q --full-every 0 --state $STATE/acme.mark "* ]]
	# A new okta2ocsf: a full listing; a failed run notes nothing.
	mock_stage ocsf-push 75
	echo 0.2.0 >"$BATS_TEST_TMPDIR/mock.version"
	run_sync
	[ "$status" -eq 75 ]
	[[ $(state_call) == "-q --full --state "* ]]
	[ "$(cat "$STATE/acme.mapping")" = "okta2ocsf 0.1.0 -T sekoia" ]
	mock_stage ocsf-push 0
	run_sync
	[ "$status" -eq 0 ]
	[[ $(state_call) == "-q --full --state "* ]]
	[ "$(cat "$STATE/acme.mapping")" = "okta2ocsf 0.2.0 -T sekoia" ]
	run_sync
	[[ $(state_call) == "-q --full-every 0 --state "* ]]
	# Another target, in any spelling: a full listing.
	printf 'OKTA2OCSF_OPTS=-Tocsf\n' >>"$ENVFILE"
	run_sync
	[[ $(state_call) == "-q --full --state "* ]]
	[ "$(cat "$STATE/acme.mapping")" = "okta2ocsf 0.2.0 -T ocsf" ]
	printf 'OKTA2OCSF_OPTS="-q -T ocsf"\n' >>"$ENVFILE"
	run_sync
	[[ $(state_call) == "-q --full-every 0 --state "* ]]
	# A bad duration is a configuration error.
	printf 'OKTA_OCSF_FULL_EVERY=daily\n' >>"$ENVFILE"
	run_sync
	[ "$status" -eq 78 ]
	[[ $stderr == *"OKTA_OCSF_FULL_EVERY=daily: not a duration"* ]]
}

@test "ops: an okta-fetch without full runs is run as before; a stage without the new --stats keys counts 0" {
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0 '"lines":2,"accepted":2,"batches":1,"batches_unconfirmed":1,"batches_ingest_failed":0,"retries":0,"rejected":0,"failed":0,"seconds":0.1,'
	mock_stage okta-fetch 0
	sed -i 's/--full | --full-every DURATION//' "$BIN/okta-fetch"
	printf 'OKTA_OCSF_STATE_DIR=%s\nOKTA_OCSF_METRICS_DIR=%s\n' "$STATE" "$M" >"$ENVFILE"
	run_sync
	[ "$status" -eq 0 ]
	! grep -q -- '--full' "$BATS_TEST_TMPDIR/okta-fetch.calls"
	# No mapping noted: the okta-fetch that can will list in full.
	[ ! -e "$STATE/acme.mapping" ]
	[ "$(metric devices_vanished)" = 0 ]
	[ "$(metric last_run_full)" = 0 ]
	[ "$(metric batches_unconfirmed)" = 1 ]
	[ "$(metric batches_ingest_failed)" = 0 ]
	check_prom "$PROM"
}

@test "ops: two tenants in one state directory never share a mark, a roster or a dead-letter file" {
	mock_stage okta2ocsf 1 '"devices":1,"records":0,"rejected":1,"seconds":0.1,'
	mock_stage ocsf-push 0
	cat >"$BIN/okta-fetch" <<-EOF
		#!/bin/bash
		[ "\$1" = -h ] && { echo "--full-every"; exit 0; }
		prev=
		for a; do
			[ "\$prev" = --state ] && echo "\$a" >>"$BATS_TEST_TMPDIR/states"
			[ "\$prev" = --commit ] && echo "\$a" >>"$BATS_TEST_TMPDIR/commits"
			prev=\$a
		done
		exit 0
	EOF
	chmod +x "$BIN/okta-fetch"
	# okta2ocsf's REJECTS: what the mock rejected.
	cat >"$BIN/okta2ocsf" <<-'EOF'
		#!/bin/bash
		[ "$1" = -V ] && { echo "okta2ocsf 0.1.0"; exit 0; }
		prev=
		for a; do
			[ "$prev" = -r ] && echo "{\"id\":\"$a\"}" >"$a"
			[ "$prev" = --stats ] && echo '{"devices":1,"records":0,"rejected":1,"exit_status":1}' >"$a"
			prev=$a
		done
		exit 1
	EOF
	for t in acme beta; do
		printf 'OKTA_OCSF_STATE_DIR=%s\n' "$STATE" >"$BATS_TEST_TMPDIR/$t.env"
		run_sync "$BATS_TEST_TMPDIR/$t.env"
		[ "$status" -eq 1 ]
	done
	diff - "$BATS_TEST_TMPDIR/states" <<-EOF
		$STATE/acme.mark
		$STATE/beta.mark
	EOF
	diff "$BATS_TEST_TMPDIR/states" "$BATS_TEST_TMPDIR/commits"
	# okta-fetch keeps the roster beside the mark: TENANT.mark.roster.
	grep -q "$STATE/acme.rejects" "$STATE/acme.rejected.ndjson"
	! grep -q beta "$STATE/acme.rejected.ndjson"
	grep -q "$STATE/beta.rejects" "$STATE/beta.rejected.ndjson"
}

# --- Issue 19: the first error line ---------------------------------------

@test "ops: the failure line quotes the stage's first error, not the last line of its synopsis" {
	start_pair --generate 3
	write_env 'OKTA_FETCH_OPTS="--max-retries many"'
	run_sync
	echo "$stderr"
	[ "$status" -eq 64 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	first=$(head -n 1 "$STATE/acme.run/okta-fetch.err")
	[[ $first == okta-fetch:* ]]
	[[ $stderr == *"okta-fetch exited 64, usage error: check the *_OPTS settings in $ENVFILE (\"$first\")"* ]]
	[[ $stderr != *usage:* ]]
	[ ! -e "$STATE/acme.mark" ]
}

# --- Issue 20: files the wrapper writes, deadlines, signals --------------

# plant_symlinks DIR PREFIX: symlinks DIR/PREFIXpid to a victim file for
# the next thousand process ids, where a wrapper writing to a name made
# of its pid would write.
plant_symlinks() {
	python3 - "$1" "$2" "$BATS_TEST_TMPDIR/victim" <<-'EOF'
		import os, sys
		d, prefix, victim = sys.argv[1:]
		p = os.getpid()
		for n in range(p, p + 1000):
		    try:
		        os.symlink(victim, os.path.join(d, prefix + str(n)))
		    except FileExistsError:
		        pass
	EOF
}

@test "ops: no write through a planted symlink: metrics temporary files, .last-success.tmp" {
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	printf 'OKTA_OCSF_STATE_DIR=%s\nOKTA_OCSF_METRICS_DIR=%s\n' "$STATE" "$M" >"$ENVFILE"
	echo precious >"$BATS_TEST_TMPDIR/victim"
	chmod 0600 "$BATS_TEST_TMPDIR/victim"
	mkdir -p "$STATE"
	plant_symlinks "$M" .okta_ocsf_acme.prom.
	ln -s "$BATS_TEST_TMPDIR/victim" "$STATE/acme.last-success.tmp"
	run_sync
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/victim")" = precious ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/victim")" = 600 ]
	[ -f "$PROM" ] && [ ! -L "$PROM" ]
	[ "$(stat -c %a "$PROM")" = 644 ]
	[ -f "$STATE/acme.last-success" ] && [ ! -L "$STATE/acme.last-success" ]
	[ "$(metric last_run_exit_status)" = 0 ]
}

@test "ops: a symlink, a FIFO or a directory where a regular file goes: 78 naming it, nothing run, no hang" {
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	printf 'OKTA_OCSF_STATE_DIR=%s\nOKTA_OCSF_METRICS_DIR=%s\n' "$STATE" "$M" >"$ENVFILE"
	echo precious >"$BATS_TEST_TMPDIR/victim"
	for f in acme.lock acme.failed acme.rejects acme.rejected.ndjson acme.last-success \
	    acme.mapping acme.failed.prev acme.mark acme.mark.roster; do
		for kind in symlink fifo dir; do
			rm -rf "$STATE" "$BATS_TEST_TMPDIR"/*.calls
			mkdir -p "$STATE"
			case $kind in
			symlink) ln -s "$BATS_TEST_TMPDIR/victim" "$STATE/$f" ;;
			fifo) mkfifo "$STATE/$f" ;;
			dir) mkdir "$STATE/$f" ;;
			esac
			run --separate-stderr timeout 60 env -i PATH=/usr/bin:/bin "$SYNC" "$ENVFILE"
			echo "$f ($kind): $status: $stderr"
			[ "$status" -eq 78 ]
			[[ $stderr == "okta-ocsf-sync: acme: $STATE/$f: not a regular file"* ]]
			[ "$(cat "$BATS_TEST_TMPDIR/victim")" = precious ]
			[ ! -e "$BATS_TEST_TMPDIR/okta2ocsf.calls" ]
			[ "$(metric last_run_exit_status)" = 78 ]
		done
	done
	# The metrics file itself.
	rm -rf "$STATE" "$PROM"
	ln -s "$BATS_TEST_TMPDIR/victim" "$PROM"
	run_sync
	[ "$status" -eq 78 ]
	[[ $stderr == *"$PROM: not a regular file"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/victim")" = precious ]
}

@test "ops: an env file writable by group or others is refused (78), like OpenSSH" {
	mock_stage okta-fetch 0
	printf 'OKTA_OCSF_STATE_DIR=%s\n' "$STATE" >"$ENVFILE"
	for mode in 0620 0602 0666 0777; do
		chmod "$mode" "$ENVFILE"
		run_sync
		[ "$status" -eq 78 ]
		[[ $stderr == "okta-ocsf-sync: $ENVFILE: mode ${mode#0}: writable by group or others, refused"* ]]
	done
	[ ! -e "$BATS_TEST_TMPDIR/okta-fetch.calls" ]
	chmod 0644 "$ENVFILE"
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	run_sync
	[ "$status" -eq 0 ]
	# Through a symlink (a Kubernetes ConfigMap), the file's own mode.
	chmod 0666 "$ENVFILE"
	mkdir -p "$BATS_TEST_TMPDIR/k"
	ln -s "$ENVFILE" "$BATS_TEST_TMPDIR/k/acme.env"
	run_sync "$BATS_TEST_TMPDIR/k/acme.env"
	[ "$status" -eq 78 ]
}

@test "ops: OKTA_OCSF_TIMEOUT: at the deadline the stages get SIGTERM, nothing is committed, exit 75" {
	# Every POST hangs; the deadline stops the run.
	INTAKE_ARGS="--fault hang@* --hang-seconds 120" start_pair --generate 15
	write_env OKTA_OCSF_TIMEOUT=3s
	start=$SECONDS
	run_sync
	echo "$stderr"
	[ "$status" -eq 75 ]
	[ $((SECONDS - start)) -lt 100 ]
	[[ ${stderr_lines[0]} == "okta-ocsf-sync: acme: the run's deadline passed (OKTA_OCSF_TIMEOUT=3s): the stages were stopped; mark not moved" ]]
	[[ $stderr == *"ocsf-push exited 75, stopped at the run's deadline"* ]]
	[ ! -e "$STATE/acme.mark" ] && [ ! -e "$STATE/acme.mark.next" ] || [ ! -e "$STATE/acme.mark" ]
	[ "$(count_lines "$STATE/acme.failed")" -eq 15 ]
	[ "$(metric last_run_exit_status)" = 75 ]
	# Nothing left behind: no watchdog, no pipes.
	! pgrep -f "okta-ocsf-sync $ENVFILE" >/dev/null
	[ -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'okta-ocsf-sync.acme.*' -user "$(id -u)" 2>/dev/null | grep -F "$BATS_TEST_TMPDIR" || true)" ]
	# A bad duration.
	write_env OKTA_OCSF_TIMEOUT=-1
	run_sync
	[ "$status" -eq 78 ]
	[[ $stderr == *"OKTA_OCSF_TIMEOUT=-1: not a duration"* ]]
}

@test "ops: a stage that ignores SIGTERM at the deadline is killed a minute later; a run within its deadline leaves no watchdog" {
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	cat >"$BIN/okta-fetch" <<-EOF
		#!/bin/bash
		echo "\$*" >>"$BATS_TEST_TMPDIR/okta-fetch.calls"
		case " \$* " in *" -h "*) echo --full-every; exit 0 ;; *" --commit "*) exit 0 ;; esac
		trap '' TERM
		echo \$\$ >"$BATS_TEST_TMPDIR/fetch.pid"
		exec sleep 300
	EOF
	chmod +x "$BIN/okta-fetch"
	printf 'OKTA_OCSF_STATE_DIR=%s\nOKTA_OCSF_TIMEOUT=1\n' "$STATE" >"$ENVFILE"
	run_sync
	echo "$stderr"
	[ "$status" -eq 75 ]
	[[ $stderr == *"okta-fetch exited 137, killed by signal 9"* ]]
	grep -q -- --state "$BATS_TEST_TMPDIR/okta-fetch.calls"
	! grep -q -- --commit "$BATS_TEST_TMPDIR/okta-fetch.calls"
	[ ! -e "$STATE/acme.mark" ]
}

@test "ops: SIGINT reaches every stage, which starts with SIGINT and SIGQUIT not ignored" {
	for p in okta-fetch okta2ocsf ocsf-push; do
		cat >"$BIN/$p" <<-EOF
			#!/bin/bash
			case \$1 in -h) echo --full-every; exit 0 ;; -V) echo "$p 0.1.0"; exit 0 ;; esac
			grep '^SigIgn:' /proc/\$\$/status >"$BATS_TEST_TMPDIR/$p.sigign"
			trap 'echo INT >"$BATS_TEST_TMPDIR/$p.got"; exit 130' INT
			sleep 60 & wait
		EOF
		chmod +x "$BIN/$p"
	done
	printf 'OKTA_OCSF_STATE_DIR=%s\nOKTA_OCSF_METRICS_DIR=%s\n' "$STATE" "$M" >"$ENVFILE"
	# The wrapper as a terminal runs it: SIGINT not ignored.
	(trap - INT QUIT && exec env -i PATH=/usr/bin:/bin "$SYNC" "$ENVFILE" 2>"$BATS_TEST_TMPDIR/sync.err") &
	pid=$!
	deadline=$((SECONDS + 30))
	until [ -s "$BATS_TEST_TMPDIR/okta-fetch.sigign" ] && [ -s "$BATS_TEST_TMPDIR/okta2ocsf.sigign" ] &&
	    [ -s "$BATS_TEST_TMPDIR/ocsf-push.sigign" ]; do
		[ "$SECONDS" -lt "$deadline" ] || { kill "$pid"; return 1; }
		sleep 0.1
	done
	# The wrapper's own: what it was started with (bats may ignore
	# SIGQUIT, which nothing can undo).
	wign=$(awk '/^SigIgn:/ {print $2}' "/proc/$pid/status")
	echo "wrapper: SigIgn $wign"
	for p in okta-fetch okta2ocsf ocsf-push; do
		ign=$(awk '{print $2}' "$BATS_TEST_TMPDIR/$p.sigign")
		echo "$p: SigIgn $ign"
		# Bit 2 (SIGINT, counted from 1) clear, and nothing ignored
		# that the wrapper did not ignore itself (such as the SIGQUIT
		# bash ignores in background jobs).
		[ $((16#$ign & 2)) -eq 0 ]
		[ $((16#$ign & ~16#$wign)) -eq 0 ]
	done
	stop_sync INT
	[ "$status" -eq 130 ]
	for p in okta-fetch okta2ocsf ocsf-push; do
		[ "$(cat "$BATS_TEST_TMPDIR/$p.got")" = INT ]
	done
	[ ! -e "$STATE/acme.mark" ]
	[ "$(metric last_run_exit_status)" = 130 ]
}

@test "ops: a word that is not an option in *_OPTS is refused (78); options and their arguments pass" {
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	while IFS='|' read -r line word; do
		printf 'OKTA_OCSF_STATE_DIR=%s\n%s\n' "$STATE" "$line" >"$ENVFILE"
		run_sync
		echo "$line: $status $stderr"
		[ "$status" -eq 78 ]
		[[ $stderr == *": \"$word\": not an option"* ]]
	done <<-'EOF'
		OCSF_PUSH_OPTS="-P 2 extra.ndjson"|extra.ndjson
		OKTA2OCSF_OPTS="-q devices.ndjson"|devices.ndjson
		OKTA2OCSF_OPTS="-T ocsf -"|-
		OKTA_FETCH_OPTS="-- -x"|--
		OCSF_PUSH_OPTS="-b 50 -- file"|--
	EOF
	[ ! -e "$BATS_TEST_TMPDIR/okta2ocsf.calls" ]
	printf 'OKTA_OCSF_STATE_DIR=%s\nOCSF_PUSH_OPTS=-b\n' "$STATE" >"$ENVFILE"
	run_sync
	[ "$status" -eq 78 ]
	[[ $stderr == *"OCSF_PUSH_OPTS: -b: its argument is missing"* ]]
	cat >"$ENVFILE" <<-EOF
		OKTA_OCSF_STATE_DIR=$STATE
		OKTA_FETCH_OPTS="-e userSummary -l 50 --since 2025-01-01 --max-retries=3 --timeout 10 -qs x"
		OKTA2OCSF_OPTS="-T ocsf -t 1700000000000 -u ms"
		OCSF_PUSH_OPTS="-P 2 -b50 --task-wait 30 --max-wait 60 -i 1"
	EOF
	run_sync
	echo "$stderr"
	[ "$status" -eq 0 ]
	grep -q -- '-P 2 -b50 --task-wait 30 --max-wait 60 -i 1 -f' "$BATS_TEST_TMPDIR/ocsf-push.calls"
}

# --- Issue 21: the environment, every documented variable, the parser ----

@test "ops: a variable set in the environment wins over the env file; -v says which came from where, never a value" {
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	cat >"$BIN/ocsf-push" <<-EOF
		#!/bin/bash
		[ "\$1" = -V ] && exit 0
		cat >/dev/null
		printf '%s\n' "SEKOIA_API_KEY_FILE=\$SEKOIA_API_KEY_FILE" "SEKOIA_REGION=\$SEKOIA_REGION" \
			"OKTA_OCSF_METRICS_DIR=\${OKTA_OCSF_METRICS_DIR-unset}" >"$BATS_TEST_TMPDIR/vars"
	EOF
	chmod +x "$BIN/ocsf-push"
	cat >"$ENVFILE" <<-EOF
		OKTA_OCSF_STATE_DIR=$STATE
		SEKOIA_API_KEY_FILE=/etc/okta-ocsf/acme.sekoia-key
		SEKOIA_REGION=FRA2
		OKTA_OCSF_METRICS_DIR=/nonexistent/read-only
	EOF
	# As a unit's Environment= sets them, an empty one included.
	run --separate-stderr env -i PATH=/usr/bin:/bin SEKOIA_API_KEY_FILE=/run/credentials/sekoia-key \
		OKTA_OCSF_METRICS_DIR="$M" SEKOIA_CONNECTOR_UUID= "$SYNC" -v "$ENVFILE"
	echo "$stderr"
	[ "$status" -eq 0 ]
	diff - "$BATS_TEST_TMPDIR/vars" <<-EOF
		SEKOIA_API_KEY_FILE=/run/credentials/sekoia-key
		SEKOIA_REGION=FRA2
		OKTA_OCSF_METRICS_DIR=$M
	EOF
	[ -f "$PROM" ]
	grep -qx "okta-ocsf-sync: acme: SEKOIA_API_KEY_FILE: from the environment (not $ENVFILE:2)" <<<"$stderr"
	grep -qx "okta-ocsf-sync: acme: SEKOIA_REGION: from $ENVFILE:3" <<<"$stderr"
	grep -qx "okta-ocsf-sync: acme: OKTA_OCSF_METRICS_DIR: from the environment (not $ENVFILE:4)" <<<"$stderr"
	grep -qx "okta-ocsf-sync: acme: SEKOIA_CONNECTOR_UUID: from the environment" <<<"$stderr"
	[[ $stderr != *FRA2* ]] && [[ $stderr != */run/credentials/sekoia-key* ]]
	# Without -v, silent; unset in the environment, the file's value.
	run --separate-stderr env -i PATH=/usr/bin:/bin "$SYNC" "$ENVFILE"
	[ "$status" -eq 75 ]
	[ "$stderr" = "okta-ocsf-sync: acme: /nonexistent/read-only/okta_ocsf_acme.prom: cannot write the metrics" ]
}

# man_variables: every variable the three programs' pages describe.
man_variables() {
	for p in okta-fetch okta2ocsf ocsf-push; do
		sed -n '/^\.Sh ENVIRONMENT/,/^\.Sh /p' "$ROOT/man/$p.1"
	done | grep -oE '\bEv [A-Za-z_][A-Za-z0-9_]*' | cut -c4- | grep -vx VAR | sort -u
}

@test "ops: every variable the programs' manual pages document is allowed in the env file, with its _FILE form" {
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	vars=$(man_variables)
	for v in OKTA_CLIENT_SCOPES http_proxy ALL_PROXY HTTPS_PROXY SOURCE_DATE_EPOCH SEKOIA_REGION; do
		grep -qx "$v" <<<"$vars" || [ "$v" = SOURCE_DATE_EPOCH ] ||
			{ echo "the pages do not document $v" >&2; return 1; }
	done
	{
		echo "OKTA_OCSF_STATE_DIR=$STATE"
		for v in $vars SOURCE_DATE_EPOCH all_proxy no_proxy NO_PROXY OKTA_OCSF_HOLD_ON_REJECTS \
		    OKTA_OCSF_FULL_EVERY OKTA_OCSF_TIMEOUT OKTA_OCSF_COMMIT_ON_REJECTS; do
			case $v in
			OKTA_OCSF_*) echo "$v=1" ;;
			SOURCE_DATE_EPOCH) echo "$v=1700000000" ;;
			*) echo "$v=x" ;;
			esac
			case $v in
			OKTA_*_FILE | SEKOIA_*_FILE | OKTA_OCSF_*) ;;
			OKTA_* | SEKOIA_*) echo "${v}_FILE=/x" ;;
			esac
		done
	} >"$ENVFILE"
	run_sync
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(grep -c . "$ENVFILE")" -gt 40 ]
}

# gen_env FILE: about 62 kB of an env file, near the 64 KiB limit:
# comments, settings, quoted values and a multi-line PEM key, repeated,
# then the settings the test checks.
gen_env() {
	local i j
	for ((i = 0; i < 78; i++)); do
		printf '# tenant block %d: a comment line that explains the settings below it\n' "$i"
		printf 'OKTA_BASE_URL=https://acme%d.okta.com\n' "$i"
		printf "OKTA_SCOPES='okta.devices.read okta.users.read'\n"
		printf 'OKTA_FETCH_OPTS="-e userSummary"  \n'
		printf 'SEKOIA_CONNECTOR_UUID = 0b2e6c8e-5f4a-4d7b-9c61-2f0d3a8e7b15\n'
		printf 'OKTA_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----\n'
		for j in 1 2 3 4 5 6; do
			printf 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj%d\n' "$j"
		done
		printf -- '-----END PRIVATE KEY-----"\n\n'
	done
	# Long lines of quotes and escapes, across the pieces the parser
	# takes long lines in.
	printf 'OKTA_KEY_ID="%s"\n' "$(printf 'a b\\"c\\\\d\\$e %.0s' {1..400})"
	printf 'OKTA_CLIENT_KID=%s\n' "$(printf 'x\\ y%.0s' {1..300})"
	printf 'OKTA_OCSF_STATE_DIR=%s\n' "$STATE"
}

@test "ops: a 62 kB env file, near the 64 KiB limit, is parsed right (linear parser)" {
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	cat >"$BIN/ocsf-push" <<-EOF
		#!/bin/bash
		[ "\$1" = -V ] && exit 0
		cat >/dev/null
		printf '%s\n' "\$OKTA_BASE_URL" "\$OKTA_SCOPES" "\$OKTA_FETCH_OPTS" "\$SEKOIA_CONNECTOR_UUID" \
			"\$OKTA_PRIVATE_KEY" "\$OKTA_KEY_ID" "\$OKTA_CLIENT_KID" >"$BATS_TEST_TMPDIR/vars"
	EOF
	chmod +x "$BIN/ocsf-push"
	gen_env >"$ENVFILE"
	size=$(wc -c <"$ENVFILE")
	echo "# env file: $size bytes" >&3
	[ "$size" -gt 60000 ] && [ "$size" -le 65536 ]
	start=$SECONDS
	run_sync
	echo "$stderr"
	[ "$status" -eq 0 ]
	# A generous bound against quadratic parsing (13 s before), not a
	# speed target: make bench measures that.
	[ $((SECONDS - start)) -lt 10 ]
	{
		echo https://acme77.okta.com
		echo 'okta.devices.read okta.users.read'
		echo '-e userSummary'
		echo 0b2e6c8e-5f4a-4d7b-9c61-2f0d3a8e7b15
		echo '-----BEGIN PRIVATE KEY-----'
		for j in 1 2 3 4 5 6; do
			echo "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj$j"
		done
		echo '-----END PRIVATE KEY-----'
		for j in {1..400}; do printf '%s' 'a b"c\d$e '; done
		echo
		for j in {1..300}; do printf '%s' 'x y'; done
		echo
	} | diff - "$BATS_TEST_TMPDIR/vars"
}

@test "ops: the state directory: \$STATE_DIRECTORY, else the user's XDG state directory, created 0700" {
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	: >"$ENVFILE"
	h=$BATS_TEST_TMPDIR/home
	mkdir -p "$h"
	mkdir -p -m 0700 "$BATS_TEST_TMPDIR/sd"
	run --separate-stderr env -i PATH=/usr/bin:/bin STATE_DIRECTORY="$BATS_TEST_TMPDIR/sd:/other" "$SYNC" "$ENVFILE"
	echo "$stderr"
	[ "$status" -eq 0 ]
	grep -q -- "--state $BATS_TEST_TMPDIR/sd/acme.mark" "$BATS_TEST_TMPDIR/okta-fetch.calls"
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "not root's /var/lib: setpriv is missing"
		as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		# The test's directories (bats makes them 0700) reachable.
		d=$BATS_TEST_TMPDIR
		while [ "$d" != / ] && [ "$d" != "${TMPDIR:-/tmp}" ]; do
			chmod o+x "$d"
			d=$(dirname "$d")
		done
		chmod 0755 "$BIN"
		# Where the mock stages note their calls.
		chmod 1777 "$BATS_TEST_TMPDIR"
		chown 65534:65534 "$h" "$ENVFILE"
		as+=(env -i PATH=/usr/bin:/bin HOME="$h")
		"${as[@]}" test -x "$SYNC" || skip "the test directory is not reachable by nobody"
	else
		as=(env -i PATH=/usr/bin:/bin HOME="$h")
	fi
	rm -f "$BATS_TEST_TMPDIR"/*.calls
	run --separate-stderr "${as[@]}" "$SYNC" "$ENVFILE"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -d "$h/.local/state/okta-ocsf" ]
	[ "$(stat -c %a "$h/.local/state/okta-ocsf")" = 700 ]
	grep -q -- "--state $h/.local/state/okta-ocsf/acme.mark" "$BATS_TEST_TMPDIR/okta-fetch.calls"
	run --separate-stderr "${as[@]}" XDG_STATE_HOME="$h/xdg" "$SYNC" "$ENVFILE"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$h/xdg/okta-ocsf")" = 700 ]
}

@test "ops: the run's named pipes are made in TMPDIR, not in the state directory, and removed" {
	cat >"$BIN/okta-fetch" <<-EOF
		#!/bin/bash
		case " \$* " in *" -h "* | *" --commit "*) exit 0 ;; esac
		readlink /proc/\$\$/fd/1 >"$BATS_TEST_TMPDIR/fetch.out"
	EOF
	chmod +x "$BIN/okta-fetch"
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	printf 'OKTA_OCSF_STATE_DIR=%s\n' "$STATE" >"$ENVFILE"
	mkdir -p "$BATS_TEST_TMPDIR/tmp"
	run --separate-stderr env -i PATH=/usr/bin:/bin TMPDIR="$BATS_TEST_TMPDIR/tmp" "$SYNC" "$ENVFILE"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ $(cat "$BATS_TEST_TMPDIR/fetch.out") == "$BATS_TEST_TMPDIR/tmp/okta-ocsf-sync.acme."*/fetched ]]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/tmp")" ]
	[ -z "$(find "$STATE" -type p)" ]
}

@test "ops: the example tenant file is commented, and every setting in it, on or commented out, passes the wrapper's reader" {
	f=$ROOT/contrib/example.env.sample
	[ "$(grep -c '^#' "$f")" -gt 20 ]
	mock_stage okta-fetch 0
	mock_stage okta2ocsf 0
	mock_stage ocsf-push 0
	{ cat "$f"; echo "OKTA_OCSF_STATE_DIR=$STATE"; } >"$ENVFILE"
	run_sync
	echo "$stderr"
	[ "$status" -eq 0 ]
	{ sed -n 's/^#\([A-Za-z_]*=\)/\1/p' "$f"; echo "OKTA_OCSF_STATE_DIR=$STATE"; echo "OKTA_OCSF_METRICS_DIR=$M"; } >"$ENVFILE"
	[ "$(grep -c . "$ENVFILE")" -gt 10 ]
	run_sync
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "ops: make uninstall says nothing of ignored errors" {
	d=$BATS_TEST_TMPDIR/dest
	run make -C "$ROOT" install DESTDIR="$d" PREFIX=/usr/local
	[ "$status" -eq 0 ]
	[ -f "$d/usr/local/share/doc/okta-ocsf/example.env.sample" ]
	for i in 1 2; do
		run make -C "$ROOT" uninstall DESTDIR="$d" PREFIX=/usr/local
		echo "$output"
		[ "$status" -eq 0 ]
		[[ $output != *Error* ]] && [[ $output != *ignored* ]]
	done
	[ -z "$(find "$d" -type f)" ]
	[ ! -e "$d/usr/local/share/doc/okta-ocsf" ]
}

# reachable DIR: DIR and the directories above it searchable by others
# (bats makes its temporary directories 0700), for a non-root user.
reachable() {
	local d=$1
	while [ "$d" != / ] && [ "$d" != "${TMPDIR:-/tmp}" ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

@test "ops: the README's cron, parallel and systemd recipes work as printed, with make install's layout and the package's, as a non-root user" {
	need dpkg-deb dpkg
	v=$(sed -n 's/^VERSION = //p' "$ROOT/Makefile")
	t=$BATS_TEST_TMPDIR
	# The package: the one make deb built, if it holds this wrapper.
	deb=$(ls "$ROOT"/build/okta-ocsf_"$v"_*.deb 2>/dev/null | head -n 1) || true
	if [ -z "$deb" ] || ! dpkg-deb --fsys-tarfile "$deb" | tar xOf - ./usr/bin/okta-ocsf-sync |
	    cmp -s - "$ROOT/contrib/okta-ocsf-sync"; then
		need dpkg-buildpackage dpkg-dev
		need dh debhelper
		run make -C "$ROOT" -s deb
		[ "$status" -eq 0 ]
		deb=$(ls "$ROOT"/build/okta-ocsf_"$v"_*.deb | head -n 1)
	fi
	run make -C "$ROOT" -s install DESTDIR="$t/local" PREFIX=/usr/local
	[ "$status" -eq 0 ]
	dpkg-deb -x "$deb" "$t/pkg"
	# The package's example tenant file, commented.
	[ "$(grep -c '^#' "$t/pkg/etc/okta-ocsf/example.env.sample")" -gt 20 ]
	as=()
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "root, and no setpriv to run as another user"
		as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		reachable "$t"
	fi
	start_okta --generate 5
	start_intake --uuid "$UUID" --record "$t/rec"
	# The recipes, as the README prints them.
	readme=$ROOT/README.md
	mapfile -t cron < <(grep -E '^    \*/15 \* \* \* \* +okta-ocsf +/' "$readme")
	[ "${#cron[@]}" -eq 2 ]
	envlines=$(awk '/^where `\/etc\/okta-ocsf\/acme.env` is$/ {f = 1; next}
		f && /^    / {print substr($0, 5); g = 1; next}
		f && g {exit}' "$readme")
	[ -n "$envlines" ]
	parallel_cmd=$(awk '/^    parallel --joblog/ {s = substr($0, 5); sub(/\\$/, "", s); getline; sub(/^ +/, ""); print s $0; exit}' "$readme")
	[[ $parallel_cmd == "parallel --joblog ~/"* ]]
	unit_env=$(sed -n "s/^    printf '%s\\\\n' \\(.*\\) |$/\\1/p" "$readme")
	[[ $unit_env == OKTA_BASE_URL=* ]]
	n=0
	for line in "${cron[@]}"; do
		read -r _ _ _ _ _ user cmd arg <<<"$line"
		[ "$user" = okta-ocsf ]
		case $cmd in
		/usr/local/bin/*) root=$t/local ;;
		/usr/bin/*) root=$t/pkg ;;
		*) echo "$cmd: neither layout" >&2; return 1 ;;
		esac
		echo "# $cmd in $root" >&3
		[ -x "$root$cmd" ]
		e=$root/etc/okta-ocsf
		mkdir -p "$e"
		echo test-token >"$e/acme.okta-token"
		echo test-key >"$e/acme.sekoia-key"
		chmod 0600 "$e/acme.okta-token" "$e/acme.sekoia-key"
		[ ${#as[@]} -eq 0 ] || chown 65534:65534 "$e/acme.okta-token" "$e/acme.sekoia-key"
		# The README's file, the stand-ins for acme.okta.com and
		# Sekoia.io, the staging root's /etc.
		sed -e "s|^OKTA_BASE_URL=.*|OKTA_BASE_URL=$OKTA_URL|" \
			-e "s|^SEKOIA_CONNECTOR_UUID=.*|SEKOIA_CONNECTOR_UUID=$UUID|" \
			-e "s|=/etc/okta-ocsf/|=$e/|" <<<"$envlines" >"$root$arg"
		echo "SEKOIA_BASE_URL=$INTAKE_URL" >>"$root$arg"
		home=$t/home-${root##*/}
		mkdir -p "$home"
		[ ${#as[@]} -eq 0 ] || chown 65534:65534 "$home"
		# cron's environment.
		run --separate-stderr "${as[@]}" env -i HOME="$home" LOGNAME=okta-ocsf SHELL=/bin/sh \
			PATH=/usr/bin:/bin "$root$cmd" "$root$arg"
		echo "$stderr"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ] && [ -z "$output" ]
		[ -s "$home/.local/state/okta-ocsf/acme.mark" ]
		[ "$(stat -c %a "$home/.local/state/okta-ocsf")" = 700 ]
		# The five devices sent again (a new state: a full listing).
		[ "$(count_lines "$t/rec/$UUID.ndjson")" -ge $((n + 5)) ]
		n=$(count_lines "$t/rec/$UUID.ndjson")
		# GNU parallel, its job log where the user can write.
		if command -v parallel >/dev/null; then
			c=${parallel_cmd//\/usr\/local\/bin\/okta-ocsf-sync/$root$cmd}
			c=${c//\/etc\/okta-ocsf\//$e/}
			run "${as[@]}" env -i HOME="$home" PATH=/usr/bin:/bin bash -c "$c"
			echo "$output"
			[ "$status" -eq 0 ]
			[ -s "$home/okta-ocsf.jobs" ]
		fi
		# systemd: the unit's environment and credentials, the
		# README's env file, then the cron one (the unit's wins).
		u=$root${cmd%/bin/*}/lib/systemd/system/okta-ocsf-sync@.service
		grep -qx "ExecStart=$cmd /etc/okta-ocsf/%i.env" "$u"
		sd=$t/sd-${root##*/}
		mkdir -p "$sd/creds" "$sd/state/okta-ocsf" "$sd/run/okta-ocsf"
		sed -n 's/^LoadCredential=\([^:]*\):\/etc\/okta-ocsf\/%i\.\(.*\)$/\1 \2/p' "$u" |
		while read -r name file; do
			cp "$e/acme.$file" "$sd/creds/$name"
		done
		[ ${#as[@]} -eq 0 ] || chown -R 65534:65534 "$sd"
		uenv=()
		while read -r kv; do
			kv=${kv//%d/$sd/creds}
			kv=${kv//%S/$sd/state}
			kv=${kv//%t/$sd/run}
			uenv+=("$kv")
		done < <(sed -n 's/^Environment=//p' "$u")
		cp "$root$arg" "$t/cron.env"
		for envfile in readme cron; do
			if [ "$envfile" = readme ]; then
				# shellcheck disable=SC2086
				printf '%s\n' $unit_env | sed -e "s|^OKTA_BASE_URL=.*|OKTA_BASE_URL=$OKTA_URL|" \
					-e "s|^SEKOIA_CONNECTOR_UUID=.*|SEKOIA_CONNECTOR_UUID=$UUID|" >"$e/acme.env"
				echo "SEKOIA_BASE_URL=$INTAKE_URL" >>"$e/acme.env"
			else
				# The cron file, its secrets' paths as on a real
				# machine (unreadable here): the unit's win.
				sed "s|=$e/|=/etc/okta-ocsf/|" "$t/cron.env" >"$e/acme.env"
				echo "OKTA_OCSF_METRICS_DIR=/var/lib/prometheus/node-exporter" >>"$e/acme.env"
			fi
			run --separate-stderr "${as[@]}" env -i PATH=/usr/bin:/bin \
				STATE_DIRECTORY="$sd/state/okta-ocsf" CREDENTIALS_DIRECTORY="$sd/creds" \
				"${uenv[@]}" "$root$cmd" "$e/acme.env"
			echo "$envfile: $stderr"
			[ "$status" -eq 0 ]
			[ -z "$stderr" ]
			[ -s "$sd/state/okta-ocsf/acme.mark" ]
			[ -s "$sd/run/okta-ocsf/okta_ocsf_acme.prom" ]
		done
	done
}
