#!/usr/bin/env bats
# 25-oauth.bats: okta-fetch signing in as an Okta API service app (SPEC.md
# "OAuth service app"; reference/okta-oauth.md) against the Okta stand-in
# with its token endpoint (tests/fixtures/oauth.py), which checks the
# assertion and every DPoP proof as Okta does and logs what it issued and
# received (--oauth-log), so that the output can be searched for secrets.
# shellcheck disable=SC2154  # status, output, stderr: set by run
load helper

unset OKTA_CLIENT_ID OKTA_CLIENT_CLIENTID OKTA_PRIVATE_KEY OKTA_PRIVATE_KEY_FILE \
	OKTA_CLIENT_PRIVATEKEY OKTA_CLIENT_PRIVATEKEY_FILE OKTA_KEY_ID OKTA_CLIENT_KID \
	OKTA_SCOPES OKTA_CLIENT_SCOPES OKTA_API_TOKEN_FILE OKTA_ACCESS_TOKEN_FILE

KEYS=$BATS_TEST_DIRNAME/data/keys
CLIENT=0oa1svcAPPtest5d7
OKTA_LOG=$BATS_TEST_TMPDIR/requests.log
OAUTH_LOG=$BATS_TEST_TMPDIR/oauth.log
EXPECTED=$BATS_FILE_TMPDIR/expected.ndjson
N=450	# three pages of 200

setup_file() {
	# The devices of --generate N, as an API token lists them.
	start_server PLAIN okta.py --generate "$N" || return 1
	OKTA_BASE_URL=$PLAIN_URL OKTA_API_TOKEN=test-token \
		"$OKTA_FETCH" -q >"$EXPECTED" || { stop_servers; return 1; }
	stop_servers
	[ "$(wc -l <"$EXPECTED")" -eq "$N" ]
}

# okta_app ARGS...: the stand-in with OAuth on (client $CLIENT), N devices.
okta_app() {
	start_okta --generate "$N" --log "$OKTA_LOG" --oauth-client-id "$CLIENT" \
		--oauth-log "$OAUTH_LOG" "$@"
	export OKTA_BASE_URL=$OKTA_URL OKTA_CLIENT_ID=$CLIENT
}

fetch() { run --separate-stderr timeout 120 "$OKTA_FETCH" "$@"; }

flunk() {
	{
		printf '%s\n' "$@"
		printf -- '--- exit status: %s\n--- stderr:\n%s\n' "$status" "$stderr"
		printf -- '--- oauth log (refusals):\n'
		grep '"refused"' "$OAUTH_LOG" 2>/dev/null | cut -c1-300
	} >&2
	return 1
}

expect_status() { [ "$status" -eq "$1" ] || flunk "exit status $status, expected $1"; }

expect_all_devices() {
	[ "$output" = "$(cat "$EXPECTED")" ] ||
		flunk "stdout is not the $N devices ($(printf '%s\n' "$output" | grep -c .) lines)"
}

expect_stderr() {
	[[ $stderr == *"$1"* ]] || flunk "stderr lacks: $1"
}

# count EVENT [FIELD=VALUE]: lines of the OAuth log with that event.
count() {
	python3 - "$OAUTH_LOG" "$@" <<-'EOF'
		import json, sys
		n = 0
		for line in open(sys.argv[1]):
		    r = json.loads(line)
		    if r.get("event") != sys.argv[2]:
		        continue
		    if all(str(r.get(k)) == v for k, v in (a.split("=", 1) for a in sys.argv[3:])):
		        n += 1
		print(n)
	EOF
}

# api_statuses: the statuses of the API requests, in order, one line.
api_statuses() {
	python3 - "$OKTA_LOG" <<-'EOF'
		import json, sys
		print(" ".join(str(r["status"]) for r in map(json.loads, open(sys.argv[1]))
		               if r["path"] == "/api/v1/devices"))
	EOF
}

