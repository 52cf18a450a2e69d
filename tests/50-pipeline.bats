#!/usr/bin/env bats
# The whole pipeline, okta-fetch | okta2ocsf | ocsf-push, through the
# okta-ocsf-sync wrapper, against both fixtures: complete first run,
# incremental second run, and a failed push that must not move the mark.
load helper

UUID=0f6e2a4c-1b3d-4c5e-8f7a-9b0c1d2e3f40
SYNC=$ROOT/contrib/okta-ocsf-sync

setup() {
	# The programs under test: the wrapper takes them from its environment,
	# never from the env file.
	export OKTA_FETCH OKTA2OCSF OCSF_PUSH
	touch "$BATS_TEST_TMPDIR/changes.ndjson"
	start_okta --generate 250 --touch-file "$BATS_TEST_TMPDIR/changes.ndjson" \
		--log "$BATS_TEST_TMPDIR/okta.log"
	REC=$BATS_TEST_TMPDIR/rec
	start_intake --uuid "$UUID" --record "$REC"
	ENVFILE=$BATS_TEST_TMPDIR/acme.env
	cat >"$ENVFILE" <<-EOF
		OKTA_BASE_URL=$OKTA_URL
		OKTA_API_TOKEN=test-token
		SEKOIA_BASE_URL=$INTAKE_URL
		SEKOIA_API_KEY=test-key
		SEKOIA_CONNECTOR_UUID=$UUID
		OKTA_OCSF_STATE_DIR=$BATS_TEST_TMPDIR/state
		OCSF_PUSH_OPTS="--max-retries 1"
	EOF
}

# uids received by the intake, from line $1 (1-based) of its record on
received_uids() {
	tail -n +"${1:-1}" "$REC/$UUID.ndjson" | python3 -c '
import json, sys
for l in sys.stdin:
    print(json.loads(l)["device"]["uid"])'
}

# The ids of the fixture's devices whose lastUpdated is after $1 (ms).
fixture_ids_after() {
	python3 - "$1" "$BATS_TEST_TMPDIR/okta.json" <<-'EOF'
		import json, sys, datetime
		after = int(sys.argv[1])
		for d in json.load(open(sys.argv[2])):
		    t = datetime.datetime.fromisoformat(d["lastUpdated"].replace("Z", "+00:00"))
		    if t.timestamp() * 1000 > after:
		        print(d["id"])
	EOF
}

# Every device of the fixture, as the API lists them (an oracle walk).
fixture_devices() {
	OKTA_API_TOKEN=test-token "$OKTA_FETCH" -q -u "$OKTA_URL" >"$BATS_TEST_TMPDIR/all.ndjson"
	python3 -c 'import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1])]))' \
		"$BATS_TEST_TMPDIR/all.ndjson" >"$BATS_TEST_TMPDIR/okta.json"
}

mark_ms() {
	python3 -c 'import sys,datetime; print(int(datetime.datetime.fromisoformat(open(sys.argv[1]).read().strip().replace("Z","+00:00")).timestamp()*1000))' "$1"
}

@test "first run: every device arrives once as a record Sekoia's model accepts; the mark moves" {
	fixture_devices
	run --separate-stderr "$SYNC" "$ENVFILE"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	received_uids | sort >"$BATS_TEST_TMPDIR/got"
	python3 -c 'import json,sys; [print(d["id"]) for d in json.load(open(sys.argv[1]))]' \
		"$BATS_TEST_TMPDIR/okta.json" | sort >"$BATS_TEST_TMPDIR/want"
	[ "$(count_lines "$BATS_TEST_TMPDIR/want")" -eq 250 ]
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	validate_sekoia "$REC/$UUID.ndjson"
	# The mark is the largest lastUpdated listed: device 249, 2025-01-01 + 249 min.
	[ "$(cat "$BATS_TEST_TMPDIR/state/acme.mark")" = "2025-01-01T04:09:00.000Z" ]
	[ ! -e "$BATS_TEST_TMPDIR/state/acme.mark.next" ]
}

