#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats run --separate-stderr
# 10-okta2ocsf.bats: okta2ocsf, the Okta device to OCSF 1.6.0 mapping filter
# (SPEC.md "okta2ocsf", "Targets" and "Mapping").
#
# tests/golden/NAME.in.ndjson is fed on stdin with -q -t $T -r REJECTS, once
# per target: NAME.out.ndjson is the expected stdout of the default target
# (sekoia), NAME.ocsf.ndjson that of -T ocsf; for reject cases NAME.err and
# NAME.rej are the expected stderr and rejects file (exit 1), the same for
# both targets; without them stderr and the rejects file must be empty.
#
# How the expected files were made: the cases older than the targets were
# committed (d9ac0a8) as written from the spec, in the ocsf conventions of
# the time.  For the targets, a throw-away script that knows only the SPEC's
# rules (the targets table; device.type, is_compliant and the encryption
# rows), not okta2ocsf's code, rewrote them into the two targets' files, and
# the diff was reviewed.  The cases added with the targets (status,
# hostname, input-*, okta-shapes) were written by hand from the SPEC; the
# sample's, from tests/bench/okta2ocsf.py (an independent implementation of
# the SPEC), then reviewed.  None was copied from okta2ocsf's output.
load helper

T=1700000000000	# -t, in ms
TS=1700000000	# the same, in the sekoia target's seconds
GOLDEN=$BATS_TEST_DIRNAME/golden
NOID='device has no "id" (a non-empty string)'

# The parts of every record that do not depend on the device, in the
# spec's key order.
HEAD='{"activity_id":2,"activity_name":"Collect","category_name":"Discovery","category_uid":5,"class_name":"Device Inventory Info","class_uid":5001,"type_name":"Device Inventory Info: Collect","type_uid":500102,"severity":"Informational","severity_id":1,"time":'
META='"metadata":{"product":{"name":"Okta","vendor_name":"Okta","version":"N/A"},"version":"1.6.0"}'
ENRICH_NONE='"enrichments":[{"name":"device_info","value":"hardware_and_security","data":{"Users":[]}}]'

# record UID [TIME [DEVICE_TAIL]]: the expected sekoia record of a device
# with no profile ({"id":UID} plus, say, times): seconds, the id as the
# hostname, os.type lower case; DEVICE_TAIL is ",key:value..." appended to
# device after os.
record() {
	printf '%s%s,%s,"device":{"uid":"%s","hostname":"%s","type":"Unknown","type_id":0,"os":{"name":"Unknown","type":"unknown","type_id":0}%s},%s}' \
		"$HEAD" "${2:-$TS}" "$META" "$1" "$1" "${3:-}" "$ENRICH_NONE"
}

# record_ocsf UID [TIME [DEVICE_TAIL]]: the same for -T ocsf (ms, no
# hostname without a displayName, the OCSF caption).
record_ocsf() {
	printf '%s%s,%s,"device":{"uid":"%s","type":"Unknown","type_id":0,"os":{"name":"Unknown","type":"Unknown","type_id":0}%s},%s}' \
		"$HEAD" "${2:-$T}" "$META" "$1" "${3:-}" "$ENRICH_NONE"
}

# records UID...: record for each, one per line (no final newline, as $output).
records() {
	local uid first=1
	for uid in "$@"; do
		[ "$first" ] || printf '\n'
		first=
		record "$uid"
	done
}

# expect_eq WHAT ACTUAL EXPECTED: fail showing both when they differ.
expect_eq() {
	if [ "$2" != "$3" ]; then
		printf '%s differs\n--- expected\n%s\n--- actual\n%s\n' "$1" "$3" "$2" >&2
		return 1
	fi
}

expect_status() { expect_eq "exit status" "$status" "$1"; }
expect_stdout() { expect_eq stdout "$output" "$1"; }
expect_stderr() { expect_eq stderr "$stderr" "$1"; }

# expect_file WHAT FILE EXPECTED_FILE: byte for byte, with a diff (split at
# commas, so long records show which member differs) when not.
expect_file() {
	if ! cmp -s "$2" "$3"; then
		echo "$1 differs (- expected, + actual):" >&2
		diff -u <(tr ',' '\n' <"$3") <(tr ',' '\n' <"$2") >&2 || true
		return 1
	fi
}

# expect_rejects FILE LINE...: FILE holds exactly these lines.
expect_rejects() {
	local f=$1
	shift
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/rejects.expected"
	else
		: >"$BATS_TEST_TMPDIR/rejects.expected"
	fi
	expect_file "rejects file" "$f" "$BATS_TEST_TMPDIR/rejects.expected"
}

# validate_output [TARGET]: every record now in $output passes the checker
# of its target (sekoia-validate by default, ocsf-validate for ocsf).
validate_output() {
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/validate.ndjson"
	if [ "${1:-sekoia}" = ocsf ]; then
		validate_ocsf "$BATS_TEST_TMPDIR/validate.ndjson"
	else
		validate_sekoia "$BATS_TEST_TMPDIR/validate.ndjson"
	fi
}

# check_golden NAME [TARGET]: run one golden case for one target (sekoia
# by default); print what differs and return 1 on any mismatch.  Leaves
# stdout in $BATS_TEST_TMPDIR/NAME.TARGET.out for validation.
check_golden() {
	local name=$1 target=${2:-sekoia} dir=$BATS_TEST_TMPDIR rc=0 st want=0
	local in=$GOLDEN/$1.in.ndjson exp=$GOLDEN/$1.out.ndjson
	[ "$target" = sekoia ] || exp=$GOLDEN/$1.$target.ndjson
	local got=$dir/$name.$target.out
	[ -f "$in" ] || { echo "$in: missing" >&2; return 1; }
	[ -f "$exp" ] || { echo "$exp: missing" >&2; return 1; }
	"$OKTA2OCSF" -q -T "$target" -t "$T" -r "$dir/$name.rej" <"$in" \
		>"$got" 2>"$dir/$name.err" && st=0 || st=$?
	if [ -f "$GOLDEN/$name.err" ]; then
		want=1
		expect_file "$name ($target): stderr" "$dir/$name.err" "$GOLDEN/$name.err" || rc=1
		expect_file "$name ($target): rejects" "$dir/$name.rej" "$GOLDEN/$name.rej" || rc=1
	else
		expect_file "$name ($target): stderr" "$dir/$name.err" /dev/null || rc=1
		expect_file "$name ($target): rejects" "$dir/$name.rej" /dev/null || rc=1
	fi
	expect_file "$name ($target): stdout" "$got" "$exp" || rc=1
	expect_eq "$name ($target): exit status" "$st" "$want" || rc=1
	return "$rc"
}

