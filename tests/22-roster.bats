#!/usr/bin/env bats
# 22-roster.bats: okta-fetch's roster and full runs (SPEC.md, okta-fetch:
# "Devices that vanish", "Full listings"), against the Okta stand-in with
# devices deleted between runs (tests/fixtures/okta.py --delete-file).
#
# The expected roster comes from an oracle (roster_of, below) that builds
# it from the devices the stand-in lists, in Python, from the spec's words:
# one compact line per device, sorted by id, the listed fields only.
# shellcheck disable=SC2154  # status, output, stderr, lines: set by run
load helper

export OKTA_API_TOKEN=test-token
OKTA_LOG=$BATS_TEST_TMPDIR/requests.log

okta() { start_okta --log "$OKTA_LOG" "$@"; }

# fetch ARGS...: okta-fetch against the stand-in, stderr in $stderr.
fetch() { run --separate-stderr timeout 60 "$OKTA_FETCH" -u "$OKTA_URL" "$@"; }

# commit FILE: okta-fetch --commit FILE, which must succeed; its stderr
# in $stderr, $output left as the run before left it.
commit() {
	local rc=0
	stderr=$(timeout 60 "$OKTA_FETCH" --commit "$1" 2>&1 >/dev/null) || rc=$?
	[ "$rc" -eq 0 ] || flunk "--commit $1 exited $rc: $stderr"
}

expect_status() {
	[ "$status" -eq "$1" ] || flunk "exit status $status, expected $1"
}

stderr_has() {
	grep -Eq -- "$1" <<<"$stderr" || flunk "no stderr line matches /$1/"
}

# ids [FILE]: the id of each NDJSON line.
ids() {
	python3 -c 'import json, sys
for line in open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin:
    print(json.loads(line)["id"])' "$@"
}

# deleted_ids FILE: the ids of the lines with status DELETED, in order.
deleted_ids() {
	python3 -c 'import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    if d.get("status") == "DELETED":
        print(d["id"])' "$1"
}

# roster_of FILE: the roster the spec asks for, from the devices in FILE
# (NDJSON; of an id listed twice, the last).
roster_of() {
	python3 -c 'import json, sys
last = {}
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    r = {k: d[k] for k in ("id", "status", "created", "lastUpdated") if k in d}
    p = d.get("profile")
    if isinstance(p, dict):
        q = {k: p[k] for k in ("displayName", "platform", "serialNumber", "sid",
                               "manufacturer", "model") if k in p}
        if q:
            r["profile"] = q
    last[d["id"]] = r
for k in sorted(last, key=lambda k: k.encode()):
    print(json.dumps(last[k], separators=(",", ":"), ensure_ascii=False))' "$1"
}

# same_file WHAT GOT WANT
same_file() {
	cmp -s "$2" "$3" || flunk "$1 differs:" "$(diff "$3" "$2" | head -n 10)"
}

# An RFC 3339 time H hours from now.
hours_ago() { date -u -d "-$1 hours" +%Y-%m-%dT%H:%M:%S.000Z; }

# first_run ARGS...: the stand-in started with ARGS, then a first run with
# --state $s, committed; its stdout in $d/run1.ndjson, its stderr in
# $d/run1.err.  $d is the state directory ($D), $s the state file.
D=$BATS_TEST_TMPDIR/st
first_run() {
	d=$D s=$D/state
	mkdir -p "$d"
	okta "$@"
	fetch --state "$s"
	expect_status 0
	printf '%s\n' "$output" >"$d/run1.ndjson"
	printf '%s\n' "$stderr" >"$d/run1.err"
	commit "$s"
}

