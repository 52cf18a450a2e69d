#!/usr/bin/env bats
# 21-okta-fetch-tls.bats: okta-fetch over HTTP/2 with TLS, and through a
# proxy that holds credentials: no secret in any output, at any verbosity.
#
# Python's standard library cannot speak HTTP/2: tests/fixtures/okta-h2.js
# (node's http2 module) is an HTTP/2 TLS front (ALPN h2 only) for the Okta
# stand-in.  setup_file makes a throwaway CA and a server certificate for
# 127.0.0.1 with openssl(1); okta-fetch trusts the CA through --cacert.
# tests/fixtures/proxy.py answers 407 to every request.
# shellcheck disable=SC2154  # status, output, stderr: set by run
load helper

# A token with the characters that ended a mask too early: ']' (HTTP/2's
# trace form), '"' (JSON), and '/' and '+'.
TOKEN='00h2]SeCrEt"tok/9+zz'
# Fragments of it, none of which may show.
LEAKS=(SeCrEt 'tok/9' '9+zz' 'h2]S')

setup_file() {
	local d=$BATS_FILE_TMPDIR
	if ! command -v node >/dev/null || ! command -v openssl >/dev/null; then
		return 0
	fi
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-days 2 -subj /CN=okta-ocsf-test-ca -keyout "$d/ca.key" -out "$d/ca.pem" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign >/dev/null 2>&1 || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj /CN=127.0.0.1 -keyout "$d/srv.key" -out "$d/srv.csr" >/dev/null 2>&1 || return 1
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$d/ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -out "$d/srv.pem" -extfile "$d/ext" >/dev/null 2>&1
}

need_node() {
	if ! command -v node >/dev/null || ! command -v openssl >/dev/null; then
		echo "# node or openssl not installed: HTTP/2 tests skipped" >&3
		skip "node or openssl not installed"
	fi
}

# h2 ARGS...: the Okta stand-in (ARGS) behind the HTTP/2 front; sets H2_URL.
h2() {
	local url_file=$BATS_TEST_TMPDIR/h2.url deadline
	start_okta --token "$TOKEN" --log "$BATS_TEST_TMPDIR/okta.log" "$@"
	node "$FIXTURES/okta-h2.js" --upstream "$OKTA_URL" --key "$BATS_FILE_TMPDIR/srv.key" \
		--cert "$BATS_FILE_TMPDIR/srv.pem" --url-file "$url_file" \
		>/dev/null 2>"$BATS_TEST_TMPDIR/h2.err" 3>&- &
	SERVER_PIDS+=($!)
	deadline=$((SECONDS + 10))
	while [ ! -s "$url_file" ]; do
		if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$!" 2>/dev/null; then
			cat "$BATS_TEST_TMPDIR/h2.err" >&2
			return 1
		fi
		sleep 0.05
	done
	H2_URL=$(cat "$url_file")
}

fetch() {
	run --separate-stderr timeout 60 env OKTA_API_TOKEN="$TOKEN" "$OKTA_FETCH" \
		--cacert "$BATS_FILE_TMPDIR/ca.pem" "$@"
}

# no_leak WHAT: no fragment of the token, nor SECRET_RE, in stdout or stderr.
no_leak() {
	local l
	for l in "${LEAKS[@]}" ${EXTRA_LEAKS[@]+"${EXTRA_LEAKS[@]}"}; do
		[[ $output$stderr != *"$l"* ]] || flunk "$1: '$l' shows"
	done
}