# golden NAME: one golden case as a whole test, both targets, each output
# checked by its target's validator.
golden() {
	local rc=0
	check_golden "$1" sekoia || rc=1
	check_golden "$1" ocsf || rc=1
	[ "$rc" -eq 0 ] || return 1
	validate_sekoia "$BATS_TEST_TMPDIR/$1.sekoia.out"
	validate_ocsf "$BATS_TEST_TMPDIR/$1.ocsf.out"
}

# big_line FILE BYTES ID: one line of exactly BYTES bytes (newline not
# counted): the device {"id":ID} padded with spaces, valid JSON.
big_line() {
	python3 -c 'import sys
head = "{\"id\":\"%s\"}" % sys.argv[2]
sys.stdout.write(head + " " * (int(sys.argv[1]) - len(head)) + "\n")' "$2" "$3" >>"$1"
}

# ---- golden files -----------------------------------------------------------

@test "golden: the project's sample devices (tests/data/okta-devices.json), one per line" {
	sample_ndjson >"$BATS_TEST_TMPDIR/sample.ndjson"
	expect_file "golden input vs tests/data sample" "$GOLDEN/sample.in.ndjson" \
		"$BATS_TEST_TMPDIR/sample.ndjson"
	golden sample
}

@test "golden: the sample as one array line (a saved API page) gives the same records" {
	expect_file "page output vs NDJSON output" "$GOLDEN/sample-page.out.ndjson" \
		"$GOLDEN/sample.out.ndjson"
	expect_file "page output vs NDJSON output (ocsf)" "$GOLDEN/sample-page.ocsf.ndjson" \
		"$GOLDEN/sample.ocsf.ndjson"
	golden sample-page
}

@test "golden: every tests/golden/*.in.ndjson matches its expected files, both targets" {
	local f name target failed=()
	: >"$BATS_TEST_TMPDIR/all.sekoia.ndjson"
	: >"$BATS_TEST_TMPDIR/all.ocsf.ndjson"
	for f in "$GOLDEN"/*.in.ndjson; do
		name=${f##*/}
		name=${name%.in.ndjson}
		for target in sekoia ocsf; do
			check_golden "$name" "$target" || failed+=("$name/$target")
			cat "$BATS_TEST_TMPDIR/$name.$target.out" >>"$BATS_TEST_TMPDIR/all.$target.ndjson"
		done
	done
	for f in "$GOLDEN"/*; do
		case $f in
		*.in.ndjson) ;;
		*.out.ndjson) [ -f "${f%.out.ndjson}.in.ndjson" ] || failed+=("stray ${f##*/}") ;;
		*.ocsf.ndjson) [ -f "${f%.ocsf.ndjson}.in.ndjson" ] || failed+=("stray ${f##*/}") ;;
		*.err | *.rej) [ -f "${f%.*}.in.ndjson" ] || failed+=("stray ${f##*/}") ;;
		*) failed+=("stray ${f##*/}") ;;
		esac
	done
	validate_sekoia "$BATS_TEST_TMPDIR/all.sekoia.ndjson"
	validate_ocsf "$BATS_TEST_TMPDIR/all.ocsf.ndjson"
	expect_eq "failed cases" "${failed[*]}" ""
}

# ---- mapping ----------------------------------------------------------------

# variants KIND <NDJSON: the same devices written differently, each
# object's members (the device's, its profile's, its users') as KIND says:
# dup, each key first with a wrong value, then its own (the last counts);
# dup-last, its own value, then the wrong one; wrong, the wrong value
# alone (what dup-last must map like); esc, each key's first byte as a
# \u escape; many, 60 members of no meaning first.
variants() {
	python3 -c '
import json, sys
kind = sys.argv[1]
def wrong(v):
    return "wrong" if not isinstance(v, str) else (True if v else 7)
def key(k):
    return json.dumps(k) if kind != "esc" else "\"\\u%04x%s" % (ord(k[0]), json.dumps(k)[2:])
def out(v):
    if isinstance(v, list):
        return "[" + ",".join(out(x) for x in v) + "]"
    if not isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    m = []
    if kind == "many":
        m += ["\"zz%d\":%d" % (i, i) for i in range(60)]
    for k, x in v.items():
        if k == "id":  # kept, so that every variant is a record
            m.append(key(k) + ":" + out(x))
            continue
        if kind == "dup":
            m.append(key(k) + ":" + json.dumps(wrong(x)))
        if kind == "wrong":
            m.append(key(k) + ":" + json.dumps(wrong(x)))
            continue
        m.append(key(k) + ":" + out(x))
        if kind == "dup-last":
            m.append(key(k) + ":" + json.dumps(wrong(x)))
    return "{" + ",".join(m) + "}"
for line in sys.stdin:
    print(out(json.loads(line)))' "$1"
}

@test "lookups: a repeated key (the last counts), escaped keys, 60 more members: the same records" {
	local d=$BATS_TEST_TMPDIR k
	sample_ndjson >"$d/in"
	"$OKTA2OCSF" -q -t "$T" <"$d/in" >"$d/want"
	[ -s "$d/want" ]
	for k in dup esc many; do
		variants "$k" <"$d/in" >"$d/$k.in"
		! cmp -s "$d/in" "$d/$k.in"
		"$OKTA2OCSF" -q -t "$T" <"$d/$k.in" >"$d/$k.out"
		expect_file "okta2ocsf of the $k variant" "$d/want" "$d/$k.out"
	done
	# The last of a repeated key counts, not the first.
	variants wrong <"$d/in" | "$OKTA2OCSF" -q -t "$T" >"$d/wrong.want"
	variants dup-last <"$d/in" | "$OKTA2OCSF" -q -t "$T" >"$d/last.out"
	[ "$(wc -l <"$d/last.out")" -eq "$(wc -l <"$d/want")" ]
	expect_file "okta2ocsf of the dup-last variant" "$d/wrong.want" "$d/last.out"
	! cmp -s "$d/want" "$d/last.out"
}

