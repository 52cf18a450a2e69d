#!/usr/bin/env bats
# The conventions the three programs share (SPEC "Shared conventions"):
# --stats FILE replaced whole only when it is a regular file or none, and
# written into in place when it is anything else (a device, a FIFO, a
# link to one), never replaced, never followed to replace; a bad option
# value says what was wrong, then the synopsis, and exits 64.
load helper

PROGS="okta-fetch okta2ocsf ocsf-push"

setup() {
	T=$BATS_TEST_TMPDIR
	start_okta --generate 3
	OKTA_API_TOKEN=test-token "$OKTA_FETCH" -q -u "$OKTA_URL" >"$T/dev.ndjson"
	"$OKTA2OCSF" -q -t 1 "$T/dev.ndjson" >"$T/rec.ndjson"
	[ "$(count_lines "$T/rec.ndjson")" -eq 3 ]
}

# good PROG ARGS...: a run of PROG that succeeds (exit 0), ARGS added;
# okta-fetch against the stand-in, ocsf-push as a dry run (-n).
good() {
	local p=$1
	shift
	case $p in
	okta-fetch) OKTA_API_TOKEN=test-token timeout 60 "$OKTA_FETCH" -q -u "$OKTA_URL" "$@" ;;
	okta2ocsf) timeout 60 "$OKTA2OCSF" -q -t 1 "$@" "$T/dev.ndjson" ;;
	ocsf-push) timeout 60 "$OCSF_PUSH" -q -n "$@" "$T/rec.ndjson" ;;
	esac
}

# is_stats TEXT PROG STATUS: TEXT is one --stats object of PROG's, with
# exit_status STATUS.
is_stats() {
	python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
text, prog, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
first = {"okta-fetch": "devices", "okta2ocsf": "devices", "ocsf-push": "lines"}[prog]
try:
    d = json.loads(text)
except ValueError as e:
    sys.exit("%s: not one JSON object (%s): %r" % (prog, e, text))
assert isinstance(d, dict) and next(iter(d)) == first, (prog, d)
assert d["exit_status"] == status, (prog, d)
EOF
}

# no_leftovers DIR: no temporary file of a replaced --stats in DIR.
no_leftovers() {
	local left
	left=$(find "$1" -maxdepth 1 -name '*.tmp.*')
	[ -z "$left" ] || { echo "left behind: $left" >&2; return 1; }
}

# not_replacing PROG: PROG writes into a link to a device in place: a
# build that would rename over it (the bug) must not be let near /dev,
# whose /dev/stdout it would replace when run as root.
not_replacing() {
	rm -f "$T/canary"
	ln -s /dev/null "$T/canary"
	good "$1" --stats "$T/canary" >/dev/null 2>&1 || true
	[ -L "$T/canary" ] ||
		{ echo "$1 replaced a link to /dev/null: /dev/std* tests not run" >&2; return 1; }
}

@test "--stats /dev/stdout: the object on stdout after the data, for each program; /dev/stdout stays a link" {
	local p
	for p in $PROGS; do
		not_replacing "$p"
		good "$p" >"$T/plain.$p"
		good "$p" --stats /dev/stdout >"$T/out.$p" ||
			{ echo "$p: exit $?" >&2; return 1; }
		# The data as without --stats, then the object, one line.
		diff <(sed '$d' "$T/out.$p") "$T/plain.$p"
		is_stats "$(tail -n 1 "$T/out.$p")" "$p" 0
		# Through a pipe as well: a FIFO-like stream, not a file.
		good "$p" --stats /dev/stdout | tail -n 1 >"$T/pipe.$p"
		is_stats "$(cat "$T/pipe.$p")" "$p" 0
	done
	[ -L /dev/stdout ] || [ -c /dev/stdout ]
}