@test "second run sends only what changed since the mark (with the 5-minute overlap)" {
	fixture_devices
	run "$SYNC" "$ENVFILE"
	[ "$status" -eq 0 ]
	first=$(count_lines "$REC/$UUID.ndjson")
	mark=$(mark_ms "$BATS_TEST_TMPDIR/state/acme.mark")
	# Three devices change an hour after the mark.
	python3 - "$BATS_TEST_TMPDIR/okta.json" >"$BATS_TEST_TMPDIR/changes.ndjson" <<-'EOF'
		import json, sys
		ds = json.load(open(sys.argv[1]))
		for d in (ds[3], ds[100], ds[200]):
		    d["lastUpdated"] = "2025-01-01T05:09:00.000Z"
		    d["profile"]["displayName"] = "changed-" + d["id"]
		    print(json.dumps(d))
	EOF
	fixture_devices
	run --separate-stderr "$SYNC" "$ENVFILE"
	[ "$status" -eq 0 ]
	received_uids $((first + 1)) | sort >"$BATS_TEST_TMPDIR/got"
	fixture_ids_after $((mark - 300000)) | sort >"$BATS_TEST_TMPDIR/want"
	# The changed three plus the last five, inside the 5-minute overlap.
	[ "$(count_lines "$BATS_TEST_TMPDIR/want")" -eq 8 ]
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	grep -q '"search": *"lastUpdated gt \\"2025-01-01T04:04:00.000Z\\""' "$BATS_TEST_TMPDIR/okta.log"
	[ "$(cat "$BATS_TEST_TMPDIR/state/acme.mark")" = "2025-01-01T05:09:00.000Z" ]
}

@test "a run whose push fails does not move the mark; the next run sends those devices again" {
	fixture_devices
	run "$SYNC" "$ENVFILE"
	[ "$status" -eq 0 ]
	before=$(cat "$BATS_TEST_TMPDIR/state/acme.mark")
	python3 - "$BATS_TEST_TMPDIR/okta.json" >"$BATS_TEST_TMPDIR/changes.ndjson" <<-'EOF'
		import json, sys
		ds = json.load(open(sys.argv[1]))
		for d in (ds[10], ds[20]):
		    d["lastUpdated"] = "2025-02-01T00:00:00.000Z"
		    print(json.dumps(d))
	EOF
	# Sekoia down: every POST answers 503 and retries run out.
	stop_servers
	start_okta --generate 250 --touch-file "$BATS_TEST_TMPDIR/changes.ndjson" \
		--port "${OKTA_URL##*:}"
	start_intake --uuid "$UUID" --record "$REC" --fault '503@*' --retry-after 0 \
		--port "${INTAKE_URL##*:}"
	n=$(count_lines "$REC/$UUID.ndjson")
	run --separate-stderr "$SYNC" "$ENVFILE"
	[ "$status" -eq 75 ]
	[[ $stderr == *"mark not moved"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/state/acme.mark")" = "$before" ]
	[ "$(count_lines "$REC/$UUID.ndjson")" -eq "$n" ]
	# What failed is in the tenant's FAILED file: the two changed devices
	# and the five inside the overlap, verbatim OCSF lines.
	[ "$(count_lines "$BATS_TEST_TMPDIR/state/acme.failed")" -eq 7 ]
	# Sekoia back: the same devices go again, and the mark moves.
	stop_servers
	start_okta --generate 250 --touch-file "$BATS_TEST_TMPDIR/changes.ndjson" \
		--port "${OKTA_URL##*:}"
	start_intake --uuid "$UUID" --record "$REC" --port "${INTAKE_URL##*:}"
	run "$SYNC" "$ENVFILE"
	[ "$status" -eq 0 ]
	received_uids $((n + 1)) | sort >"$BATS_TEST_TMPDIR/got"
	grep -q "$(sed -n 11p "$BATS_TEST_TMPDIR/all.ndjson" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')" "$BATS_TEST_TMPDIR/got"
	[ "$(count_lines "$BATS_TEST_TMPDIR/got")" -eq 7 ]
	[ "$(cat "$BATS_TEST_TMPDIR/state/acme.mark")" = "2025-02-01T00:00:00.000Z" ]
}

@test "a second run of the same tenant while one is going on leaves at once, exit 0, silent" {
	mkdir -p "$BATS_TEST_TMPDIR/state"
	exec 8>"$BATS_TEST_TMPDIR/state/acme.lock"
	flock -n 8
	run --separate-stderr "$SYNC" "$ENVFILE"
	exec 8>&-
	# The spec's rule (issue 19): the running one reports.
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(count_lines "$REC/$UUID.ndjson")" -eq 0 ]
}

@test "the pipeline by hand: okta-fetch | okta2ocsf | ocsf-push with pipefail" {
	export OKTA_API_TOKEN=test-token SEKOIA_API_KEY=test-key SEKOIA_CONNECTOR_UUID=$UUID
	export SEKOIA_BASE_URL=$INTAKE_URL
	run bash -c 'set -o pipefail; "$0" -q -u "$1" | "$2" -q | "$3" -q' \
		"$OKTA_FETCH" "$OKTA_URL" "$OKTA2OCSF" "$OCSF_PUSH"
	[ "$status" -eq 0 ]
	[ "$(count_lines "$REC/$UUID.ndjson")" -eq 250 ]
	[ "$(received_uids | sort -u | wc -l)" -eq 250 ]
}
