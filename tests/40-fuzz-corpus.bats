#!/usr/bin/env bats
# The fuzz corpus (seeds and every finding ever made) replayed through the
# fuzz targets: none may crash, and none may abort, which is how each
# target says one of its properties failed (see the comment at the top of
# tests/fuzz/fuzz-*.c).  Under make check-sanitize BUILD is build/sanitize
# and the replays are built with ASan and UBSan, so a memory error or
# undefined behaviour fails here too.  A failure names the input.
load helper

replay() {
	local t=$1 bin=$BUILD/tests/fuzz/replay-$1
	[ -x "$bin" ] || { echo "$bin not built (make check builds it)"; false; }
	run "$bin" "$ROOT"/tests/fuzz/corpus/"$t"/*
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"inputs replayed"* ]]
}

@test "fuzz corpus: okta2ocsf line mapping, records valid class 5001" { replay map; }
@test "fuzz corpus: Link header parser, links verbatim URI references" { replay link; }
@test "fuzz corpus: ISO 8601 parser round trip" { replay iso8601; }
@test "fuzz corpus: JSON tokenizer, against json-c both ways" { replay jscan; }
@test "fuzz corpus: rate-limit and Retry-After headers, against a reference" { replay headers; }
@test "fuzz corpus: ocsf-push line check, the SPEC's class_uid rule" { replay pushline; }

@test "fuzz corpus: a replay fails, naming the input, when a target aborts" {
	local bin=$BUILD/tests/fuzz/replay-pushline
	[ -x "$bin" ] || { echo "$bin not built"; false; }
	# Not a file: the replay says so and fails, it never passes quietly.
	run "$bin" "$BATS_TEST_TMPDIR/missing"
	[ "$status" -ne 0 ]
	[[ $output == *missing* ]]
}