# no_secrets FILE...: no assertion, proof, token or nonce the stand-in saw
# or issued, nor the signature part of a JWT, nor the key, in the FILEs.
no_secrets() {
	python3 - "$OAUTH_LOG" "$@" <<-'EOF'
		import json, sys
		secrets = set()
		for r in map(json.loads, open(sys.argv[1])):
		    for k in ("jwt", "token", "nonce"):
		        v = r.get(k)
		        if isinstance(v, str) and v:
		            secrets.add(v)
		            if k == "jwt":
		                secrets.update(p for p in v.split(".") if len(p) > 20)
		for f in sys.argv[2:]:
		    if f.startswith("key:"):
		        for line in open(f[4:]):
		            if len(line.strip()) > 20 and not line.startswith("-----"):
		                secrets.add(line.strip())
		        continue
		    text = open(f, errors="replace").read()
		    for s in secrets:
		        if s in text:
		            sys.exit(f"{f} holds a secret: {s[:12]}...")
		kinds = sum(1 for s in secrets if s.startswith("tok-"))
		print(f"{len(secrets)} secrets ({kinds} tokens) searched for")
		if kinds == 0:
		    sys.exit("no token was issued: nothing searched")
	EOF
}

# ---- every key format, DPoP on and off --------------------------------------

# format_case FILE ALG [KID]: the listing with the key in FILE (registered
# with KID, a JWK's own), DPoP on then off.
format_case() {
	local file=$1 alg=$2 reg=$KEYS/$1 mode

	[ -z "${3:-}" ] || reg=$3=$KEYS/$1
	for mode in required off; do
		stop_servers
		rm -f "$OKTA_LOG" "$OAUTH_LOG"
		okta_app --oauth-key "$reg" --oauth-dpop "$mode"
		OKTA_PRIVATE_KEY_FILE=$KEYS/$file fetch -v
		expect_status 0
		expect_all_devices
		[ "$(api_statuses)" = "200 200 200" ] || flunk "API answers: $(api_statuses)"
		if [ "$mode" = required ]; then
			[ "$(count token type=DPoP)" -eq 1 ] || flunk "not one DPoP token"
			grep -q '"auth_scheme":"DPoP"' "$OKTA_LOG" || flunk "not sent as DPoP"
		else
			[ "$(count token type=Bearer)" -eq 1 ] || flunk "not one Bearer token"
			! grep -q '"auth_scheme":"DPoP"' "$OKTA_LOG" || flunk "a Bearer token sent as DPoP"
		fi
		# The alg of the assertion is the key's.
		python3 - "$OAUTH_LOG" "$alg" <<-'EOF' || flunk "assertion alg"
			import base64, json, sys
			for r in map(json.loads, open(sys.argv[1])):
			    if r["event"] == "assertion":
			        h = json.loads(base64.urlsafe_b64decode(r["jwt"].split(".")[0] + "=="))
			        assert h["alg"] == sys.argv[2], h
		EOF
	done
}

@test "service app: PKCS#1 RSA PEM key (RS256), DPoP on and off" {
	format_case rsa-pkcs1.pem RS256
}

@test "service app: PKCS#8 RSA PEM key, as Okta's console downloads it" {
	format_case rsa-pkcs8.pem RS256
}

@test "service app: SEC1 EC P-256 PEM key (ES256)" {
	format_case ec256-sec1.pem ES256
}

@test "service app: PKCS#8 EC P-256 PEM key" {
	format_case ec256-pkcs8.pem ES256
}

@test "service app: SEC1 and PKCS#8 EC P-384 PEM keys (ES384)" {
	format_case ec384-sec1.pem ES384
	format_case ec384-pkcs8.pem ES384
}

@test "service app: private RSA JWK, as Okta's Admin Console generates it" {
	format_case rsa.jwk RS256 jwk-rsa-kid
}

@test "service app: private EC JWKs on P-256 and P-384" {
	format_case ec256.jwk ES256 jwk-ec256-kid
	format_case ec384.jwk ES384 jwk-ec384-kid
}

@test "service app: the key in the variable itself, and the SDKs' spellings" {
	okta_app --oauth-key "jwk-ec256-kid=$KEYS/ec256.jwk"
	unset OKTA_CLIENT_ID
	run --separate-stderr env OKTA_CLIENT_CLIENTID="$CLIENT" \
		OKTA_CLIENT_PRIVATEKEY="$(cat "$KEYS/ec256-sec1.pem")" "$OKTA_FETCH" -q
	expect_status 0
	expect_all_devices
	[ -z "$stderr" ] || flunk "-q: stderr should be empty"
}

