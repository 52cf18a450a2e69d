#!/usr/bin/env bats
# make install into a DESTDIR, the manual pages, and make demo.
load helper

@test "make install DESTDIR=... installs the programs, four pages and the wrapper" {
	d=$BATS_TEST_TMPDIR/dest
	run make -C "$ROOT" -s install DESTDIR="$d" PREFIX=/opt/oo
	[ "$status" -eq 0 ]
	for p in okta-fetch okta2ocsf ocsf-push; do
		[ -x "$d/opt/oo/bin/$p" ]
		run "$d/opt/oo/bin/$p" -V
		[ "$status" -eq 0 ]
		[[ $output == "$p "* ]]
	done
	for m in man1/okta-fetch.1 man1/okta2ocsf.1 man1/ocsf-push.1 man7/okta-ocsf.7; do
		[ -f "$d/opt/oo/share/man/$m" ]
	done
	[ -x "$d/opt/oo/share/okta-ocsf/okta-ocsf-sync" ]
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