@test "mapping: a device with only an id gives the constant part in the spec's order" {
	run --separate-stderr "$OKTA2OCSF" -t "$T" <<<'{"id":"only-id"}'
	expect_status 0
	expect_stdout "$(record only-id)"
	expect_stderr ""
	validate_output
	run --separate-stderr "$OKTA2OCSF" -T ocsf -t "$T" <<<'{"id":"only-id"}'
	expect_status 0
	expect_stdout "$(record_ocsf only-id)"
	expect_stderr ""
	validate_output ocsf
}

@test "mapping: platform to os: each platform, any case, unknown, missing, null, empty, not a string" {
	golden platform
}

@test "mapping: diskEncryptionType to DiskEncryption.partitions, every value, case, wrong type" {
	golden disk-encryption
}

@test "mapping: is_managed from profile.managed, else from the _embedded users' managementStatus" {
	golden managed
}

@test "mapping: profile.registered to is_compliant, booleans only" {
	golden registered
}

@test "mapping: owner from _embedded.users[0].user: full, partial names, no id, bad email" {
	golden owner
}

@test "mapping: enrichment Users list from serialNumber, sid, secureHardwarePresent" {
	golden users-list
}

@test "mapping: every embedded user's login in Users, each once, in order; none unless ACTIVE" {
	golden users-logins
}

@test "mapping: status DELETED (okta-fetch's vanished device): is_managed and is_compliant false" {
	golden deleted
}

@test "mapping: uid_alt by target (serialNumber for sekoia, sid for ocsf); is_trusted, booleans only" {
	local in=$BATS_TEST_TMPDIR/in.ndjson
	printf '%s\n' '{"id":"a","profile":{"serialNumber":"SN-1","sid":"S-1-5-21-1","secureHardwarePresent":false}}' \
		'{"id":"b","profile":{"sid":"S-1-5-21-2","secureHardwarePresent":"true"}}' >"$in"
	run "$OKTA2OCSF" -q <"$in"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *'"is_trusted":false,"hw_info":{"serial_number":"SN-1"},"uid_alt":"SN-1"}'* ]] || flunk "sekoia: ${lines[0]}"
	[[ ${lines[1]} != *uid_alt* && ${lines[1]} != *is_trusted* ]] || flunk "sekoia, no serial: ${lines[1]}"
	run "$OKTA2OCSF" -q -T ocsf <"$in"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *'"uid_alt":"S-1-5-21-1"}'* ]] || flunk "ocsf: ${lines[0]}"
	[[ ${lines[1]} == *'"uid_alt":"S-1-5-21-2"}'* ]] || flunk "ocsf: ${lines[1]}"
}

@test "mapping: udid, meid, and imei as a one-element imei_list" {
	golden hardware-ids
}

@test "mapping: created and lastUpdated: offsets, fractions, impossible dates, wrong types" {
	golden times
}

@test "mapping: fields of the wrong type are left out, not rejected" {
	golden wrong-types
}

@test "mapping: UTF-8 names kept, quote backslash and controls escaped, / not escaped" {
	golden names
}

@test "mapping: unmapped status, integrityJailbreak, tpmPublicKeyHash; left out when empty" {
	golden unmapped
}

# ---- time and units ---------------------------------------------------------

@test "device times do not depend on the local time zone" {
	local tz
	# POSIX TZ strings: no tzdata needed; odd offsets and a DST rule.
	for tz in 'XST-5:45' 'NST3:30NDT,M3.2.0,M11.1.0' 'CHA-12:45CHD,M9.5.0/2:45,M4.1.0/3:45' 'UTC+13'; do
		TZ=$tz check_golden times sekoia
		TZ=$tz check_golden times ocsf
	done
	validate_sekoia "$BATS_TEST_TMPDIR/times.sekoia.out"
	validate_ocsf "$BATS_TEST_TMPDIR/times.ocsf.out"
}

@test "sekoia target (default): time and every device time in integer seconds, truncated" {
	local in='{"id":"secs","created":"2019-10-02T18:03:07.999Z","lastUpdated":"2025-09-18T14:03:27.000+02:00"}'
	local want
	want=$(record secs 1700000000 \
		',"created_time":1570039387,"first_seen_time":1570039387,"last_seen_time":1758197007,"modified_time":1758197007')
	run --separate-stderr "$OKTA2OCSF" -t 1700000000999 <<<"$in"
	expect_status 0
	expect_stdout "$want"
	expect_stderr ""
	validate_output
	run --separate-stderr "$OKTA2OCSF" -T sekoia -u s -t 1700000000999 <<<"$in"
	expect_status 0
	expect_stdout "$want"
	expect_stderr ""
}

@test "ocsf target: milliseconds; -u s gives it seconds, -u ms gives sekoia milliseconds" {
	local in='{"id":"msecs","created":"2019-10-02T18:03:07.999Z","lastUpdated":"2025-09-18T14:03:27.000+02:00"}'
	run --separate-stderr "$OKTA2OCSF" -T ocsf -t 1700000000999 <<<"$in"
	expect_status 0
	expect_stdout "$(record_ocsf msecs 1700000000999 \
		',"created_time":1570039387999,"first_seen_time":1570039387999,"last_seen_time":1758197007000,"modified_time":1758197007000')"
	expect_stderr ""
	validate_output ocsf
	run --separate-stderr "$OKTA2OCSF" -T ocsf -u s -t 1700000000999 <<<"$in"
	expect_status 0
	expect_stdout "$(record_ocsf msecs 1700000000 \
		',"created_time":1570039387,"first_seen_time":1570039387,"last_seen_time":1758197007,"modified_time":1758197007')"
	expect_stderr ""
	validate_output ocsf
	run --separate-stderr "$OKTA2OCSF" -u ms -t 1700000000999 <<<"$in"
	expect_status 0
	expect_stdout "$(record msecs 1700000000999 \
		',"created_time":1570039387999,"first_seen_time":1570039387999,"last_seen_time":1758197007000,"modified_time":1758197007000')"
	expect_stderr ""
}