# ---- kid ---------------------------------------------------------------------

@test "kid: two keys registered, OKTA_KEY_ID picks one; without it Okta refuses" {
	okta_app --oauth-key "rsa-one=$KEYS/rsa-pkcs8.pem" --oauth-key "ec-two=$KEYS/ec256-pkcs8.pem"
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-sec1.pem OKTA_KEY_ID=ec-two fetch -q
	expect_status 0
	expect_all_devices
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-sec1.pem OKTA_CLIENT_KID=ec-two fetch -q
	expect_status 0
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-sec1.pem fetch -q
	expect_status 77
	expect_stderr "invalid_client"
	expect_stderr "kid is invalid"
	expect_stderr "OKTA_KEY_ID"
	[ -z "$output" ] || flunk "stdout should be empty"
}

@test "kid: a JWK's own kid is sent; OKTA_KEY_ID overrides it" {
	okta_app --oauth-key "other=$KEYS/rsa-pkcs8.pem" --oauth-key "jwk-ec256-kid=$KEYS/ec256-pkcs8.pem"
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256.jwk fetch -q
	expect_status 0
	expect_all_devices
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256.jwk OKTA_KEY_ID=other fetch -q
	expect_status 77
	expect_stderr "signature is invalid"
	expect_stderr "with kid other"
}

# ---- renewal -----------------------------------------------------------------

@test "renewal: tokens that live 6 s, a listing of 12 slow pages: minted again before they lapse" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --oauth-token-life 6 --latency 700
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -v -l 40
	expect_status 0
	expect_all_devices
	tokens=$(count token)
	[ "$tokens" -ge 2 ] || flunk "$tokens token(s) for a listing longer than their life"
	[[ $(api_statuses) != *401* ]] || flunk "a lapsed token was sent: $(api_statuses)"
}

@test "renewal: a token revoked mid-listing (401 invalid_token): a new one, once" {
	okta_app --oauth-key "$KEYS/rsa-pkcs8.pem" --oauth-fault revoke@2
	OKTA_PRIVATE_KEY_FILE=$KEYS/rsa-pkcs8.pem fetch
	expect_status 0
	expect_all_devices
	[ "$(count token)" -eq 2 ] || flunk "$(count token) tokens, expected 2"
	[ "$(api_statuses)" = "200 401 200 200" ] || flunk "API answers: $(api_statuses)"
	expect_stderr "invalid_token: the access token was refused; minting a new one"
}

@test "renewal: refused again right after a new token: exit 77, no loop" {
	okta_app --oauth-key "$KEYS/rsa-pkcs8.pem" --oauth-fault revoke@2 --oauth-fault revoke@3
	OKTA_PRIVATE_KEY_FILE=$KEYS/rsa-pkcs8.pem fetch -q
	expect_status 77
	expect_stderr "a new one too"
	[ "$(count token)" -eq 2 ] || flunk "$(count token) tokens, expected 2"
	[ "$(printf '%s\n' "$output" | grep -c .)" -eq 200 ] || flunk "page 1 should stay printed"
}

# ---- nonces ------------------------------------------------------------------

@test "nonce: the token endpoint's and the API's challenges answered once each" {
	okta_app --oauth-key "$KEYS/ec384-pkcs8.pem" --oauth-nonce --oauth-api-nonce
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec384-pkcs8.pem fetch -q
	expect_status 0
	expect_all_devices
	[ "$(count nonce where=token)" -eq 1 ] || flunk "token nonce challenges: $(count nonce where=token)"
	[ "$(count nonce where=api)" -eq 1 ] || flunk "API nonce challenges: $(count nonce where=api)"
	[ "$(count assertion)" -eq 2 ] || flunk "a new assertion after the challenge expected"
	[ "$(api_statuses)" = "401 200 200 200" ] || flunk "API answers: $(api_statuses)"
}

# ---- what Okta refuses, and what the message says to fix -------------------