@test "--stats /dev/stderr and /dev/fd/3: the object where the descriptor points, each program" {
	local p
	for p in $PROGS; do
		not_replacing "$p"
		good "$p" --stats /dev/stderr >/dev/null 2>"$T/err.$p" ||
			{ echo "$p: exit $?" >&2; cat "$T/err.$p" >&2; return 1; }
		is_stats "$(cat "$T/err.$p")" "$p" 0
		good "$p" --stats /dev/fd/3 >/dev/null 3>"$T/fd3.$p"
		is_stats "$(cat "$T/fd3.$p")" "$p" 0
		# Appended to what the descriptor already holds, at its offset.
		echo before >"$T/fd3a.$p"
		good "$p" --stats /dev/fd/3 >/dev/null 3>>"$T/fd3a.$p"
		[ "$(head -n 1 "$T/fd3a.$p")" = before ]
		is_stats "$(tail -n 1 "$T/fd3a.$p")" "$p" 0
		# A descriptor that is not open: 78 at once, nothing run.
		run --separate-stderr good "$p" --stats /dev/fd/9
		[ "$status" -eq 78 ] || flunk "$p: a closed descriptor is not 78"
		[ -z "$output" ] || flunk "$p: ran although --stats cannot be written"
		[[ $stderr == *"--stats /dev/fd/9: Bad file descriptor"* ]] || flunk "$p: the message"
	done
}

@test "--stats into a FIFO that a process reads: the object arrives, the FIFO stays a FIFO" {
	local p line
	mkfifo "$T/fifo"
	# The reader is this shell, holding the FIFO open read-write.
	exec 4<>"$T/fifo"
	for p in $PROGS; do
		good "$p" --stats "$T/fifo" >/dev/null ||
			{ echo "$p: exit $?" >&2; return 1; }
		read -r -t 10 line <&4 || { echo "$p: nothing in the FIFO" >&2; return 1; }
		is_stats "$line" "$p" 0
		[ -p "$T/fifo" ] || { echo "$p: the FIFO was replaced" >&2; return 1; }
	done
	exec 4<&-
	no_leftovers "$T"
}

@test "--stats into a FIFO that no process reads: no wait, said; the success becomes 75; the FIFO stays" {
	local p
	mkfifo "$T/fifo"
	for p in $PROGS; do
		run --separate-stderr good "$p" --stats "$T/fifo"
		# timeout's 124 would be a hang.
		[ "$status" -eq 75 ] || flunk "$p: not 75"
		[[ $stderr == *"$T/fifo: a FIFO that no process reads: not waiting for one"* ]] ||
			flunk "$p: the FIFO is not named"
		[[ $stderr == *"--stats $T/fifo: not written"* ]] || flunk "$p: not said"
		[ -p "$T/fifo" ] || flunk "$p: the FIFO was replaced"
	done
	no_leftovers "$T"
}

@test "--stats into a character device made with mknod: written in place, still the same device" {
	local p
	[ "$(id -u)" -eq 0 ] || skip "not root: mknod needs root"
	mknod -m 666 "$T/null" c 1 3 2>/dev/null ||
		skip "mknod is not allowed here (no CAP_MKNOD)"
	for p in $PROGS; do
		good "$p" --stats "$T/null" >/dev/null ||
			{ echo "$p: exit $?" >&2; return 1; }
		[ -c "$T/null" ] || { echo "$p: $T/null is no longer a device" >&2; return 1; }
		[ "$(stat -c %t:%T "$T/null")" = 1:3 ]
		# And through a symbolic link to it: the link and the device stay.
		ln -sf "$T/null" "$T/link"
		good "$p" --stats "$T/link" >/dev/null
		[ -L "$T/link" ] && [ -c "$T/null" ]
	done
	no_leftovers "$T"
}

@test "--stats through a symbolic link to /dev/null: written in place, the link stays a link" {
	local p
	ln -s /dev/null "$T/devnull"
	for p in $PROGS; do
		good "$p" --stats "$T/devnull" >/dev/null ||
			{ echo "$p: exit $?" >&2; return 1; }
		[ -L "$T/devnull" ] || { echo "$p: the link was replaced" >&2; return 1; }
		[ "$(readlink "$T/devnull")" = /dev/null ]
	done
	[ -c /dev/null ]
	no_leftovers "$T"
}

