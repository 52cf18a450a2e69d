#!/usr/bin/env bats
# make install into a DESTDIR, the manual pages, and make demo.
load helper

UUID_STATS=3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f

@test "make install DESTDIR=... installs the programs, the wrapper beside them, five pages and the units" {
	d=$BATS_TEST_TMPDIR/dest
	run make -C "$ROOT" -s install DESTDIR="$d" PREFIX=/opt/oo
	[ "$status" -eq 0 ]
	for p in okta-fetch okta2ocsf ocsf-push okta-ocsf-sync; do
		[ -x "$d/opt/oo/bin/$p" ]
		run "$d/opt/oo/bin/$p" -V
		[ "$status" -eq 0 ]
		[[ $output == "$p "* ]]
	done
	for m in man1/okta-fetch.1 man1/okta2ocsf.1 man1/ocsf-push.1 man1/okta-ocsf-sync.1 \
	    man7/okta-ocsf.7; do
		[ -f "$d/opt/oo/share/man/$m" ]
	done
	# The unit runs the wrapper where this PREFIX put it.
	grep -qx 'ExecStart=/opt/oo/bin/okta-ocsf-sync /etc/okta-ocsf/%i.env' \
		"$d/opt/oo/lib/systemd/system/okta-ocsf-sync@.service"
	[ -f "$d/opt/oo/lib/systemd/system/okta-ocsf-sync@.timer" ]
	[ ! -e "$d/opt/oo/share/okta-ocsf" ]
	run make -C "$ROOT" -s uninstall DESTDIR="$d" PREFIX=/opt/oo
	[ "$status" -eq 0 ]
	[ -z "$(find "$d" -type f)" ]
}

