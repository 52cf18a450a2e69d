#!/usr/bin/env bats
# The fuzz corpus (seeds and every crash ever found) replayed through the
# fuzz targets built with the ordinary compiler: none may crash or abort.
load helper

replay() {
	local t=$1
	run "$BUILD/tests/fuzz/replay-$t" "$ROOT"/tests/fuzz/corpus/"$t"/*
	[ "$status" -eq 0 ]
	[[ $output == *"inputs replayed"* ]]
}

@test "fuzz corpus: okta2ocsf line mapping" { replay map; }
@test "fuzz corpus: Link header parser" { replay link; }
@test "fuzz corpus: ISO 8601 parser round trip" { replay iso8601; }
@test "fuzz corpus: JSON tokenizer, against json-c" { replay jscan; }
@test "fuzz corpus: rate-limit and Retry-After headers" { replay headers; }
@test "fuzz corpus: ocsf-push line check" { replay pushline; }