@test "wrong key: 77, invalid_client, naming the client id, the key and the clock" {
	okta_app --oauth-key "$KEYS/rsa2-pkcs8.pem"
	OKTA_PRIVATE_KEY_FILE=$KEYS/rsa-pkcs8.pem fetch
	expect_status 77
	expect_stderr "HTTP 401 invalid_client: The client_assertion signature is invalid"
	expect_stderr "$CLIENT"
	expect_stderr "OKTA_PRIVATE_KEY"
	expect_stderr "clock"
	[ "$(count assertion)" -eq 1 ] || flunk "a refused assertion is not retried"
	[ ! -s "$OKTA_LOG" ] || ! grep -q /api/v1/devices "$OKTA_LOG" || flunk "no API call without a token"
}

@test "wrong client id: 77, invalid_client" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem"
	OKTA_CLIENT_ID=0oaNOTtheAPP OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -q
	expect_status 77
	expect_stderr "invalid iss or sub"
	expect_stderr "0oaNOTtheAPP"
}

@test "missing scope: 77, invalid_scope, grant okta.devices.read on the Okta API Scopes tab" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --oauth-granted okta.users.read
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -q
	expect_status 77
	expect_stderr "invalid_scope"
	expect_stderr "grant okta.devices.read to the app on its Okta API Scopes tab"
}

@test "OKTA_SCOPES: sent as asked, space or comma separated" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --oauth-granted "okta.devices.read okta.users.read"
	OKTA_SCOPES=okta.devices.read,okta.users.read OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem \
		fetch --check
	expect_status 0
	expect_stderr "scopes okta.devices.read okta.users.read"
}

@test "no admin role: 403 on the devices: 77, assign Read-only Administrator" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --oauth-no-role
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -q
	expect_status 77
	expect_stderr "HTTP 403"
	expect_stderr "Read-only Administrator"
}

@test "DPoP proof refused by the API with a 400 (as Okta may): 77, Okta's claim named, not 'untick DPoP'" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --oauth-fault badproof@2
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -q
	expect_status 77
	expect_stderr "HTTP 400 invalid_dpop_proof: The DPoP proof 'htu' claim is invalid"
	expect_stderr "is not the fix"
	[ "$(printf '%s\n' "$output" | grep -c .)" -eq 200 ] || flunk "page 1 should stay printed"
}

@test "token endpoint: 500 and 429 are retried, one token in the end" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --oauth-fault t500@1 --oauth-fault t429@2
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch --max-wait 5
	expect_status 0
	expect_all_devices
	expect_stderr "token request: HTTP 500"
	expect_stderr "token request: HTTP 429"
	[ "$(count assertion)" -eq 3 ] || flunk "three assertions, each new, expected"
}

@test "token endpoint: 500 until the retries run out: 75" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --oauth-fault t500@1 --oauth-fault t500@2
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -q --max-retries 1
	expect_status 75
	expect_stderr "giving up"
}

@test "--check: mints a token and says its type and scopes, then lists one device" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem"
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch --check
	expect_status 0
	[ -z "$output" ] || flunk "--check prints nothing on stdout"
	expect_stderr "signed in as service app $CLIENT: a DPoP token, scopes okta.devices.read, valid 3600 s"
	expect_stderr "ok: 127.0.0.1 answered"
	[ "${stderr%%ok: 127*}" != "$stderr" ] || flunk "order"
	grep -q '"limit":"1"' "$OKTA_LOG" || flunk "the listing request has limit=1"
	stop_servers
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --oauth-dpop off
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch --check
	expect_status 0
	expect_stderr "a Bearer token"
}

@test "--check: a refused sign-in is a failed check, exit 77" {
	okta_app --oauth-key "$KEYS/rsa2-pkcs8.pem"
	OKTA_PRIVATE_KEY_FILE=$KEYS/rsa-pkcs8.pem fetch --check
	expect_status 77
	expect_stderr "check failed: token request: HTTP 401 invalid_client"
}

# ---- configuration -----------------------------------------------------------

@test "linking: okta-fetch alone links libcrypto; okta2ocsf neither it, libcurl nor json-c" {
	command -v ldd >/dev/null || skip "no ldd"
	# The binaries themselves: under valgrind $OKTA_FETCH is a wrapper.
	ldd "$BUILD/okta-fetch/okta-fetch" | grep -q libcrypto || flunk "okta-fetch does not link libcrypto"
	! ldd "$BUILD/okta2ocsf/okta2ocsf" | grep -E 'libcrypto|libcurl|libjson' || flunk "okta2ocsf links them"
}