@test "every manual page renders with man -l and passes mandoc -Tlint" {
	command -v man >/dev/null || skip "man is not installed"
	for page in "$ROOT"/man/*.[17]; do
		run env MANWIDTH=80 man -l "$page"
		[ "$status" -eq 0 ]
		[[ $output == *"EXIT STATUS"* ]]
		[[ $output == *"EXAMPLES"* ]]
		if command -v mandoc >/dev/null; then
			run mandoc -Tlint -Wwarning "$page"
			[ "$status" -eq 0 ]
			[ -z "$output" ]
		fi
	done
}

# The options a usage text names: "-nqv" is -n, -q and -v.
usage_options() {
	grep -oE -- '(^|[[ ])--?[a-zA-Z][a-zA-Z-]*' | tr -d '[ ' | sort -u |
	while read -r o; do
		case $o in
		--*) echo "$o" ;;
		*) echo "${o#-}" | grep -o . | sed 's/^/-/' ;;
		esac
	done
}

@test "every option in a program's usage has a manual page entry" {
	for p in okta-fetch okta2ocsf ocsf-push; do
		run "$BUILD/$p/$p" -h
		[ "$status" -eq 0 ]
		for opt in $(usage_options <<<"$output"); do
			grep -Eq "^\.It Fl ${opt#-}( |$)|^\.It Fl [a-zA-Z] , Fl ${opt#-}( |$)" \
				"$ROOT/man/$p.1" ||
				{ echo "$p: $opt not in man/$p.1" >&2; return 1; }
		done
	done
}

@test "make demo runs the whole pipeline and shows what arrived" {
	run make -C "$ROOT" -s demo
	echo "$output"
	[ "$status" -eq 0 ]
	# 300 generated devices and the 12 of tests/data/okta-devices.json.
	[[ $output == *"the intake received 312 device records (312 distinct devices)"* ]]
	[[ $output == *"devices per platform:"* ]]
	[[ $output == *"Windows"* ]]
	# Nothing left running.
	! pgrep -f "tests/fixtures/(okta|intake).py --url-file $ROOT" >/dev/null
}

# synopsis_options PAGE: the options of a page's SYNOPSIS, one a line:
# ".Op Fl qv" is -q and -v, ".Fl -since" is --since.
synopsis_options() {
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$1" | grep -oE 'Fl [^ ]+' | cut -c4- |
	while read -r o; do
		case $o in
		-*) echo "-$o" ;;
		*) echo "$o" | grep -o . | sed 's/^/-/' ;;
		esac
	done | sort -u
}

# page_variables PAGE: the variables its ENVIRONMENT section describes.
page_variables() {
	sed -n '/^\.Sh ENVIRONMENT/,/^\.Sh /p' "$1" | sed -n 's/^\.It Ev //p' |
		tr ' ' '\n' | grep -E '^[A-Za-z_][A-Za-z0-9_]*$' | grep -v '^Ev$' | sort -u
}

@test "--help prints every option of the page's synopsis and every variable, one a line, and names the page" {
	for p in okta-fetch okta2ocsf ocsf-push okta-ocsf-sync; do
		prog=$BUILD/$p/$p page=$ROOT/man/$p.1
		if [ "$p" = okta-ocsf-sync ]; then
			prog=$ROOT/contrib/okta-ocsf-sync page=$ROOT/contrib/okta-ocsf-sync.1
		fi
		for h in -h --help; do
			run --separate-stderr "$prog" "$h"
			[ "$status" -eq 0 ]
			[ -z "$stderr" ]
			[[ $output == *"See $p(1)."* ]] || { echo "$p $h: no 'See $p(1).'" >&2; return 1; }
		done
		for o in $(synopsis_options "$page"); do
			# The option alone, as a line of its own starts it.
			grep -Eq -- "^ *(-[a-zA-Z], )?$o([ ,=]|\$)" <<<"$output" ||
				{ echo "$p --help: no line for $o" >&2; return 1; }
		done
		for v in $(page_variables "$page"); do
			grep -q -- "$v" <<<"$output" ||
				{ echo "$p --help: no line for $v" >&2; return 1; }
		done
	done
}

@test "a usage error says what was wrong, then the synopsis, on stderr, and exits 64" {
	for p in okta-fetch okta2ocsf ocsf-push; do
		run --separate-stderr "$BUILD/$p/$p" --no-such-option
		[ "$status" -eq 64 ]
		[ -z "$output" ]
		[[ ${stderr_lines[0]} == *"no-such-option"* ]] ||
			{ echo "$p: the first line does not say what was wrong: ${stderr_lines[0]}" >&2; return 1; }
		[[ $stderr == *"usage: $p"* ]]
	done
}

# stats_keys FILE: the keys of a --stats object, in order.
stats_keys() {
	python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' "$1"
}

@test "--stats writes the suite's keys, in order, after a run and after a failure, and the pages list them" {
	local t=$BATS_TEST_TMPDIR
	declare -A want=(
		[okta-fetch]="devices pages retries seconds full vanished exit_status"
		[okta2ocsf]="devices records rejected seconds exit_status"
		[ocsf-push]="lines accepted batches retries rejected failed batches_confirmed batches_ingest_failed batches_unconfirmed lost seconds exit_status"
	)
	start_okta --generate 3
	start_intake --uuid "$UUID_STATS"
	# Runs that work.
	OKTA_API_TOKEN=test-token "$OKTA_FETCH" -q -u "$OKTA_URL" --stats "$t/f.json" >"$t/dev.ndjson"
	[ "$(stats_keys "$t/f.json")" = "${want[okta-fetch]}" ]
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["devices"], d["pages"], d["exit_status"]) == (3, 1, 0), d' "$t/f.json"
	printf '{"id":"a"}\nnot json\n' | "$OKTA2OCSF" -q --stats "$t/m.json" >"$t/rec.ndjson" 2>/dev/null || true
	[ "$(stats_keys "$t/m.json")" = "${want[okta2ocsf]}" ]
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["devices"], d["records"], d["rejected"], d["exit_status"]) == (2, 1, 1, 1), d' "$t/m.json"
	SEKOIA_API_KEY=test-key SEKOIA_CONNECTOR_UUID=$UUID_STATS SEKOIA_BASE_URL=$INTAKE_URL \
		"$OCSF_PUSH" -q --stats "$t/p.json" -f "$t/failed" <"$t/rec.ndjson"
	[ "$(stats_keys "$t/p.json")" = "${want[ocsf-push]}" ]
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["lines"], d["accepted"], d["failed"], d["exit_status"]) == (1, 1, 0, 0), d' "$t/p.json"
	# Runs that fail: the same keys, the status.
	run "$OKTA_FETCH" -q --stats "$t/f2.json"
	[ "$status" -eq 78 ]
	[ "$(stats_keys "$t/f2.json")" = "${want[okta-fetch]}" ]
	python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["exit_status"] == 78' "$t/f2.json"
	run "$OKTA2OCSF" -q --stats "$t/m2.json" "$t/no-such-file"
	[ "$status" -ne 0 ]
	[ "$(stats_keys "$t/m2.json")" = "${want[okta2ocsf]}" ]
	SEKOIA_API_KEY=wrong-key SEKOIA_CONNECTOR_UUID=$UUID_STATS SEKOIA_BASE_URL=$INTAKE_URL \
		run "$OCSF_PUSH" -q --stats "$t/p2.json" -f "$t/failed2" "$t/rec.ndjson"
	[ "$status" -eq 77 ]
	[ "$(stats_keys "$t/p2.json")" = "${want[ocsf-push]}" ]
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["failed"], d["exit_status"]) == (1, 77), d' "$t/p2.json"
	# Each page has --stats and names every key.
	for p in okta-fetch okta2ocsf ocsf-push; do
		grep -q '^\.It Fl -stats' "$ROOT/man/$p.1" ||
			{ echo "man/$p.1: no --stats entry" >&2; return 1; }
		text=$(MANWIDTH=200 man -l "$ROOT/man/$p.1" 2>/dev/null)
		for k in ${want[$p]}; do
			grep -qw -- "$k" <<<"$text" ||
				{ echo "man/$p.1 does not name the --stats key $k" >&2; return 1; }
		done
	done
}

@test "the license: LICENSE is ISC, debian/copyright says so in DEP-5 form with the same text, NEWS.md has this version" {
	python3 - "$ROOT" <<'PY'
import re, sys
root = sys.argv[1]
lic = open(root + "/LICENSE", encoding="utf-8").read()
assert lic.startswith("ISC License\n"), "LICENSE is not the ISC license"
assert re.search(r"^Copyright \(c\) 2026 the okta-ocsf authors$", lic, re.M), "LICENSE: no copyright line"
# The license's text: its paragraphs after the copyright line.
body = lic.split("authors\n", 1)[1].strip().split("\n\n")
assert body[0].startswith("Permission to use, copy, modify, and/or distribute"), body[0]

text = open(root + "/debian/copyright", encoding="utf-8").read()
paras = [p for p in text.split("\n\n") if p.strip()]
def fields(p):
    d, key = {}, None
    for line in p.strip("\n").split("\n"):
        if line.startswith((" ", "\t")):
            assert key, "a continuation line before any field: %r" % line
            d[key].append(line[1:])
        else:
            key, _, v = line.partition(":")
            assert _ and re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", key), "not a field: %r" % line
            d[key] = [v.strip()]
    return d
ps = [fields(p) for p in paras]
assert ps[0]["Format"] == ["https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"], ps[0]
assert ps[0]["Upstream-Name"] == ["okta-ocsf"]
files = [p for p in ps[1:] if "Files" in p]
assert files and files[0]["Files"] == ["*"], "no Files: * paragraph"
for p in files:
    assert p["License"][0] == "ISC" and "Copyright" in p, p
alone = [p for p in ps[1:] if "Files" not in p and "License" in p]
assert [p["License"][0] for p in alone] == ["ISC"], "no stand-alone License: ISC paragraph"
full = "\n".join(alone[0]["License"][1:])
deb = [q.replace("\n", " ") for q in full.split("\n.\n")]
assert deb == [q.replace("\n", " ") for q in body], "debian/copyright's text is not LICENSE's"

ver = re.search(r"^VERSION = (\S+)$", open(root + "/Makefile").read(), re.M).group(1)
news = open(root + "/NEWS.md", encoding="utf-8").read()
assert re.search(r"^## %s( |$)" % re.escape(ver), news, re.M), "NEWS.md: no section for " + ver
PY
	# The package ships NEWS.md beside the README, and the copyright.
	grep -qx NEWS.md "$ROOT/debian/okta-ocsf.docs"
}
