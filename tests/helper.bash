# helper.bash: loaded by every tests/NN-*.bats file.
# shellcheck shell=bash disable=SC2034,SC2154
bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# BUILD: where the binaries are (build/sanitize for make check-sanitize).
BUILD=$(cd "$ROOT" && cd "${BUILD:-.}" && pwd)
OKTA_FETCH=${OKTA_FETCH:-$BUILD/okta-fetch/okta-fetch}
OKTA2OCSF=${OKTA2OCSF:-$BUILD/okta2ocsf/okta2ocsf}
OCSF_PUSH=${OCSF_PUSH:-$BUILD/ocsf-push/ocsf-push}
SHARED=${SHARED:-$ROOT/../shared}
VALIDATE=$SHARED/ocsf-1.6.0/ocsf-validate
SEKOIA_VALIDATE=$SHARED/sekoia-asset-model/sekoia-validate
# The project's own sample devices: a clone without ../shared has them.
SAMPLE=$ROOT/tests/data/okta-devices.json
FIXTURES=$ROOT/tests/fixtures
export LC_ALL=C
unset OKTA_BASE_URL OKTA_CLIENT_ORGURL OKTA_API_TOKEN OKTA_CLIENT_TOKEN \
	OKTA_ACCESS_TOKEN SEKOIA_API_KEY SEKOIA_CONNECTOR_UUID SEKOIA_BASE_URL \
	SOURCE_DATE_EPOCH http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY

SERVER_PIDS=()

# start_server NAME SCRIPT ARGS...: run a fixture on 127.0.0.1 and wait for
# its URL (10 s deadline); sets NAME_URL and remembers the pid for teardown.
# In setup_file (no test yet), the files go to the file's directory.
start_server() {
	local name=$1 script=$2 url_file deadline dir
	shift 2
	dir=${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}
	url_file=$dir/$name.url
	rm -f "$url_file"
	python3 "$FIXTURES/$script" --url-file "$url_file" "$@" \
		>"$dir/$name.out" 2>"$dir/$name.err" 3>&- &
	SERVER_PIDS+=($!)
	deadline=$((SECONDS + 10))
	while [ ! -s "$url_file" ]; do
		if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$!" 2>/dev/null; then
			echo "fixture $script did not start:" >&2
			cat "$dir/$name.err" >&2
			return 1
		fi
		sleep 0.05
	done
	printf -v "${name}_URL" '%s' "$(cat "$url_file")"
}

start_okta() { start_server OKTA okta.py "$@"; }
start_intake() { start_server INTAKE intake.py "$@"; }

stop_servers() {
	local pid
	for pid in "${SERVER_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${SERVER_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	SERVER_PIDS=()
}

teardown() {
	stop_servers
}

# The sample devices as NDJSON, one per line.
sample_ndjson() {
	python3 -c 'import json,sys
for d in json.load(open(sys.argv[1])):
    print(json.dumps(d, separators=(",", ":"), ensure_ascii=False))' "$SAMPLE"
}

# validate_ocsf FILE: every record must pass ocsf-validate; skipped, and
# said, when ../shared is not beside the project.
validate_ocsf() {
	if [ ! -f "$VALIDATE" ]; then
		echo "# $VALIDATE not found: OCSF schema check skipped" >&3
		return 0
	fi
	run python3 "$VALIDATE" --no-warnings "$1"
	if [ "$status" -ne 0 ]; then
		echo "$output" >&2
		return 1
	fi
}

# validate_sekoia FILE: every record must pass Sekoia.io's DeviceOCSFModel
# checker with no error; skipped, and said, when ../shared is not there.
validate_sekoia() {
	if [ ! -f "$SEKOIA_VALIDATE" ]; then
		echo "# $SEKOIA_VALIDATE not found: Sekoia model check skipped" >&3
		return 0
	fi
	run python3 "$SEKOIA_VALIDATE" -q "$1"
	if [ "$status" -ne 0 ]; then
		echo "$output" >&2
		return 1
	fi
}

# flunk MESSAGE...: fail the test, saying why, with the last run's status,
# stderr and the start of its stdout.
flunk() {
	{
		printf '%s\n' "$@"
		printf -- '--- exit status: %s\n--- stderr:\n%s\n--- stdout (first 5 lines):\n' \
			"$status" "$stderr"
		head -n 3 <<<"$output" | cut -c1-160
	} >&2
	return 1
}

# Wall-clock and CPU-time assertions mean nothing 10-50 times slower.
skip_timing_under_valgrind() {
	if [ -n "${VALGRIND:-}" ]; then
		skip "timing test, not run under valgrind"
	fi
}

# skip_under_valgrind WHY: what valgrind itself changes (its log takes
# the lowest free descriptor; the client's environment is a copy).
skip_under_valgrind() {
	if [ -n "${VALGRIND:-}" ]; then
		skip "$1, not run under valgrind"
	fi
}

# count_lines FILE: number of lines in FILE (0 when missing).
count_lines() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# no_core_dumps CMD...: run CMD (its output discarded) with the core limit
# raised as far as allowed, and succeed when its /proc/PID/limits shows a
# core limit of 0 within 5 s (the program lowered it); CMD is then killed.
no_core_dumps() {
	local pid limits i
	({ ulimit -c unlimited 2>/dev/null || true; } && exec "$@" >/dev/null 2>&1) &
	pid=$!
	for i in $(seq 50); do
		limits=$(grep 'Max core file size' "/proc/$pid/limits" 2>/dev/null) || true
		# both limits: a sanitizer lowers the soft one by itself
		[[ $limits =~ Max\ core\ file\ size\ +0\ +0\  ]] && break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" || true
	[[ $limits =~ Max\ core\ file\ size\ +0\ +0\  ]] ||
		{ echo "core dumps allowed: $limits" >&2; return 1; }
}