@test "two kinds of credentials: 78, naming both" {
	export OKTA_BASE_URL=http://127.0.0.1:9
	OKTA_API_TOKEN=t OKTA_CLIENT_ID=$CLIENT OKTA_PRIVATE_KEY_FILE=$KEYS/rsa.jwk fetch -q
	expect_status 78
	expect_stderr "OKTA_API_TOKEN and OKTA_CLIENT_ID"
	expect_stderr "keep one"
	OKTA_ACCESS_TOKEN=t OKTA_CLIENT_PRIVATEKEY_FILE=$KEYS/rsa.jwk fetch -q
	expect_status 78
	expect_stderr "OKTA_ACCESS_TOKEN and OKTA_CLIENT_PRIVATEKEY"
	OKTA_CLIENT_TOKEN=t OKTA_ACCESS_TOKEN=t OKTA_CLIENT_CLIENTID=x fetch -q
	expect_status 78
	expect_stderr "3 kinds of credentials are set (OKTA_CLIENT_TOKEN and OKTA_ACCESS_TOKEN and OKTA_CLIENT_CLIENTID)"
}

@test "half a service app: a client id without a key, a key without a client id: 78" {
	export OKTA_BASE_URL=http://127.0.0.1:9
	OKTA_CLIENT_ID=$CLIENT fetch -q
	expect_status 78
	expect_stderr "no private key"
	OKTA_PRIVATE_KEY_FILE=$KEYS/rsa.jwk fetch -q
	expect_status 78
	expect_stderr "no client id"
	OKTA_CLIENT_ID=$CLIENT OKTA_PRIVATE_KEY_FILE=$BATS_TEST_TMPDIR/nope fetch -q
	expect_status 78
	expect_stderr "OKTA_PRIVATE_KEY_FILE"
}

@test "keys refused, saying what was found and what is accepted; never the key" {
	local f
	export OKTA_BASE_URL=http://127.0.0.1:9 OKTA_CLIENT_ID=$CLIENT
	for f in rsa-encrypted-pkcs8.pem:encrypted rsa-encrypted-pkcs1.pem:encrypted \
		rsa-public.pem:"a public key" rsa-public.jwk:"public JWK" \
		garbage.txt:"accepted: PEM" rsa1024.pem:"at least 2048" ed25519.pem:ED25519 \
		ec256-mismatch.jwk:"does not match"; do
		OKTA_PRIVATE_KEY_FILE=$KEYS/${f%%:*} fetch -q
		expect_status 78
		expect_stderr "OKTA_PRIVATE_KEY: not a private key okta-fetch can use: found"
		expect_stderr "${f#*:}"
		printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/stderr"
		if grep -qF -f <(grep -v -- ----- "$KEYS/${f%%:*}" | grep -E '.{20}' | cut -c1-20) \
			"$BATS_TEST_TMPDIR/stderr"; then
			flunk "the message shows part of ${f%%:*}"
		fi
	done
	# An API token pasted as the key: not shown either.
	OKTA_PRIVATE_KEY=00Qx9mcK-zQ3pL7vs_VdKJYpPq2tXcRwE8 fetch -q
	expect_status 78
	expect_stderr "not shown"
	[[ $stderr != *00Qx9mcKzQ3p* ]] || flunk "the pasted token was printed"
}

# ---- secrets -------------------------------------------------------------------

@test "a long listing: the token stays masked after hundreds of proofs" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --oauth-fault echotoken@90
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -q -l 2
	expect_status 77
	expect_stderr "[redacted]"
	printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/stderr"
	run no_secrets "$BATS_TEST_TMPDIR/stderr"
	[ "$status" -eq 0 ] || flunk "$output"
}