@test "roster: devices deleted, then --full: one DELETED record each through okta2ocsf, and no other extra record" {
	local d=$BATS_TEST_TMPDIR/st s
	s=$d/state
	mkdir -p "$d"
	okta --generate 450 --delete-file "$d/deleted"

	# Run 1, no state: a full listing; the first roster, no DELETED line.
	fetch --state "$s"
	expect_status 0
	printf '%s\n' "$output" >"$d/run1.ndjson"
	[ "$(count_lines "$d/run1.ndjson")" -eq 450 ] || flunk "run 1: $(count_lines "$d/run1.ndjson") lines"
	[ -z "$(deleted_ids "$d/run1.ndjson")" ] || flunk "run 1 printed a DELETED line"
	stderr_has 'full listing, 0 vanished'
	commit "$s"
	roster_of "$d/run1.ndjson" >"$d/want.roster"
	same_file "the roster after run 1" "$s.roster" "$d/want.roster"

	# Three devices deleted in the org: an incremental run cannot see it.
	sed -n '7p;200p;450p' "$d/run1.ndjson" | ids >"$d/deleted"
	fetch --state "$s"
	expect_status 0
	stderr_has 'incremental'
	! grep -q '"status":"DELETED"' <<<"$output" || flunk "an incremental run printed DELETED"
	commit "$s"

	# --full: the 447 left, then one DELETED line per deleted device.
	fetch --state "$s" --full --stats "$d/stats.json"
	expect_status 0
	printf '%s\n' "$output" >"$d/full.ndjson"
	stderr_has 'full listing, 3 vanished'
	[ "$(count_lines "$d/full.ndjson")" -eq 450 ] || flunk "full run: $(count_lines "$d/full.ndjson") lines"
	[ "$(deleted_ids "$d/full.ndjson")" = "$(sort "$d/deleted")" ] ||
		flunk "DELETED: $(deleted_ids "$d/full.ndjson"), expected $(sort "$d/deleted" | tr '\n' ' ')"
	[ "$(tail -n 3 "$d/full.ndjson" | deleted_ids /dev/stdin | wc -l)" -eq 3 ] ||
		flunk "the DELETED lines are not the last ones"
	# Each DELETED line is the roster's line with status DELETED.
	grep -F -f "$d/deleted" "$d/want.roster" |
		sed 's/"status":"[A-Z]*"/"status":"DELETED"/' >"$d/want.deleted"
	tail -n 3 "$d/full.ndjson" >"$d/got.deleted"
	same_file "the DELETED lines" "$d/got.deleted" "$d/want.deleted"
	grep -q '"full":1,"vanished":3,"exit_status":0}' "$d/stats.json" ||
		flunk "stats: $(cat "$d/stats.json")"

	# Through okta2ocsf: 450 records, each device of run 1 once; the three
	# not compliant, not managed; Sekoia's model accepts every record.
	run "$OKTA2OCSF" -q "$d/full.ndjson"
	expect_status 0
	printf '%s\n' "$output" >"$d/records.ndjson"
	run python3 - "$d/records.ndjson" "$d/run1.ndjson" "$d/deleted" <<-'EOF'
		import json, sys
		recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
		want = [json.loads(l)["id"] for l in open(sys.argv[2], encoding="utf-8")]
		gone = set(open(sys.argv[3]).read().split())
		uids = [r["device"]["uid"] for r in recs]
		assert sorted(uids) == sorted(want), "not each device once"
		dead = [r for r in recs if r["device"]["uid"] in gone]
		assert len(dead) == 3, len(dead)
		for r in dead:
		    assert r["device"]["is_compliant"] is False and r["device"]["is_managed"] is False, r
		    assert r["unmapped"]["status"] == "DELETED", r
		    assert r["enrichments"][0]["data"]["Users"] == [
		        u for u in r["enrichments"][0]["data"]["Users"] if ":" in u], r
		print(len(recs), len(dead))
	EOF
	[ "$status" -eq 0 ] || flunk "records: $output"
	echo "# deletion: 450 devices, 3 deleted: the full run printed 447 + 3 DELETED, okta2ocsf wrote $output (records, DELETED)" >&3
	validate_sekoia "$d/records.ndjson"

	# Committed, the three leave the roster: a second full run says none.
	commit "$s"
	[ "$(count_lines "$s.roster")" -eq 447 ] || flunk "roster: $(count_lines "$s.roster") lines"
	fetch --state "$s" --full
	expect_status 0
	[ "$(wc -l <<<"$output")" -eq 447 ] || flunk "second full run: $(wc -l <<<"$output") lines"
	stderr_has 'full listing, 0 vanished'
}

