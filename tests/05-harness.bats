#!/usr/bin/env bats
# tests/run-all itself: a crash, a missing plan, a short run, a non-zero
# exit and a skip must each show in its last line and its exit status.
# The fakes are small shell scripts speaking TAP as the unit binaries do.
load helper

setup() {
	F=$BATS_TEST_TMPDIR
}

# fake NAME BODY: an executable unit "binary" running BODY.
fake() {
	printf '#!/bin/sh\n%s\n' "$2" >"$F/$1"
	chmod +x "$F/$1"
}

# clean CMD...: run CMD in a clean environment, so that a bats inside it
# starts afresh (bats exports its own variables and puts its libexec
# first in PATH).
clean() {
	local path=:$PATH:
	while [[ $path == *:*bats-core*:* ]]; do
		path=$(sed 's/:[^:]*bats-core[^:]*:/:/' <<<"$path")
	done
	path=${path#:}
	run env -i PATH="${path%:}" HOME="$HOME" TMPDIR="${TMPDIR:-/tmp}" "$@"
	echo "$output"
}

# harness [VAR=VALUE...]: run-all on the fakes, no BATS files unless set.
harness() {
	clean BATS_FILES=none "$@" sh "$ROOT/tests/run-all"
}

@test "harness: good unit binaries pass, and each is counted" {
	fake a 'echo "ok 1 - one"; echo "ok 2 - two"; echo "1..2"'
	fake b 'echo "1..1"; echo "ok 1 - three"'
	harness UNIT_TESTS="$F/a $F/b"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "3 passed, 0 failed, 0 skipped" ]
}

@test "harness: a unit binary that aborts after some ok lines fails" {
	# The plan comes last, as in test-common: the abort loses it.
	fake crash 'echo "ok 1 - one"; echo "ok 2 - two"; kill -ABRT $$'
	harness UNIT_TESTS="$F/crash"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "2 passed, 2 failed, 0 skipped" ]
	[[ $output == *"crash: no TAP plan"* ]]
	[[ $output == *"crash: killed by signal 6"* ]]
}

@test "harness: a crash after a plan counts the tests that did not run" {
	fake short 'echo "1..5"; echo "ok 1 - one"; echo "ok 2 - two"; kill -SEGV $$'
	harness UNIT_TESTS="$F/short"
	[ "$status" -ne 0 ]
	# 3 never ran, and the signal itself.
	[ "${lines[-1]}" = "2 passed, 4 failed, 0 skipped" ]
	[[ $output == *"short: planned 5 tests, ran 2"* ]]
}

@test "harness: a unit binary with no plan that exits 0 fails" {
	fake noplan 'echo "ok 1 - one"; echo "ok 2 - two"'
	harness UNIT_TESTS="$F/noplan"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "2 passed, 1 failed, 0 skipped" ]
}

@test "harness: all ok, but the binary exits 1: a failure" {
	fake exit1 'echo "ok 1 - one"; echo "1..1"; exit 1'
	harness UNIT_TESTS="$F/exit1"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
	[[ $output == *"exit1: exit status 1"* ]]
}

@test "harness: not ok with exit 1 is one failure, not two" {
	fake fail 'echo "ok 1 - one"; echo "not ok 2 - two"; echo "1..2"; exit 1'
	harness UNIT_TESTS="$F/fail"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
}

@test "harness: more tests than planned fails" {
	fake over 'echo "1..1"; echo "ok 1 - one"; echo "ok 2 - two"'
	harness UNIT_TESTS="$F/over"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "2 passed, 1 failed, 0 skipped" ]
}

@test "harness: a skip is not a pass, and is listed by name" {
	printf '%s\n' '@test "runs" { true; }' \
	    '@test "validator missing" { skip "no validator"; }' \
	    >"$F/skip.bats"
	fake a 'echo "1..2"; echo "ok 1 - one"; echo "ok 2 - optional # SKIP no tool"'
	harness UNIT_TESTS="$F/a" BATS_FILES="$F/skip.bats"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "2 passed, 0 failed, 2 skipped" ]
	[[ $output == *"# skipped:"* ]]
	[[ $output == *"bats: validator missing # skip no validator"* ]]
	[[ $output == *"a: optional # SKIP no tool"* ]]
}

@test "harness: checks skipped inside passing tests are listed once each" {
	printf '%s\n' '@test "a" { echo "# validator not found: schema check skipped" >&3; }' \
	    '@test "b" { echo "# validator not found: schema check skipped" >&3; }' \
	    >"$F/note.bats"
	harness UNIT_TESTS=none BATS_FILES="$F/note.bats"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "2 passed, 0 failed, 0 skipped" ]
	[[ $output == *"# checks skipped inside passing tests:"* ]]
	[[ $output == *"#   validator not found: schema check skipped (2 times)"* ]]
}

@test "harness: only skips is not a pass" {
	printf '%s\n' '@test "validator missing" { skip "no validator"; }' \
	    >"$F/skip.bats"
	harness UNIT_TESTS=none BATS_FILES="$F/skip.bats"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "0 passed, 0 failed, 1 skipped" ]
}

@test "harness: a failing BATS test fails the run" {
	printf '%s\n' '@test "good" { true; }' \
	    '@test "bad" { false; }' \
	    >"$F/fail.bats"
	harness UNIT_TESTS=none BATS_FILES="$F/fail.bats"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
}