@test "-vvv: no token, assertion, proof, nonce or key in any output (nonces, renewal)" {
	okta_app --oauth-key "$KEYS/rsa-pkcs8.pem" --oauth-nonce --oauth-api-nonce --oauth-fault revoke@3
	OKTA_PRIVATE_KEY_FILE=$KEYS/rsa-pkcs8.pem fetch -vvv
	expect_status 0
	expect_all_devices
	printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/stderr"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/stdout"
	[[ $stderr == *"DPoP: [redacted]"* ]] || flunk "the trace should show the DPoP header, redacted"
	[[ $stderr == *"Authorization: [redacted]"* ]] || flunk "the trace should show Authorization, redacted"
	[ "$(count token)" -eq 2 ] || flunk "two tokens expected"
	run no_secrets "$BATS_TEST_TMPDIR/stderr" "$BATS_TEST_TMPDIR/stdout" "key:$KEYS/rsa-pkcs8.pem"
	[ "$status" -eq 0 ] || flunk "$output"
	echo "# $output" >&3
}

@test "-vvv, Bearer token (DPoP off) and the key in the variable: no secret in any output" {
	okta_app --oauth-key "jwk-ec256-kid=$KEYS/ec256.jwk" --oauth-dpop off
	run --separate-stderr env OKTA_PRIVATE_KEY="$(cat "$KEYS/ec256.jwk")" "$OKTA_FETCH" -vvv --check
	expect_status 0
	printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/stderr"
	python3 - "$KEYS/ec256.jwk" "$BATS_TEST_TMPDIR/stderr" <<-'EOF'
		import json, sys
		d = json.load(open(sys.argv[1]))["d"]
		assert d not in open(sys.argv[2]).read(), "the key's d was printed"
	EOF
	no_secrets "$BATS_TEST_TMPDIR/stderr"
}

@test "a token endpoint that echoes the assertion and the proof in its error: redacted" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --oauth-fault echo@1
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -vvv
	expect_status 69
	expect_stderr "Cannot use client_assertion=[redacted] with DPoP [redacted]"
	printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/stderr"
	python3 - "$OAUTH_LOG" "$BATS_TEST_TMPDIR/stderr" <<-'EOF'
		import json, sys
		text = open(sys.argv[2]).read()
		for r in map(json.loads, open(sys.argv[1])):
		    for part in (r.get("jwt") or "").split("."):
		        assert len(part) < 20 or part not in text, "part of an echoed JWT was printed"
	EOF
}

@test "an API that echoes the token and the proof in its error body: redacted" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --oauth-fault echobody@70
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -q -l 3
	expect_status 69
	expect_stderr "E0000001: Bad token [redacted], proof [redacted]"
	printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/stderr"
	run no_secrets "$BATS_TEST_TMPDIR/stderr"
	[ "$status" -eq 0 ] || flunk "$output"
}

# no_secret_forms FILE: no token or assertion the stand-in logged is in
# FILE as it is, percent-encoded (either case) or in base64 (either
# alphabet, any alignment: 16 characters from the middle of each form).
no_secret_forms() {
	python3 - "$OAUTH_LOG" "$1" <<-'EOF2'
		import base64, json, re, sys, urllib.parse
		text = open(sys.argv[2], errors="replace").read()
		found = 0
		for r in map(json.loads, open(sys.argv[1])):
		    v = r.get("token") if r.get("event") == "token" else \
		        r.get("jwt") if r.get("event") == "assertion" else None
		    if not v:
		        continue
		    found += 1
		    q = urllib.parse.quote(v, safe="")
		    forms = [v, q, re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), q)]
		    for pre in (b"", b"user:", b"u:"):
		        for enc in (base64.b64encode, base64.urlsafe_b64encode):
		            forms.append(enc(pre + v.encode()).decode()[8:-4])
		    for f in forms:
		        for i in range(0, max(1, len(f) - 16), 8):
		            if f[i:i + 16] in text:
		                sys.exit("%s holds a form of a secret: %s" % (sys.argv[2], f[i:i + 16]))
		if found == 0:
		    sys.exit("no token or assertion logged: nothing searched")
	EOF2
}

# flood_case KEY FAULT WORDS: at -q, -v, -vvv, --check and --check -vvv,
# the stand-in's FAULT (70 nonces on an answer that echoes a secret in
# every form) is a 77 whose message has WORDS and [redacted], and no form
# of any token or assertion.
flood_case() {
	local opts
	for opts in -q -v -vvv --check '--check -vvv'; do
		stop_servers
		rm -f "$OAUTH_LOG"
		okta_app --oauth-key "$KEYS/$1" --oauth-fault "$2"
		# shellcheck disable=SC2086
		OKTA_PRIVATE_KEY_FILE=$KEYS/$1 fetch $opts
		expect_status 77
		expect_stderr "$3"
		expect_stderr "[redacted]"
		printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/stderr"
		run no_secret_forms "$BATS_TEST_TMPDIR/stderr"
		[ "$status" -eq 0 ] || flunk "$opts: $output"
	done
}

