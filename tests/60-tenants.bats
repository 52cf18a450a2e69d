#!/usr/bin/env bats
# Many tenants at once: okta-ocsf-sync under GNU parallel, one Okta org,
# one state file and one connector per tenant, one intake for all.
load helper

SYNC=$ROOT/contrib/okta-ocsf-sync
N=10
BAD=7	# this tenant's Okta refuses its token

uuid_of() { printf '7e1a%04d-0000-4000-8000-00000000%04d' "$1" "$1"; }

setup() {
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	export OKTA_FETCH OKTA2OCSF OCSF_PUSH
	local t intake_args=() url
	for t in $(seq 0 $((N - 1))); do
		start_server "OKTA$t" okta.py --generate $((20 + t)) --seed "$((t + 1))" \
			--token "okta-tok-$t"
		intake_args+=(--uuid "$(uuid_of "$t")" --key-for "$(uuid_of "$t")=sek-key-$t")
	done
	REC=$BATS_TEST_TMPDIR/rec
	start_intake --key nobody "${intake_args[@]}" --record "$REC"
	for t in $(seq 0 $((N - 1))); do
		url=OKTA${t}_URL
		token=okta-tok-$t
		[ "$t" -eq "$BAD" ] && token=revoked-token
		cat >"$BATS_TEST_TMPDIR/tenant$t.env" <<-EOF
			OKTA_BASE_URL=${!url}
			OKTA_API_TOKEN=$token
			SEKOIA_BASE_URL=$INTAKE_URL
			SEKOIA_API_KEY=sek-key-$t
			SEKOIA_CONNECTOR_UUID=$(uuid_of "$t")
			OKTA_OCSF_STATE_DIR=$BATS_TEST_TMPDIR/state
					EOF
	done
}

@test "10 tenants under GNU parallel: each gets its own devices once; a 401 fails alone" {
	run parallel --joblog "$BATS_TEST_TMPDIR/jobs.log" -j "$N" "$SYNC" {} \
		::: "$BATS_TEST_TMPDIR"/tenant*.env
	# parallel exits with the number of failed jobs.
	[ "$status" -eq 1 ]
	for t in $(seq 0 $((N - 1))); do
		# parallel's job log: Seq Host Starttime JobRuntime Send Receive Exitval Signal Command
		exitval=$(awk -v f="tenant$t.env" '$0 ~ f"$" {print $7}' "$BATS_TEST_TMPDIR/jobs.log")
		rec=$REC/$(uuid_of "$t").ndjson
		if [ "$t" -eq "$BAD" ]; then
			[ "$exitval" -eq 77 ]
			[ ! -s "$rec" ]
			[ ! -e "$BATS_TEST_TMPDIR/state/tenant$t.mark" ]
			continue
		fi
		[ "$exitval" -eq 0 ]
		# What the tenant's org lists is what its connector received, once.
		url=OKTA${t}_URL
		OKTA_API_TOKEN=okta-tok-$t "$OKTA_FETCH" -q -u "${!url}" |
			python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in sys.stdin]' |
			sort >"$BATS_TEST_TMPDIR/want$t"
		python3 -c 'import json,sys; [print(json.loads(l)["device"]["uid"]) for l in open(sys.argv[1])]' \
			"$rec" | sort >"$BATS_TEST_TMPDIR/got$t"
		[ "$(count_lines "$BATS_TEST_TMPDIR/want$t")" -eq $((20 + t)) ]
		diff "$BATS_TEST_TMPDIR/want$t" "$BATS_TEST_TMPDIR/got$t"
		[ -s "$BATS_TEST_TMPDIR/state/tenant$t.mark" ]
	done
}