@test "-T with anything but sekoia or ocsf exits 64, saying why, then the synopsis" {
	local v
	for v in OCSF Sekoia x ''; do
		run --separate-stderr "$OKTA2OCSF" -T "$v" </dev/null
		expect_status 64
		expect_stdout ""
		[[ $stderr == "okta2ocsf: -T $v: must be sekoia or ocsf"$'\n'"usage: okta2ocsf "* ]] ||
			expect_stderr "okta2ocsf: -T $v: must be sekoia or ocsf<newline>usage: okta2ocsf ..."
	done
}

@test "SOURCE_DATE_EPOCH (seconds) fixes time, in each target's unit" {
	run --separate-stderr env SOURCE_DATE_EPOCH=1700000000 "$OKTA2OCSF" <<<'{"id":"sde"}'
	expect_status 0
	expect_stdout "$(record sde 1700000000)"
	expect_stderr ""
	validate_output
	run --separate-stderr env SOURCE_DATE_EPOCH=1700000000 "$OKTA2OCSF" -T ocsf <<<'{"id":"sde"}'
	expect_status 0
	expect_stdout "$(record_ocsf sde 1700000000000)"
	expect_stderr ""
	validate_output ocsf
}

@test "-t wins over SOURCE_DATE_EPOCH" {
	run --separate-stderr env SOURCE_DATE_EPOCH=1600000000 "$OKTA2OCSF" -t 1234567890123 <<<'{"id":"tw"}'
	expect_status 0
	expect_stdout "$(record tw 1234567890)"
	expect_stderr ""
	validate_output
	run --separate-stderr env SOURCE_DATE_EPOCH=1600000000 "$OKTA2OCSF" -T ocsf -t 1234567890123 <<<'{"id":"tw"}'
	expect_status 0
	expect_stdout "$(record_ocsf tw 1234567890123)"
}