@test "a 403 with 70 distinct nonces echoing the token (plain, encoded, base64): masked at -q, --check, -vvv" {
	flood_case ec256-pkcs8.pem nonces@1 "lacks a scope"
}

@test "a token-endpoint 401 with 70 nonces echoing the assertion: masked at -q, --check, -vvv" {
	flood_case rsa-pkcs8.pem tnonces@1 "invalid_client: Assertion [redacted]"
}

@test "OKTA_PRIVATE_KEY_FILE a FIFO or a directory: 78 at once, naming it, never a blocking open" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem"
	mkfifo "$BATS_TEST_TMPDIR/key.fifo"
	OKTA_PRIVATE_KEY_FILE=$BATS_TEST_TMPDIR/key.fifo run --separate-stderr \
		timeout 10 "$OKTA_FETCH" -q
	expect_status 78
	expect_stderr "OKTA_PRIVATE_KEY_FILE: $BATS_TEST_TMPDIR/key.fifo is a FIFO"
	OKTA_PRIVATE_KEY_FILE=$BATS_TEST_TMPDIR fetch -q
	expect_status 78
	expect_stderr "is a directory"
}

@test "a key file with a byte-order mark: 78 saying so; a PEM of many lines is fine" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem"
	{ printf '\357\273\277'; cat "$KEYS/ec256-pkcs8.pem"; } >"$BATS_TEST_TMPDIR/bom.pem"
	OKTA_PRIVATE_KEY_FILE=$BATS_TEST_TMPDIR/bom.pem fetch -q
	expect_status 78
	expect_stderr "bom.pem begins with a UTF-8 byte-order mark"
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -q
	expect_status 0
}

@test "core dumps off: RLIMIT_CORE 0 while okta-fetch waits on a stalled token endpoint" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --latency 20000
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem no_core_dumps "$OKTA_FETCH" -q
}

@test "token answers that cannot be used say what is wrong: expires_in 0, 70 KB, a nonce of 2,000 bytes" {
	okta_app --oauth-key "$KEYS/ec256-pkcs8.pem" --oauth-fault texp0@1 --oauth-fault tbig@2 \
		--oauth-fault tlongnonce@3
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -q
	expect_status 69
	expect_stderr "expires_in 0: too small: a token lives 1 s to 366 days"
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -q
	expect_status 69
	expect_stderr "token request: the answer is larger than 64 KiB"
	[[ $stderr != *"Failure writing"* ]] || flunk "curl's words: $stderr"
	OKTA_PRIVATE_KEY_FILE=$KEYS/ec256-pkcs8.pem fetch -q
	expect_status 69
	expect_stderr "token request: a DPoP-Nonce of 2000 bytes, more than 1023: refused"
	# the nonce was not sent back cut short: one token request a run
	[ "$(count proof where=token)" -eq 3 ] ||
		flunk "a proof with a cut nonce was sent: $(count proof where=token) token proofs"
}

@test "a key given in OKTA_PRIVATE_KEY itself is wiped from the process's environment once parsed" {
	skip_under_valgrind "/proc/PID/environ shows valgrind's copy, not the client's"
	local pid i d env=
	okta_app --oauth-key "jwk-ec256-kid=$KEYS/ec256.jwk" --latency 20000
	d=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["d"])' "$KEYS/ec256.jwk")
	# exec: the process is okta-fetch itself, and no subshell of bats is
	# left to report its death by kill as a test of its own.
	(OKTA_PRIVATE_KEY=$(cat "$KEYS/ec256.jwk") exec "$OKTA_FETCH" -q >/dev/null 2>&1 3>&-) &
	pid=$!
	for i in $(seq 50); do
		env=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null) || true
		[[ -n $env && $env != *"$d"* ]] && break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" || true
	[[ -n $env ]] || flunk "no environment read"
	[[ $env != *"$d"* ]] || flunk "the key's d is still in /proc/PID/environ"
}