@test "roster: --full-every: full when the last full run is older (24h, 90m, seconds), never with 0" {
	local d s mark t0
	first_run --generate 300 --delete-file "$D/deleted"
	mark=$(head -n 1 "$s")
	printf '%s\n' "$output" | sed -n '5p;6p' | ids >"$d/deleted"

	# The last full run 1 hour ago: 24h not elapsed, incremental.
	printf '%s\nfull %s\n' "$mark" "$(hours_ago 1)" >"$s"
	fetch --state "$s" --full-every 24h
	expect_status 0
	stderr_has 'incremental'
	! grep -q DELETED <<<"$output" || flunk "DELETED in an incremental run"
	grep -q 'lastUpdated gt' <(tail -n 1 "$OKTA_LOG") || flunk "no lastUpdated search"
	# 90m elapsed after 2 hours; 10800 s (3 h) not.
	printf '%s\nfull %s\n' "$mark" "$(hours_ago 2)" >"$s"
	fetch --state "$s" --full-every 10800
	expect_status 0
	stderr_has 'incremental'
	# 0: never, even 10 years on.
	printf '%s\nfull %s\n' "$mark" "$(hours_ago 87600)" >"$s"
	fetch --state "$s" --full-every 0
	expect_status 0
	stderr_has 'incremental'

	# 25 hours ago: full, the two deleted devices reported.
	printf '%s\nfull %s\n' "$mark" "$(hours_ago 25)" >"$s"
	t0=$(date -u +%s)
	fetch --state "$s" --full-every 24h --stats "$d/stats.json"
	expect_status 0
	stderr_has 'full listing, 2 vanished'
	[ "$(grep -c '"status":"DELETED"' <<<"$output")" -eq 2 ] || flunk "not 2 DELETED lines"
	grep -q '"full":1,"vanished":2,' "$d/stats.json" || flunk "stats: $(cat "$d/stats.json")"
	! grep -q 'lastUpdated gt' <(tail -n 1 "$OKTA_LOG") || flunk "a full run searched on lastUpdated"
	commit "$s"
	# The new full time is this run's start; the mark is kept.
	[ "$(head -n 1 "$s")" = "$mark" ] || flunk "mark: $(head -n 1 "$s")"
	run python3 -c 'import sys, datetime
l = open(sys.argv[1]).read().splitlines()[1]
assert l.startswith("full "), l
t = datetime.datetime.strptime(l[5:], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
sys.exit(0 if int(sys.argv[2]) - 2 <= t.timestamp() <= int(sys.argv[2]) + 60 else 1)' "$s" "$t0"
	[ "$status" -eq 0 ] || flunk "the full line: $(cat "$s")"

	# 90m after 2 hours: full.
	printf '%s\nfull %s\n' "$mark" "$(hours_ago 2)" >"$s"
	fetch --state "$s" --full-every 90m
	expect_status 0
	stderr_has 'full listing, 0 vanished'
	# A full time in the future (a clock set back): full.
	printf '%s\nfull %s\n' "$mark" "$(hours_ago -48)" >"$s"
	fetch --state "$s" --full-every 24h
	expect_status 0
	stderr_has 'full listing'
}

@test "roster: a full run that dies before the last page prints no DELETED line and leaves roster and mark as they were" {
	local d=$BATS_TEST_TMPDIR/st s
	s=$d/state
	mkdir -p "$d"
	# Requests 1-3: run 1; request 5: page 2 of the full run.
	okta --generate 450 --delete-file "$d/deleted" --fault '503@5'
	fetch --state "$s"
	expect_status 0
	commit "$s"
	printf '%s\n' "$output" | sed -n '1p;300p' | ids >"$d/deleted"
	cp "$s" "$d/state.before"
	cp "$s.roster" "$d/roster.before"
	fetch --state "$s" --full --max-retries 0 --stats "$d/stats.json"
	expect_status 75
	[ "$(wc -l <<<"$output")" -eq 200 ] || flunk "$(wc -l <<<"$output") lines printed"
	! grep -q '"status":"DELETED"' <<<"$output" || flunk "an incomplete run printed DELETED"
	grep -q '"vanished":0,"exit_status":75}' "$d/stats.json" || flunk "stats: $(cat "$d/stats.json")"
	same_file "the state" "$s" "$d/state.before"
	same_file "the roster" "$s.roster" "$d/roster.before"
	[ "$(ls -A "$d" | tr '\n' ' ')" = "deleted roster.before state state.before state.roster stats.json " ] ||
		flunk "left in the state directory: $(ls -A "$d")"
	commit "$s"
	stderr_has 'nothing to commit'
	same_file "the roster after --commit" "$s.roster" "$d/roster.before"
}

@test "roster: a complete incremental run merges what it printed: changed devices replaced, new ones added" {
	local d s
	first_run --generate 300 --touch-file "$D/changes.ndjson"
	python3 - "$d/run1.ndjson" >"$d/changes.ndjson" <<-'EOF'
		import json, sys
		ds = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
		for i in (10, 20):
		    d = ds[i]
		    d["lastUpdated"] = "2026-01-01T00:00:00.000Z"
		    d["status"] = "SUSPENDED"
		    d["profile"]["displayName"] = "changed-" + d["id"]
		    print(json.dumps(d))
		print(json.dumps({"id": "aaaNEW0000000000001", "status": "ACTIVE",
		                  "lastUpdated": "2026-01-01T00:00:00.000Z",
		                  "profile": {"displayName": "new", "platform": "LINUX"}}))
	EOF
	fetch --state "$s"
	expect_status 0
	stderr_has 'incremental'
	grep -q '"id":"aaaNEW0000000000001"' <<<"$output" || flunk "the new device was not listed"
	commit "$s"
	cat "$d/run1.ndjson" "$d/changes.ndjson" >"$d/expected.ndjson"
	roster_of "$d/expected.ndjson" >"$d/want.roster"
	same_file "the merged roster" "$s.roster" "$d/want.roster"
	[ "$(count_lines "$s.roster")" -eq 301 ] || flunk "roster: $(count_lines "$s.roster") lines"
}

@test "roster: the same id twice in one listing keeps the last, also across sort chunks" {
	local d=$BATS_TEST_TMPDIR/st s
	s=$d/state
	mkdir -p "$d"
	printf '%s\n' '{"id":"zzA","status":"ACTIVE","profile":{"displayName":"a"}}' \
		'{"id":"dupX","status":"ACTIVE","lastUpdated":"2025-01-01T00:00:00.000Z","profile":{"displayName":"first","model":"m1"}}' \
		'{"id":"zzB","status":"ACTIVE","profile":{"displayName":"b"}}' \
		'{"id":"dupX","status":"SUSPENDED","lastUpdated":"2025-01-02T00:00:00.000Z","profile":{"displayName":"last"}}' \
		'{"id":"zzC","status":"ACTIVE","profile":{"displayName":"c"}}' >"$d/devices.ndjson"
	okta --devices "$d/devices.ndjson" --allow-duplicates --generate 50
	OKTA_FETCH_SORT_BYTES=300 fetch --state "$s" -l 3 -v
	expect_status 0
	[ "$(wc -l <<<"$output")" -eq 55 ] || flunk "$(wc -l <<<"$output") lines"
	stderr_has 'sorted in [0-9]+ chunks'
	printf '%s\n' "$output" >"$d/listed.ndjson"
	roster_of "$d/listed.ndjson" >"$d/want.roster"
	same_file "the roster" "$s.roster.next" "$d/want.roster"
	[ "$(grep -c '"id":"dupX"' "$s.roster.next")" -eq 1 ] || flunk "dupX twice in the roster"
	grep -q '"id":"dupX","status":"SUSPENDED","lastUpdated":"2025-01-02T00:00:00.000Z","profile":{"displayName":"last"}}' \
		"$s.roster.next" || flunk "dupX: $(grep dupX "$s.roster.next")"
	# A full run over it: nothing vanishes.
	commit "$s"
	OKTA_FETCH_SORT_BYTES=300 fetch --state "$s" --full -l 3
	expect_status 0
	stderr_has 'full listing, 0 vanished'
}

@test "roster: a device re-enrolled with the same id is simply listed again" {
	local d s id
	first_run --generate 250 --delete-file "$D/deleted"
	cp "$s.roster" "$d/roster.first"
	id=$(printf '%s\n' "$output" | sed -n 42p | ids)
	printf '%s\n' "$id" >"$d/deleted"
	fetch --state "$s" --full
	expect_status 0
	[ "$(deleted_ids /dev/stdin <<<"$output")" = "$id" ] || flunk "not $id DELETED"
	commit "$s"
	! grep -q "\"id\":\"$id\"" "$s.roster" || flunk "$id still in the roster"
	# Back in the org: listed as it is, no DELETED line, in the roster again.
	: >"$d/deleted"
	fetch --state "$s" --full
	expect_status 0
	! grep -q DELETED <<<"$output" || flunk "a DELETED line"
	grep -q "\"id\":\"$id\",\"status\":\"[A-Z]*\"" <<<"$output" || flunk "$id not listed"
	stderr_has 'full listing, 0 vanished'
	commit "$s"
	same_file "the roster" "$s.roster" "$d/roster.first"
	# Gone again: DELETED again.
	printf '%s\n' "$id" >"$d/deleted"
	fetch --state "$s" --full
	[ "$(deleted_ids /dev/stdin <<<"$output")" = "$id" ] || flunk "not $id DELETED the second time"
}

@test "roster: a state file from the previous version (a mark, no roster) keeps working" {
	local d=$BATS_TEST_TMPDIR/st s
	s=$d/state
	mkdir -p "$d"
	okta --generate 300 --delete-file "$d/deleted"
	printf '2025-01-01T04:00:00.000Z\n' >"$s"
	# Incremental as before; the roster starts with what it listed.
	fetch --state "$s"
	expect_status 0
	stderr_has 'incremental'
	printf '%s\n' "$output" >"$d/inc.ndjson"
	commit "$s"
	[ "$(cat "$s")" = 2025-01-01T04:59:00.000Z ] || flunk "state: $(cat "$s")"
	roster_of "$d/inc.ndjson" >"$d/want.roster"
	same_file "the roster" "$s.roster" "$d/want.roster"

	# The same old file with --full-every: full at once (no full time
	# kept), no DELETED line, the first whole roster.
	rm -f "$s.roster"
	printf '2025-01-01T04:00:00.000Z\n' >"$s"
	printf '%s\n' "$(sed -n 3p "$d/inc.ndjson" | ids)" >"$d/deleted"
	fetch --state "$s" --full-every 24h
	expect_status 0
	stderr_has 'full listing, 0 vanished'
	! grep -q DELETED <<<"$output" || flunk "a first full run printed DELETED"
	[ "$(wc -l <<<"$output")" -eq 299 ] || flunk "$(wc -l <<<"$output") lines"
	printf '%s\n' "$output" >"$d/full.ndjson"
	commit "$s"
	roster_of "$d/full.ndjson" >"$d/want.roster"
	same_file "the first roster" "$s.roster" "$d/want.roster"
	[ "$(sed -n 2p "$s" | cut -c1-5)" = "full " ] || flunk "state: $(cat "$s")"
}

@test "roster: a corrupt roster (unsorted, not JSON, no id first, a duplicate) is 78 naming the file and line, before any request" {
	local d s
	first_run --generate 50
	cp "$s.roster" "$d/good"
	: >"$OKTA_LOG"

	{ sed -n 1,9p "$d/good"; sed -n 11p "$d/good"; sed -n 10p "$d/good"; sed -n '12,$p' "$d/good"; } >"$s.roster"
	fetch --state "$s" --full
	expect_status 78
	[ -z "$output" ] || flunk "stdout: $output"
	stderr_has "$s.roster:11: not sorted by id"
	{ sed -n 1,4p "$d/good"; echo 'not json'; sed -n '5,$p' "$d/good"; } >"$s.roster"
	fetch --state "$s"
	expect_status 78
	stderr_has "$s.roster:5: not a JSON object"
	{ sed -n 1,2p "$d/good"; echo '{"status":"ACTIVE","id":"zzz"}'; } >"$s.roster"
	fetch --state "$s" --full
	expect_status 78
	stderr_has "$s.roster:3: does not start with a device \"id\""
	{ sed -n 1,7p "$d/good"; sed -n 7p "$d/good"; } >"$s.roster"
	fetch --state "$s" --full
	expect_status 78
	stderr_has "$s.roster:8: not sorted by id"
	{ sed -n 1,3p "$d/good"; echo; sed -n '4,$p' "$d/good"; } >"$s.roster"
	fetch --state "$s" --full
	expect_status 78
	stderr_has "$s.roster:4: not a JSON object"
	[ "$(count_lines "$OKTA_LOG")" -eq 0 ] || flunk "a corrupt roster still made requests"
	[ ! -e "$s.next" ] && [ ! -e "$s.roster.next" ] || flunk "a .next file was written"
	# The way out the message gives: remove it; the next full run writes one.
	rm "$s.roster"
	fetch --state "$s" --full
	expect_status 0
	commit "$s"
	same_file "the new roster" "$s.roster" "$d/good"
}

@test "roster: 1000 devices sorted in many chunks and merge passes give the same roster and DELETED lines" {
	local d=$BATS_TEST_TMPDIR/st
	mkdir -p "$d/a" "$d/b"
	okta --generate 1000 --delete-file "$d/deleted"
	fetch --state "$d/a/state"
	expect_status 0
	printf '%s\n' "$output" >"$d/run1.ndjson"
	commit "$d/a/state"
	# 2 KiB chunks: 7 lines or so each, over 100 chunks: a merge pass of 16
	# at a time, then the last merge, joined with the roster.
	OKTA_FETCH_SORT_BYTES=2048 fetch --state "$d/b/state" -v
	expect_status 0
	[[ $stderr =~ sorted\ in\ ([0-9]+)\ chunks,\ ([0-9]+)\ merge\ pass ]] || flunk "no sort line"
	[ "${BASH_REMATCH[1]}" -gt 100 ] && [ "${BASH_REMATCH[2]}" -ge 1 ] ||
		flunk "${BASH_REMATCH[1]} chunks, ${BASH_REMATCH[2]} passes: the test merges too little"
	commit "$d/b/state"
	roster_of "$d/run1.ndjson" >"$d/want.roster"
	same_file "the roster (8 MiB chunks)" "$d/a/state.roster" "$d/want.roster"
	same_file "the roster (2 KiB chunks)" "$d/b/state.roster" "$d/want.roster"
	printf '%s\n' "$output" | sed -n '1p;333p;500p;999p;1000p' | ids >"$d/deleted"
	fetch --state "$d/a/state" --full
	printf '%s\n' "$output" >"$d/a.out"
	OKTA_FETCH_SORT_BYTES=2048 fetch --state "$d/b/state" --full
	printf '%s\n' "$output" >"$d/b.out"
	same_file "full run output (2 KiB chunks)" "$d/b.out" "$d/a.out"
	[ "$(deleted_ids "$d/a.out")" = "$(LC_ALL=C sort "$d/deleted")" ] || flunk "DELETED: $(deleted_ids "$d/a.out")"
	same_file "roster.next" "$d/b/state.roster.next" "$d/a/state.roster.next"
	OKTA_FETCH_SORT_BYTES=0 fetch --state "$d/b/state"
	expect_status 78
}

@test "roster: state.roster, state.roster.next, state.next and state are mode 0600 under umask 022" {
	local d=$BATS_TEST_TMPDIR/st s
	s=$d/state
	mkdir -p "$d"
	okta --generate 20
	umask 022
	fetch --state "$s"
	expect_status 0
	[ "$(stat -c %a "$s.next" "$s.roster.next" | tr '\n' ' ')" = "600 600 " ] ||
		flunk "modes: $(stat -c '%n %a' "$s.next" "$s.roster.next")"
	commit "$s"
	[ "$(stat -c %a "$s" "$s.roster" | tr '\n' ' ')" = "600 600 " ] ||
		flunk "modes: $(stat -c '%n %a' "$s" "$s.roster")"
}

@test "roster: a FIFO, a device or a symlink to one as the state, the roster or a .next: 78 at once, never a blocking open" {
	local d=$BATS_TEST_TMPDIR/st s
	s=$d/state
	mkdir -p "$d"
	okta --generate 20
	mkfifo "$d/fifo"
	for what in fifo link; do
		rm -f "$s"
		if [ "$what" = fifo ]; then mkfifo "$s"; else ln -s "$d/fifo" "$s"; fi
		fetch --state "$s"
		expect_status 78
		stderr_has "$s: not a regular file"
		rm -f "$s"
	done
	ln -s /dev/null "$s"
	fetch --state "$s"
	expect_status 78
	rm "$s"
	fetch --state "$s"
	expect_status 0
	commit "$s"
	mv "$s.roster" "$d/roster.real"
	mkfifo "$s.roster"
	fetch --state "$s" --full
	expect_status 78
	stderr_has "$s.roster: not a regular file"
	rm "$s.roster"
	ln -s "$d/roster.real" "$s.roster"
	fetch --state "$s" --full
	expect_status 0
	mkfifo "$d/x.next"
	run --separate-stderr timeout 10 "$OKTA_FETCH" --commit "$d/x"
	expect_status 78
	# A symlink to a regular file is a file like another.
	ln -s "$s" "$d/alias"
	fetch --state "$d/alias"
	expect_status 0
}

@test "roster: --commit renames the roster first; a crash between the two renames is harmless" {
	local d s
	first_run --generate 300 --delete-file "$D/deleted"
	cp "$s" "$d/state.old"
	printf '%s\n' "$output" | sed -n '4p;8p' | ids >"$d/deleted"
	fetch --state "$s" --full
	expect_status 0
	# The crash: the roster renamed, the mark not.
	mv "$s.roster.next" "$s.roster"
	# A --commit run again finishes the job ...
	cp "$s.next" "$d/next.copy"
	commit "$s"
	[ "$(head -n 1 "$s")" = "$(head -n 1 "$d/next.copy")" ] || flunk "mark not promoted"
	# ... and a run instead of it starts over from the old mark: a superset.
	cp "$d/state.old" "$s"
	cp "$d/next.copy" "$s.next"
	fetch --state "$s"
	expect_status 0
	stderr_has 'incremental'
	! grep -q DELETED <<<"$output" || flunk "DELETED after the crash"
	commit "$s"
	[ "$(count_lines "$s.roster")" -eq 298 ] || flunk "roster: $(count_lines "$s.roster") lines"
	fetch --state "$s" --full
	stderr_has 'full listing, 0 vanished'
	# A roster.next without state.next (an incomplete run's) is never promoted.
	commit "$s"
	cp "$s.roster" "$d/roster.keep"
	printf '{"id":"bogus"}\n' >"$s.roster.next"
	commit "$s"
	stderr_has 'nothing to commit'
	[ ! -e "$s.roster.next" ] || flunk "the stale roster.next is still there"
	same_file "the roster" "$s.roster" "$d/roster.keep"
}

@test "mark: a server whose Date is years ahead, with lastUpdated as far ahead: the mark stops at the local clock + 5 min, said once" {
	local d=$BATS_TEST_TMPDIR/st t0 t1
	mkdir -p "$d"
	python3 -c 'import json
for i in range(3):
    print(json.dumps({"id": "guoAHEAD%d" % i, "status": "ACTIVE",
                      "lastUpdated": "2095-0%d-01T00:00:00.000Z" % (i + 1),
                      "profile": {"displayName": "d%d" % i}}))' >"$d/devices.ndjson"
	# 70 years ahead: Okta's Date says 2096, later than every lastUpdated.
	okta --devices "$d/devices.ndjson" --generate 5 --date-offset 2209032000
	t0=$(date -u +%s)
	fetch --state "$d/state"
	t1=$(date -u +%s)
	expect_status 0
	[ "$(grep -c "this machine's clock" <<<"$stderr")" -eq 1 ] || flunk "not said once"
	stderr_has 'guoAHEAD0.*2095-01-01T00:00:00.000Z'
	run python3 -c 'import sys, datetime
m = datetime.datetime.strptime(open(sys.argv[1]).readline().strip(), "%Y-%m-%dT%H:%M:%S.%fZ")
t = m.replace(tzinfo=datetime.timezone.utc).timestamp()
sys.exit(0 if int(sys.argv[2]) + 299 <= t <= int(sys.argv[3]) + 301 else 1)' "$d/state.next" "$t0" "$t1"
	[ "$status" -eq 0 ] || flunk "state.next $(head -n 1 "$d/state.next"), not the local clock + 5 min ($t0..$t1)"
	# A mark already that far ahead (an older okta-fetch): set back, said.
	printf '2095-03-01T00:00:00.000Z\n' >"$d/state"
	fetch --state "$d/state"
	expect_status 0
	stderr_has "the mark 2095-03-01T00:00:00.000Z is later than this machine's clock"
	[[ $(head -n 1 "$d/state.next") != 2095* ]] || flunk "state.next: $(cat "$d/state.next")"
}

@test "roster: -s with a full listing merges the roster and says nothing vanished" {
	local d s
	first_run --generate 200
	cp "$s.roster" "$d/roster.before"
	fetch --state "$s" --full -s 'status eq "ACTIVE"'
	expect_status 0
	stderr_has 'no device is said to have vanished'
	! grep -q DELETED <<<"$output" || flunk "DELETED with -s"
	same_file "the roster" "$s.roster.next" "$d/roster.before"
}

@test "roster: usage: --full and --full-every need --state, not both, no --full with --since; bad durations" {
	okta --generate 1
	for args in "--full" "--full-every 24h" "--state $BATS_TEST_TMPDIR/s --full --full-every 1h" \
	    "--state $BATS_TEST_TMPDIR/s --full --since 2025-01-01" \
	    "--state $BATS_TEST_TMPDIR/s --full-every 24x" "--state $BATS_TEST_TMPDIR/s --full-every -1" \
	    "--state $BATS_TEST_TMPDIR/s --full-every h" "--state $BATS_TEST_TMPDIR/s --full-every 1.5h" \
	    "--commit $BATS_TEST_TMPDIR/s --full"; do
		# shellcheck disable=SC2086
		fetch $args
		expect_status 64
		[ -z "$output" ] || flunk "$args: stdout"
	done
	[ "$(count_lines "$OKTA_LOG")" -eq 0 ] || flunk "a usage error made requests"
}

@test "roster: ids with quotes, backslashes, escapes and UTF-8; a device too big for a roster line" {
	local d s big
	d=$D s=$D/state
	mkdir -p "$d"
	# The same ids, one spelled with escapes: they must sort and match alike.
	python3 - "$d/devices.ndjson" <<-'EOF2'
		import json, sys
		ids = ['guo"quote', 'guo\\back', "guo\u00e9t\u00e9", "guoA", "guo#", "guo\u0001ctl", "guo/slash"]
		with open(sys.argv[1], "w", encoding="utf-8") as f:
		    for i in ids:
		        f.write(json.dumps({"id": i, "status": "ACTIVE", "profile": {"displayName": i}},
		                           ensure_ascii=False) + "\n")
		    # escaped spelling of an id already there: "guoA" as "guo\u0041"
		    f.write('{"id":"guo\\u0041","status":"SUSPENDED","profile":{"displayName":"again"}}\n')
		    f.write(json.dumps({"id": "guoBIG", "status": "ACTIVE",
		                        "profile": {"displayName": "x" * (1100 * 1024)}}) + "\n")
	EOF2
	okta --devices "$d/devices.ndjson" --allow-duplicates --delete-file "$d/deleted"
	fetch --state "$s"
	expect_status 0
	[ "$(wc -l <<<"$output")" -eq 9 ] || flunk "$(wc -l <<<"$output") lines"
	[ "$(grep -c "not kept in $s.roster" <<<"$stderr")" -eq 1 ] || flunk "the big device was not said once"
	commit "$s"
	[ "$(count_lines "$s.roster")" -eq 7 ] || flunk "roster: $(count_lines "$s.roster") lines"
	grep -q '"id":"guoA","status":"SUSPENDED"' "$s.roster" || flunk "guoA: not its last spelling's line"
	! grep -q guoBIG "$s.roster" || flunk "the big device is in the roster"
	# Delete three of them: exactly those DELETED, decoded ids equal.
	printf '%s\n' 'guo"quote' 'guo\back' "guoété" >"$d/deleted"
	fetch --state "$s" --full
	expect_status 0
	run python3 -c 'import json, sys
got = sorted(json.loads(l)["id"] for l in sys.stdin if json.loads(l).get("status") == "DELETED")
want = sorted(['"'"'guo"quote'"'"', "guo\\back", "guo\u00e9t\u00e9"])
assert got == want, (got, want)' <<<"$output"
	[ "$status" -eq 0 ] || flunk "DELETED ids: $output"
}

@test "roster: a full listing with no device at all against a roster: 69, no DELETED line, nothing to commit" {
	local d s
	first_run --generate 30 --delete-file "$D/deleted"
	cp "$s.roster" "$d/roster.before"
	ids "$d/run1.ndjson" >"$d/deleted"
	fetch --state "$s" --full
	expect_status 69
	[ -z "$output" ] || flunk "stdout: $output"
	stderr_has "the full listing holds no device, $s.roster holds 30"
	[ ! -e "$s.next" ] && [ ! -e "$s.roster.next" ] || flunk "a .next file was written"
	same_file "the roster" "$s.roster" "$d/roster.before"
	# An empty org with no roster yet is fine.
	fetch --state "$d/other"
	expect_status 0
	[ -z "$output" ] || flunk "stdout: $output"
}