@test "without -t or SOURCE_DATE_EPOCH, time is now, in s (sekoia) or ms (ocsf)" {
	local before after t
	before=$(date +%s)
	run --separate-stderr "$OKTA2OCSF" <<<'{"id":"now"}'
	after=$(date +%s)
	expect_status 0
	expect_stderr ""
	t=${output#*\"time\":}
	t=${t%%,*}
	[[ $t =~ ^[0-9]+$ ]] || { echo "time is not an integer: $t" >&2; false; }
	if [ "$t" -lt $((before - 2)) ] || [ "$t" -gt $((after + 2)) ]; then
		echo "time $t not within [$before, $after] s" >&2
		false
	fi
	expect_stdout "$(record now "$t")"
	validate_output

	before=$(date +%s)
	run --separate-stderr "$OKTA2OCSF" -T ocsf <<<'{"id":"now"}'
	after=$(date +%s)
	expect_status 0
	t=${output#*\"time\":}
	t=${t%%,*}
	if [ "$t" -lt $(((before - 2) * 1000)) ] || [ "$t" -gt $(((after + 2) * 1000)) ]; then
		echo "time $t not within [$before, $after] s" >&2
		false
	fi
	expect_stdout "$(record_ocsf now "$t")"
}

# ---- bad input --------------------------------------------------------------

@test "reject: invalid JSON, a string, no id, empty id, id not a string; good lines go on" {
	golden reject-lines
}

@test "reject: valid JSON scalars (number, null, true) are 'not a JSON object or array'" {
	golden reject-scalars
}

@test "reject: array line: good elements out, bad ones alone as compact JSON, 'element N:'" {
	golden reject-array
}

@test "reject: invalid UTF-8 (overlong, surrogate, > U+10FFFF, cut short) is not JSON" {
	golden reject-utf8
}

@test "reject: NUL bytes in a line" {
	golden reject-nul
}

@test "reject: nesting depth 100, no crash, next line converted" {
	golden reject-deep-nesting
}

@test "reject: a raw control character inside a string is not JSON" {
	local f=$BATS_TEST_TMPDIR/ctl.ndjson
	printf '{"id":"ctl-1"}\n{"id":"raw\ttab"}\n{"id":"raw\001soh"}\n{"id":"ctl-2"}\n' >"$f"
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" -r "$BATS_TEST_TMPDIR/rej" <"$f"
	expect_status 1
	expect_stdout "$(records ctl-1 ctl-2)"
	[[ $stderr == "okta2ocsf: stdin:2: invalid JSON"*$'\n'"okta2ocsf: stdin:3: invalid JSON"* ]] ||
		expect_stderr "okta2ocsf: stdin:2: invalid JSON: ...<newline>okta2ocsf: stdin:3: invalid JSON: ..."
	expect_rejects "$BATS_TEST_TMPDIR/rej" "$(sed -n 2p "$f")" "$(sed -n 3p "$f")"
	validate_output
}

@test "blank and whitespace-only lines skipped, not rejected, but counted" {
	golden reject-blank-lines
}

@test "CRLF line endings accepted" {
	golden crlf
	expect_file "CRLF output vs LF output" "$GOLDEN/crlf.out.ndjson" "$GOLDEN/sample.out.ndjson"
}

@test "last line without a newline accepted" {
	golden no-final-newline
}

@test "empty input and blank-only input: no output, exit 0" {
	run --separate-stderr "$OKTA2OCSF" -t "$T" </dev/null
	expect_status 0
	expect_stdout ""
	expect_stderr ""
	run --separate-stderr "$OKTA2OCSF" -t "$T" < <(printf '\n \r\n\t\n')
	expect_status 0
	expect_stdout ""
	expect_stderr ""
}

@test "reject: a line over 16 MiB: reported, saved verbatim, the next line converted" {
	local f=$BATS_TEST_TMPDIR/big.ndjson rej=$BATS_TEST_TMPDIR/rej
	printf '{"id":"before-big"}\n' >"$f"
	python3 -c 'import sys
sys.stdout.write("{\"id\":\"huge\",\"pad\":\"" + "x" * (17 << 20) + "\"}\n")' >>"$f"
	printf '{"id":"after-big"}\n' >>"$f"
	run --separate-stderr "$OKTA2OCSF" -t "$T" -r "$rej" "$f"
	expect_status 1
	expect_stdout "$(records before-big after-big)"
	expect_stderr "okta2ocsf: $f:2: line longer than 16777216 bytes
okta2ocsf: 3 devices read, 2 records written, 1 rejected, saved to $rej"
	sed -n 2p "$f" >"$BATS_TEST_TMPDIR/line2"
	expect_file "rejects file" "$rej" "$BATS_TEST_TMPDIR/line2"
	validate_output
}

@test "a line of exactly 16777216 bytes is accepted, one byte more is not" {
	local f=$BATS_TEST_TMPDIR/limit.ndjson rej=$BATS_TEST_TMPDIR/rej
	big_line "$f" 16777216 at-limit
	big_line "$f" 16777217 over-limit
	printf '{"id":"after-limit"}\n' >>"$f"
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" -r "$rej" "$f"
	expect_status 1
	expect_stdout "$(records at-limit after-limit)"
	expect_stderr "okta2ocsf: $f:2: line longer than 16777216 bytes"
	sed -n 2p "$f" >"$BATS_TEST_TMPDIR/line2"
	expect_file "rejects file" "$rej" "$BATS_TEST_TMPDIR/line2"
	validate_output
}

@test "messages name the file as given: absolute and relative paths" {
	local dir=$BATS_TEST_TMPDIR
	mkdir "$dir/sub"
	printf '{"id":"p-1"}\n{"name":"no id"}\n{"id":"p-3"}\n' >"$dir/sub/in.ndjson"
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" -r "$dir/rej" "$dir/sub/in.ndjson"
	expect_status 1
	expect_stdout "$(records p-1 p-3)"
	expect_stderr "okta2ocsf: $dir/sub/in.ndjson:2: $NOID"
	expect_rejects "$dir/rej" '{"name":"no id"}'
	validate_output
	cd "$dir"
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" sub/in.ndjson
	expect_status 1
	expect_stdout "$(records p-1 p-3)"
	expect_stderr "okta2ocsf: sub/in.ndjson:2: $NOID"
}

@test "messages say stdin for standard input, with no file or with -" {
	local f=$BATS_TEST_TMPDIR/in.ndjson
	printf '{"id":"s-1"}\n{"id":""}\n' >"$f"
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" <"$f"
	expect_status 1
	expect_stdout "$(record s-1)"
	expect_stderr "okta2ocsf: stdin:2: $NOID"
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" - <"$f"
	expect_status 1
	expect_stdout "$(record s-1)"
	expect_stderr "okta2ocsf: stdin:2: $NOID"
	validate_output
}

@test "several files: records in order, line numbers restart per file" {
	local dir=$BATS_TEST_TMPDIR
	printf '{"id":"a-1"}\n{"x":"a2"}\n{"id":"a-3"}\n' >"$dir/a.ndjson"
	printf '\n{"x":"stdin2"}\n{"id":"stdin-3"}\n' >"$dir/stdin.ndjson"
	printf '{"x":"b1"}\n{"id":"b-2"}' >"$dir/b.ndjson"
	run --separate-stderr "$OKTA2OCSF" -t "$T" -r "$dir/rej" \
		"$dir/a.ndjson" - "$dir/b.ndjson" <"$dir/stdin.ndjson"
	expect_status 1
	expect_stdout "$(records a-1 a-3 stdin-3 b-2)"
	expect_stderr "okta2ocsf: $dir/a.ndjson:2: $NOID
okta2ocsf: stdin:2: $NOID
okta2ocsf: $dir/b.ndjson:1: $NOID
okta2ocsf: 7 devices read, 4 records written, 3 rejected, saved to $dir/rej"
	expect_rejects "$dir/rej" '{"x":"a2"}' '{"x":"stdin2"}' '{"x":"b1"}'
	validate_output
}

@test "many lines: input order kept across read buffers and output flushes" {
	# seq, not a shell loop: bats traces every shell command, 3000 are slow.
	local f=$BATS_TEST_TMPDIR/many.ndjson rec
	rec=$(record @UID@)
	seq -f '{"id":"dev-%05g","_links":{"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}' \
		1 3000 >"$f"
	seq -f '%05g' 1 3000 | awk -v r="$rec" '{ s = r; gsub(/@UID@/, "dev-" $0, s); print s }' \
		>"$BATS_TEST_TMPDIR/want"
	[ "$(wc -c <"$f")" -gt 262144 ] # several read buffers
	# shellcheck disable=SC2016 # expanded by sh, from its arguments
	run --separate-stderr sh -c '"$1" -t "$2" <"$3" >"$4"' sh "$OKTA2OCSF" "$T" "$f" \
		"$BATS_TEST_TMPDIR/got"
	expect_status 0
	expect_file stdout "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	expect_stderr ""
	validate_sekoia "$BATS_TEST_TMPDIR/got"
}

@test "a write error on stdout is a failure, not a silent success" {
	# shellcheck disable=SC2016 # expanded by sh, from its arguments
	run --separate-stderr sh -c '"$1" -t "$2" <"$3" >/dev/full' sh "$OKTA2OCSF" "$T" \
		"$GOLDEN/sample.in.ndjson"
	[ "$status" -ne 0 ] || expect_status "non-zero"
	expect_stdout ""
	[[ $stderr == "okta2ocsf: "*stdout* ]] || expect_stderr "okta2ocsf: stdout: ..."
}

# ---- options ----------------------------------------------------------------

@test "-h and --help print the usage on stdout and exit 0" {
	local opt
	for opt in -h --help; do
		run --separate-stderr "$OKTA2OCSF" "$opt"
		expect_status 0
		[[ $output == "usage: okta2ocsf "* ]] || expect_stdout "usage: okta2ocsf ..."
		expect_stderr ""
	done
}

@test "-V and --version print the version and exit 0" {
	local opt
	for opt in -V --version; do
		run --separate-stderr "$OKTA2OCSF" "$opt"
		expect_status 0
		[[ $output =~ ^okta2ocsf\ [0-9]+\.[0-9]+ ]] || expect_stdout "okta2ocsf N.N..."
		expect_stderr ""
	done
}

@test "an unknown option exits 64 with the usage on stderr and nothing on stdout" {
	local opt
	for opt in -z --bogus; do
		run --separate-stderr "$OKTA2OCSF" "$opt" </dev/null
		expect_status 64
		expect_stdout ""
		[[ $stderr == *"usage: okta2ocsf "* ]] || expect_stderr "...usage: okta2ocsf ..."
	done
}

@test "option errors from getopt carry the 'okta2ocsf: ' prefix" {
	local opt line
	for opt in -z --bogus -t; do
		run --separate-stderr "$OKTA2OCSF" "$opt" </dev/null
		expect_status 64
		line=${stderr%%$'\n'*}
		[[ $line == "okta2ocsf: "* ]] || expect_eq "first stderr line for $opt" "$line" "okta2ocsf: ..."
	done
}

@test "-u with anything but ms or s exits 64" {
	local v
	for v in x ms2 S ''; do
		run --separate-stderr "$OKTA2OCSF" -u "$v" </dev/null
		expect_status 64
		expect_stdout ""
		[[ $stderr == "okta2ocsf: "*"-u"* ]] || expect_stderr "okta2ocsf: ...-u..."
	done
}

@test "-t with a bad number exits 64" {
	local v
	for v in abc -1 1.5 12x ''; do
		run --separate-stderr "$OKTA2OCSF" -t "$v" <<<'{"id":"x"}'
		expect_status 64
		expect_stdout ""
		[[ $stderr == "okta2ocsf: "*"-t"* ]] || expect_stderr "okta2ocsf: ...-t..."
	done
}

@test "SOURCE_DATE_EPOCH that is not a number exits 78" {
	run --separate-stderr env SOURCE_DATE_EPOCH=abc "$OKTA2OCSF" <<<'{"id":"x"}'
	expect_status 78
	expect_stdout ""
	[[ $stderr == "okta2ocsf: "*SOURCE_DATE_EPOCH* ]] || expect_stderr "okta2ocsf: ...SOURCE_DATE_EPOCH..."
}

@test "a missing input file is named, the other files are still converted, exit non-zero" {
	local dir=$BATS_TEST_TMPDIR
	printf '{"id":"m-1"}\n' >"$dir/a.ndjson"
	printf '{"id":"m-2"}\n' >"$dir/b.ndjson"
	run --separate-stderr "$OKTA2OCSF" -t "$T" "$dir/a.ndjson" "$dir/missing.ndjson" "$dir/b.ndjson"
	[ "$status" -ne 0 ] || expect_status "non-zero"
	expect_stdout "$(records m-1 m-2)"
	[[ $stderr == "okta2ocsf: $dir/missing.ndjson: "* && $stderr != *$'\n'* ]] ||
		expect_stderr "okta2ocsf: $dir/missing.ndjson: <reason> (one line)"
	validate_output
}

@test "-q silences the summary line but not the reject messages" {
	local f=$BATS_TEST_TMPDIR/in.ndjson rej=$BATS_TEST_TMPDIR/rej
	printf '{"id":"q-1"}\n[1\n{"id":"q-3"}\n' >"$f"
	run --separate-stderr "$OKTA2OCSF" -t "$T" -r "$rej" <"$f"
	expect_status 1
	expect_stdout "$(records q-1 q-3)"
	expect_stderr "okta2ocsf: stdin:2: invalid JSON: the value begun here breaks off: expected ',' or a closing bracket at line 3, byte 1
okta2ocsf: 3 devices read, 2 records written, 1 rejected, saved to $rej"
	expect_rejects "$rej" '[1'
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" -r "$rej" <"$f"
	expect_status 1
	expect_stdout "$(records q-1 q-3)"
	expect_stderr "okta2ocsf: stdin:2: invalid JSON: the value begun here breaks off: expected ',' or a closing bracket at line 3, byte 1"
	expect_rejects "$rej" '[1'
	validate_output
}

@test "-v adds detail on stderr, stdout unchanged" {
	run --separate-stderr "$OKTA2OCSF" -v -t "$T" <<<'{"id":"v-1"}'
	expect_status 0
	expect_stdout "$(record v-1)"
	[[ $stderr == "okta2ocsf: "* ]] || expect_stderr "okta2ocsf: ... (a detail line)"
	validate_output
}

# ---- targets and corrected rows ----------------------------------------------

@test "mapping: is_compliant is false for a device whose status is not ACTIVE" {
	golden status
}

@test "mapping: hostname: displayName, else serialNumber, else id (sekoia); displayName only (ocsf)" {
	golden hostname
}

@test "mapping: devices in the shapes Okta's API reference shows (nulls, empty strings, _embedded)" {
	golden okta-shapes
}

# ---- input: a stream of JSON values, as jq reads it ------------------------------

@test "input: a pretty-printed array, jq-style objects over lines, a BOM first, blank lines" {
	golden input-pretty
}

@test "input: CRLF line endings inside multi-line values" {
	golden input-crlf
	expect_file "CRLF output vs LF output" "$GOLDEN/input-crlf.out.ndjson" "$GOLDEN/input-pretty.out.ndjson"
}

@test "input: a value cut short costs its first line only; the good lines after it are converted" {
	golden input-cut
}

@test "input: one object cut short, then good lines: exactly one line rejected, the rest converted" {
	local f=$BATS_TEST_TMPDIR/cut.ndjson rej=$BATS_TEST_TMPDIR/rej
	printf '{"id":"c-1"}\n{"id":"cut","profile":{"displayName":"half\n{"id":"c-3"}\n{"id":"c-4"}\n' >"$f"
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" -r "$rej" "$f"
	expect_status 1
	expect_stdout "$(records c-1 c-3 c-4)"
	expect_stderr "okta2ocsf: $f:2: invalid JSON: the value begun here breaks off: a control character inside a string at line 2, byte 43"
	expect_rejects "$rej" "$(sed -n 2p "$f")"
	validate_output
}

@test "input: jq . output of the sample (one file, and several values) gives the sample's records" {
	command -v jq >/dev/null || skip "jq not installed"
	jq . "$SAMPLE" >"$BATS_TEST_TMPDIR/pretty.json"
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" "$BATS_TEST_TMPDIR/pretty.json"
	expect_status 0
	expect_stderr ""
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	expect_file "jq . page" "$BATS_TEST_TMPDIR/got" "$GOLDEN/sample.out.ndjson"
	jq '.[]' "$SAMPLE" >"$BATS_TEST_TMPDIR/values.json"
	run --separate-stderr "$OKTA2OCSF" -q -T ocsf -t "$T" "$BATS_TEST_TMPDIR/values.json"
	expect_status 0
	expect_stderr ""
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	expect_file "jq .[] values" "$BATS_TEST_TMPDIR/got" "$GOLDEN/sample.ocsf.ndjson"
}

@test "input: a value over 16 MiB spread over lines: rejected once, saved whole, next value converted, memory bounded" {
	local f=$BATS_TEST_TMPDIR/bigval.json rej=$BATS_TEST_TMPDIR/rej rss
	python3 -c 'import sys
with open(sys.argv[1], "w") as f:
    f.write("{\"id\":\"before\"}\n[\n")
    for i in range(17):
        f.write("  \"" + "x" * (1 << 20) + "\",\n")
    f.write("  \"end\"\n]\n{\"id\":\"after\"}\n")' "$f"
	run --separate-stderr /usr/bin/time -f '%M' -o "$BATS_TEST_TMPDIR/rss" \
		"$OKTA2OCSF" -q -t "$T" -r "$rej" "$f"
	expect_status 1
	expect_stdout "$(records before after)"
	expect_stderr "okta2ocsf: $f:2: value longer than 16777216 bytes"
	sed -n '2,21p' "$f" >"$BATS_TEST_TMPDIR/want.rej"
	cmp -s "$rej" "$BATS_TEST_TMPDIR/want.rej" || { echo "rejects file is not lines 2-21" >&2; false; }
	rss=$(tail -n 1 "$BATS_TEST_TMPDIR/rss")
	echo "# peak RSS ${rss} KiB for a 17 MiB value over 20 lines" >&3
	if [[ $BUILD == */sanitize || -n ${VALGRIND:-} ]]; then
		echo "# RSS bound not checked under a sanitizer or valgrind" >&3
		return 0
	fi
	[ "$rss" -lt $((40 * 1024)) ] || { echo "peak RSS $rss KiB, not under 40 MiB" >&2; false; }
}

@test "input: 100000 lines of '[' are rejected one by one in bounded time and memory" {
	local f=$BATS_TEST_TMPDIR/brackets rss n
	yes '[' | head -n 100000 >"$f"
	printf '{"id":"after-brackets"}\n' >>"$f"
	# 60 s: linear work takes well under a second; quadratic, hours.
	run --separate-stderr timeout 60 /usr/bin/time -f '%M' -o "$BATS_TEST_TMPDIR/rss" \
		"$OKTA2OCSF" -q -t "$T" "$f"
	expect_status 1
	n=$(printf '%s\n' "$stderr" | grep -c ': invalid JSON: ')
	expect_eq "rejections" "$n" 100000
	[[ ${stderr%%$'\n'*} == "okta2ocsf: $f:1: invalid JSON: the value begun here breaks off: nesting deeper than 64 at line 65, byte 1" ]] ||
		expect_eq "first message" "${stderr%%$'\n'*}" "... nesting deeper than 64 at line 65, byte 1"
	# The last ones are still open when the input ends, the good line
	# joined to each: read again after each, it must come out.
	expect_stdout "$(record after-brackets)"
	if [[ $BUILD == */sanitize || -n ${VALGRIND:-} ]]; then
		echo "# RSS bound not checked under a sanitizer or valgrind" >&3
		return 0
	fi
	rss=$(tail -n 1 "$BATS_TEST_TMPDIR/rss")
	[ "$rss" -lt $((32 * 1024)) ] || { echo "peak RSS $rss KiB" >&2; false; }
}

# ---- --stats and --help -------------------------------------------------------

# stats_value FILE KEY: the value of KEY in the --stats JSON object.
stats_value() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

@test "--stats FILE: devices, records, rejected, seconds, exit_status in that order, after a normal run" {
	local st=$BATS_TEST_TMPDIR/stats.json
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" --stats "$st" "$GOLDEN/sample.in.ndjson"
	expect_status 0
	run python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' "$st"
	expect_stdout "devices records rejected seconds exit_status"
	expect_eq devices "$(stats_value "$st" devices)" 12
	expect_eq records "$(stats_value "$st" records)" 12
	expect_eq rejected "$(stats_value "$st" rejected)" 0
	expect_eq exit_status "$(stats_value "$st" exit_status)" 0
	[[ $(stats_value "$st" seconds) =~ ^[0-9]+\.[0-9]+$ ]]
	[ ! -e "$st.tmp.$$" ]
}

@test "--stats FILE: after rejections (exit 1), and after a configuration error (exit 78)" {
	local st=$BATS_TEST_TMPDIR/stats.json
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" --stats "$st" "$GOLDEN/input-cut.in.ndjson"
	expect_status 1
	expect_eq devices "$(stats_value "$st" devices)" 9
	expect_eq records "$(stats_value "$st" records)" 3
	expect_eq rejected "$(stats_value "$st" rejected)" 6
	expect_eq exit_status "$(stats_value "$st" exit_status)" 1
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" --stats "$st" "$GOLDEN/reject-array.in.ndjson"
	expect_status 1
	expect_eq devices "$(stats_value "$st" devices)" "$(($(grep -c . "$GOLDEN/reject-array.out.ndjson") + $(grep -c . "$GOLDEN/reject-array.err")))"
	rm -f "$st"
	run --separate-stderr env SOURCE_DATE_EPOCH=soon "$OKTA2OCSF" --stats "$st" </dev/null
	expect_status 78
	expect_eq exit_status "$(stats_value "$st" exit_status)" 78
	expect_eq devices "$(stats_value "$st" devices)" 0
}

@test "--stats FILE that cannot be written: a success becomes 75, said; no temporary file left" {
	local d=$BATS_TEST_TMPDIR/ro
	mkdir "$d"
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" --stats "$BATS_TEST_TMPDIR/missing/stats.json" </dev/null
	expect_status 75
	[[ $stderr == *"--stats $BATS_TEST_TMPDIR/missing/stats.json: not written"* ]] ||
		flunk "no message naming the stats file: $stderr"
	# A stats file replaced whole: the old one stays until the new is complete.
	printf '{"old":1}\n' >"$d/stats.json"
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" --stats "$d/stats.json" </dev/null
	expect_status 0
	expect_eq exit_status "$(stats_value "$d/stats.json" exit_status)" 0
	[ -z "$(find "$d" -name '*.tmp.*')" ] || flunk "a temporary file was left"
}

@test "--help: the synopsis, one line per option and variable, the page to read; every SYNOPSIS option is in it" {
	local opt
	run --separate-stderr "$OKTA2OCSF" --help
	expect_status 0
	expect_stderr ""
	[[ $output == "usage: okta2ocsf "* ]] || expect_stdout "usage: okta2ocsf ..."
	[[ ${output##*$'\n'} == "See okta2ocsf(1)." ]] || expect_eq "last line" "${output##*$'\n'}" "See okta2ocsf(1)."
	for opt in $(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh/s/^\.Op Fl \([a-zA-Z-]*\).*/\1/p' "$ROOT/man/okta2ocsf.1" |
		sed 's/^-/--/; /^[a-zA-Z]\{2,\}$/s/\(.\)/-\1 /g'); do
		case $opt in --*) ;; *) opt=-${opt#-} ;; esac
		[[ $output == *$'\n'"  $opt "* || $output == *$'\n'"  "*", $opt "* ]] ||
			{ echo "$opt of the man page's SYNOPSIS is not in --help" >&2; false; }
	done
	[[ $output == *$'\n'"  SOURCE_DATE_EPOCH "* ]] || { echo "SOURCE_DATE_EPOCH not in --help" >&2; false; }
}

# ---- issue 20: descriptors, REJECTS, read errors ---------------------------------

@test "stdout closed at start: the records go nowhere, REJECTS holds the rejected device only" {
	skip_under_valgrind "valgrind's log would take the closed descriptor"
	local in=$BATS_TEST_TMPDIR/in rej=$BATS_TEST_TMPDIR/rej
	printf '%s\n' '{"id":"guo1","status":"ACTIVE"}' '{"status":"ACTIVE"}' \
		'{"id":"guo2","status":"ACTIVE"}' >"$in"
	run bash -c '"$1" -q -t "$2" -r "$3" "$4" >&-' _ "$OKTA2OCSF" "$T" "$rej" "$in"
	[ "$status" -eq 1 ] || { echo "exit $status: $output" >&2; return 1; }
	[ "$(cat "$rej")" = '{"status":"ACTIVE"}' ] || { echo "REJECTS: $(cut -c1-300 "$rej")" >&2; return 1; }
	[ "$(stat -c %a "$rej")" = 600 ] || { echo "REJECTS mode $(stat -c %a "$rej")" >&2; return 1; }
}

@test "-r REJECTS: created 0600; a FIFO with no reader 78 at once; /dev/stdout works" {
	local in=$BATS_TEST_TMPDIR/in rej=$BATS_TEST_TMPDIR/rej
	printf '%s\n' '{"status":"ACTIVE"}' >"$in"
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" -r "$rej" "$in"
	[ "$status" -eq 1 ]
	[ "$(stat -c %a "$rej")" = 600 ]
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run --separate-stderr timeout 10 "$OKTA2OCSF" -q -t "$T" -r "$BATS_TEST_TMPDIR/fifo" "$in"
	[ "$status" -eq 78 ] || { echo "exit $status: $stderr" >&2; return 1; }
	[[ $stderr == "okta2ocsf: $BATS_TEST_TMPDIR/fifo: a FIFO with no reader"* ]] || { echo "$stderr" >&2; return 1; }
	run --separate-stderr "$OKTA2OCSF" -q -t "$T" -r /dev/stdout "$in"
	[ "$status" -eq 1 ]
	[ "$output" = '{"status":"ACTIVE"}' ] || { echo "stdout: $output" >&2; return 1; }
}

@test "a REJECTS write error: exit 75, and the summary does not say 'saved to'" {
	[ -w /dev/full ] || skip "no /dev/full"
	printf '%s\n' '{"status":"ACTIVE"}' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr "$OKTA2OCSF" -t "$T" -r /dev/full "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 75 ] || { echo "exit $status: $stderr" >&2; return 1; }
	[[ $stderr == *"/dev/full: write error"* ]] || { echo "$stderr" >&2; return 1; }
	[[ $stderr != *"saved to"* ]] || { echo "$stderr" >&2; return 1; }
	[[ $stderr == *"NOT saved: write error on /dev/full"* ]] || { echo "$stderr" >&2; return 1; }
}

@test "a read error mid-input (EIO from a pty whose other end closed): 75, the input named, no phantom device" {
	run --separate-stderr python3 - "$OKTA2OCSF" "$T" "$BATS_TEST_TMPDIR/st" <<-'EOF'
		import os, pty, subprocess, sys, time, tty
		m, s = pty.openpty()
		tty.setraw(s)
		p = subprocess.Popen([sys.argv[1], "-t", sys.argv[2], "--stats", sys.argv[3]],
		                     stdin=s, stdout=subprocess.PIPE)
		os.close(s)
		os.write(m, b'{"id":"guo1","status":"ACTIVE"}\n')
		time.sleep(1)
		os.close(m)	# the slave's reads now fail with EIO
		out = p.stdout.read()
		sys.exit(p.wait() if out.count(b"\n") == 1 else 99)
	EOF
	[ "$status" -eq 75 ] || { echo "exit $status: $stderr" >&2; return 1; }
	[[ $stderr == *"okta2ocsf: stdin: read error after line 1"* ]] || { echo "$stderr" >&2; return 1; }
	grep -q '"devices":1,"records":1,"rejected":0,' "$BATS_TEST_TMPDIR/st" ||
		{ echo "stats: $(cat "$BATS_TEST_TMPDIR/st")" >&2; return 1; }
}

@test "a directory as input: named and skipped, like a missing file, no phantom device" {
	printf '%s\n' '{"id":"guo1","status":"ACTIVE"}' >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr "$OKTA2OCSF" -t "$T" --stats "$BATS_TEST_TMPDIR/st" "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 1 ] || { echo "exit $status: $stderr" >&2; return 1; }
	[[ $stderr == *"okta2ocsf: $BATS_TEST_TMPDIR: Is a directory"* ]] || { echo "$stderr" >&2; return 1; }
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
	grep -q '"devices":1,"records":1,"rejected":0,' "$BATS_TEST_TMPDIR/st" ||
		{ echo "stats: $(cat "$BATS_TEST_TMPDIR/st")" >&2; return 1; }
}