@test "HTTP/2: the token never shows at -q, default, -v, -vv, -vvv; the trace masks both forms" {
	need_node
	local v n
	h2 --generate 450
	for v in -q '' -v -vv -vvv; do
		# shellcheck disable=SC2086
		fetch -u "$H2_URL" $v
		[ "$status" -eq 0 ] || flunk "exit $status at '$v'"
		n=$(grep -c '"id":"guo' <<<"$output")
		[ "$n" -eq 450 ] || flunk "$n devices at '$v'"
		no_leak "HTTP/2 at '$v'"
		case $v in
		-vv | -vvv)
			grep -Eq '^okta-fetch: \* (ALPN: server accepted h2|using HTTP/2)' <<<"$stderr" ||
				flunk "not HTTP/2 at '$v'"
			# libcurl 7.88: "h2h3 [authorization: x]"; 8: "[HTTP/2] [1] [authorization: x]".
			grep -Eq '^okta-fetch: \* (h2h3|\[HTTP/2\] \[[0-9]+\]) \[authorization: \[redacted\]\]$' <<<"$stderr" ||
				flunk "no masked HTTP/2 authorization line at '$v'"
			grep -Eiq '^okta-fetch: > authorization: \[redacted\]$' <<<"$stderr" ||
				flunk "no masked request header at '$v'"
			;;
		esac
	done
}

@test "HTTP/2: an error body that echoes the token, JSON or text: never shown" {
	need_node
	local v
	h2 --generate 5 --fault 'echoauth@1-5' --fault 'echotext@6-99'
	for v in -q '' -v -vv -vvv; do
		# shellcheck disable=SC2086
		fetch -u "$H2_URL" $v
		[ "$status" -eq 77 ] || flunk "exit $status at '$v', expected 77"
		no_leak "401 echo at '$v'"
	done
	for v in -q '' -v -vv -vvv; do
		# shellcheck disable=SC2086
		fetch -u "$H2_URL" $v
		[ "$status" -eq 69 ] || flunk "exit $status at '$v', expected 69"
		no_leak "400 text echo at '$v'"
	done
}

@test "a proxy with credentials in https_proxy or http_proxy: the password never shows, 407 is 77" {
	local v p url b64
	local -a EXTRA_LEAKS
	start_server PROXY proxy.py --log "$BATS_TEST_TMPDIR/proxy.log"
	p=${PROXY_URL#http://}
	b64=$(printf 'u5er:pr0xy-S3cret' | base64)
	EXTRA_LEAKS=(pr0xy S3cret "$b64")
	for url in https://127.0.0.1:9 https://acme.okta.com http://127.0.0.1:9; do
		for v in -q '' -v -vv -vvv; do
			# shellcheck disable=SC2086
			run --separate-stderr timeout 60 env OKTA_API_TOKEN="$TOKEN" \
				https_proxy="http://u5er:pr0xy-S3cret@$p" \
				http_proxy="http://u5er:pr0xy-S3cret@$p" no_proxy= NO_PROXY= \
				"$OKTA_FETCH" -u "$url" --max-retries 0 $v
			[ "$status" -eq 77 ] || flunk "$url at '$v': exit $status, expected 77"
			no_leak "proxy, $url at '$v'"
			[ "$v" = -q ] || [ -z "$v" ] || [ "$v" = -v ] ||
				grep -q 'Proxy-Authorization: \[redacted\]' <<<"$stderr" ||
				flunk "no masked Proxy-Authorization at '$v'"
		done
	done
	# The credentials did go to the proxy: the test tested something.
	grep -q '"proxy_auth": "Basic"' "$BATS_TEST_TMPDIR/proxy.log" ||
		flunk "the proxy never saw credentials: $(cat "$BATS_TEST_TMPDIR/proxy.log")"
}

@test "HTTP/2: a 70 KiB Link line is read, every page followed" {
	need_node
	local n
	h2 --generate 450 --link-pad 71680
	fetch -u "$H2_URL" -vv
	[ "$status" -eq 0 ] || flunk "exit $status"
	n=$(grep -c '"id":"guo' <<<"$output")
	[ "$n" -eq 450 ] || flunk "$n devices"
	grep -Eq '^okta-fetch: \* (ALPN: server accepted h2|using HTTP/2)' <<<"$stderr" ||
		flunk "not HTTP/2"
	grep -Eq '^okta-fetch: 450 devices, 3 pages' <<<"$stderr" || flunk "no summary of 3 pages"
}