@test "--stats through a symbolic link to a regular file, to nothing, or a directory: 78 before the run" {
	local p
	printf 'old\n' >"$T/real.json"
	ln -s "$T/real.json" "$T/link.json"
	ln -s "$T/nothing.json" "$T/dangling.json"
	mkdir "$T/dir"
	for p in $PROGS; do
		run --separate-stderr good "$p" --stats "$T/link.json"
		[ "$status" -eq 78 ] || flunk "$p: a link to a file is not 78"
		[ -z "$output" ] || flunk "$p: ran although --stats is refused"
		[[ $stderr == *"--stats $T/link.json: a symbolic link to a regular file: name the file itself"* ]] ||
			flunk "$p: the message"
		[ -L "$T/link.json" ] && [ "$(cat "$T/real.json")" = old ]
		run --separate-stderr good "$p" --stats "$T/dangling.json"
		[ "$status" -eq 78 ] || flunk "$p: a dangling link is not 78"
		[ ! -e "$T/nothing.json" ] && [ -L "$T/dangling.json" ]
		run --separate-stderr good "$p" --stats "$T/dir"
		[ "$status" -eq 78 ] || flunk "$p: a directory is not 78"
		[[ $stderr == *"--stats $T/dir: a directory"* ]] || flunk "$p: the message"
		# The file itself: replaced whole, as always.
		good "$p" --stats "$T/real.json" >/dev/null
		is_stats "$(cat "$T/real.json")" "$p" 0
		printf 'old\n' >"$T/real.json"
	done
	no_leftovers "$T"
}

# ---- usage errors -----------------------------------------------------

# bad_value PROG ARGS...: a usage error: exit 64, nothing on stdout, the
# first stderr line names the option and its value, the synopsis follows.
bad_value() {
	local p=$1
	shift
	run --separate-stderr timeout 60 "$BUILD/$p/$p" "$@"
	[ "$status" -eq 64 ] || flunk "$p $*: not 64"
	[ -z "$output" ] || flunk "$p $*: something on stdout"
	[[ ${stderr_lines[0]} == "$p: $1 $2: "* ]] ||
		flunk "$p $*: the first line does not say what was wrong"
	[[ ${stderr_lines[1]} == "usage: $p "* ]] ||
		flunk "$p $*: no synopsis after the message"
}

@test "okta-fetch: a bad option value (-l 0, -e foo, --timeout 0, ...) says what, then the synopsis, 64" {
	bad_value okta-fetch -l 0
	bad_value okta-fetch -l 201
	bad_value okta-fetch -l abc
	bad_value okta-fetch -e foo
	[[ ${stderr_lines[0]} == "okta-fetch: -e foo: must be user or userSummary" ]]
	bad_value okta-fetch --timeout 0
	bad_value okta-fetch --max-retries 101
	bad_value okta-fetch --max-wait soon
	bad_value okta-fetch --since yesterday
	# Options that clash: the same way.
	run --separate-stderr "$OKTA_FETCH" --check -s 'status eq "ACTIVE"'
	[ "$status" -eq 64 ]
	[[ ${stderr_lines[1]} == "usage: okta-fetch "* ]] || flunk "no synopsis after a clash"
	run --separate-stderr "$OKTA_FETCH" --commit "$T/state" -l 5
	[ "$status" -eq 64 ]
	[[ ${stderr_lines[1]} == "usage: okta-fetch "* ]] || flunk "no synopsis after a clash"
}

@test "okta2ocsf: a bad option value (-T, -t, -u) says what, then the synopsis, 64" {
	bad_value okta2ocsf -T splunk
	[[ ${stderr_lines[0]} == "okta2ocsf: -T splunk: must be sekoia or ocsf" ]]
	bad_value okta2ocsf -t -1
	bad_value okta2ocsf -t 1e3
	bad_value okta2ocsf -u h
	[[ ${stderr_lines[0]} == "okta2ocsf: -u h: must be ms or s" ]]
}

@test "ocsf-push: a bad option value (-b, -B, -i, -P, --timeout) says what, then the synopsis, 64" {
	bad_value ocsf-push -b 0
	bad_value ocsf-push -B 10
	bad_value ocsf-push -i 0
	bad_value ocsf-push -i 1x
	bad_value ocsf-push -P 17
	bad_value ocsf-push --timeout 0
	bad_value ocsf-push --max-retries -1
	run --separate-stderr "$OCSF_PUSH" --check -n
	[ "$status" -eq 64 ]
	[[ ${stderr_lines[1]} == "usage: ocsf-push "* ]] || flunk "no synopsis after a clash"
}