@test "harness: every executable tests/unit/test-* in BUILD runs" {
	mkdir -p "$F/b/tests/unit"
	printf '#!/bin/sh\necho "1..1"; echo "ok 1 - from a"\n' \
	    >"$F/b/tests/unit/test-a"
	printf '#!/bin/sh\necho "1..1"; echo "ok 1 - from b"\n' \
	    >"$F/b/tests/unit/test-b"
	printf 'not C\n' >"$F/b/tests/unit/test-a.c"
	printf '#!/bin/sh\necho "not ok 1 - not executable"\n' \
	    >"$F/b/tests/unit/test-c"
	chmod +x "$F/b/tests/unit/test-a" "$F/b/tests/unit/test-b" \
	    "$F/b/tests/unit/test-a.c"
	harness BUILD="$F/b"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "2 passed, 0 failed, 0 skipped" ]
	[[ $output == *"from a"* ]]
	[[ $output == *"from b"* ]]
}

@test "harness: no unit binary at all is a failure" {
	mkdir -p "$F/empty/tests/unit"
	harness BUILD="$F/empty"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "0 passed, 1 failed, 0 skipped" ]
}

@test "harness: BATS runs as many files at once as there are cores" {
	command -v parallel >/dev/null || skip "GNU parallel absent: BATS runs serially"
	mkdir "$F/bin"
	# A stand-in bats that reports how it was called.
	printf '#!/bin/sh\necho "1..1"; echo "ok 1 - args: $*"\n' >"$F/bin/bats"
	chmod +x "$F/bin/bats"
	harness UNIT_TESTS=none BATS_FILES=x.bats PATH="$F/bin:$PATH"
	[ "$status" -eq 0 ]
	[[ $output == *"args: --tap --jobs $(nproc) --no-parallelize-within-files x.bats"* ]]
	harness UNIT_TESTS=none BATS_FILES=x.bats BATS_JOBS=1 PATH="$F/bin:$PATH"
	[[ $output == *"args: --tap --jobs 1 "* ]]
}

@test "harness: bats dying without a plan fails the run" {
	mkdir "$F/bin"
	printf '#!/bin/sh\necho "ok 1 - half"; exit 1\n' >"$F/bin/bats"
	chmod +x "$F/bin/bats"
	harness UNIT_TESTS=none BATS_FILES=x.bats PATH="$F/bin:$PATH"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "1 passed, 2 failed, 0 skipped" ]
}

# mutant FILE ORIGINAL REPLACEMENT TESTS NAME: a mutant file in $F.
mutant() {
	printf '# a test mutant\nfile: %s\ntests: %s\noriginal:\n%s\nreplacement:\n%s\n' \
	    "$1" "$4" "$2" "$3" >"$F/$5"
}

@test "mutants: one whose original text is gone fails loudly" {
	mutant common/num.c 'no such line in num.c' 'x' "$F/none.bats" 99-gone
	clean sh "$ROOT/tests/mutants/run" "$F/99-gone"
	[ "$status" -ne 0 ]
	[[ $output == *"99-gone: DOES NOT APPLY to common/num.c"* ]]
}

@test "mutants: one the tests do not kill fails the run; one they kill passes" {
	[ -x "$ROOT/okta2ocsf/okta2ocsf" ] || skip "make first"
	printf '%s\n' '@test "always" { true; }' >"$F/weak.bats"
	printf '%s\n' 'load "'"$ROOT"'/tests/helper"' \
	    '@test "okta2ocsf maps a device" { echo "{\"id\":\"a\"}" | "$OKTA2OCSF" -t 1; }' \
	    >"$F/strong.bats"
	# A comment changed: no test can tell.
	mutant okta2ocsf/okta2ocsf.c \
	    "$(sed -n 2p "$ROOT/okta2ocsf/okta2ocsf.c")" ' * changed' \
	    "$F/weak.bats" 98-harness-survivor
	clean sh "$ROOT/tests/mutants/run" "$F/98-harness-survivor"
	[ "$status" -ne 0 ]
	[[ $output == *"98-harness-survivor: SURVIVED"* ]]
	# okta2ocsf exits 3 after its options: the mapping test fails.
	mutant okta2ocsf/okta2ocsf.c "$(printf '\targc -= optind;')" \
	    "$(printf '\texit(3);')" \
	    "$F/strong.bats" 97-harness-killed
	clean sh "$ROOT/tests/mutants/run" "$F/97-harness-killed"
	[ "$status" -eq 0 ]
	[[ $output == *"97-harness-killed: killed in"* ]]
	rm -rf "$ROOT/build/mutants/98-harness-survivor"
}

@test "harness: a file a test leaves in the work tree is a failure, named" {
	git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
		skip "not a git work tree: run-all cannot tell a stray file"
	local stray=stray-harness-$$-$RANDOM.url
	fake litter "echo 'ok 1 - one'; echo '1..1'; echo x >'$ROOT/$stray'"
	harness UNIT_TESTS="$F/litter"
	rm -f "$ROOT/$stray"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
	[[ $output == *"left in the tree by a test: $stray"* ]]
	# A clean run passes.
	fake tidy "echo 'ok 1 - one'; echo '1..1'"
	harness UNIT_TESTS="$F/tidy"
	[ "$status" -eq 0 ]
}
