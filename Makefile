# okta-ocsf: okta-fetch | okta2ocsf | ocsf-push
.POSIX:

VERSION = 0.1.0

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
UNITDIR = $(PREFIX)/lib/systemd/system
DOCDIR = $(PREFIX)/share/doc/okta-ocsf

CC = cc
CFLAGS = -O2 -g
WARNFLAGS = -Wall -Wextra -Werror
PKG_CONFIG = pkg-config
CURL_CFLAGS != $(PKG_CONFIG) --cflags libcurl 2>/dev/null
CURL_LIBS != $(PKG_CONFIG) --libs libcurl 2>/dev/null || echo -lcurl
JSON_CFLAGS != $(PKG_CONFIG) --cflags json-c 2>/dev/null || echo -I/usr/include/json-c
JSON_LIBS != $(PKG_CONFIG) --libs json-c 2>/dev/null || echo -ljson-c
CRYPTO_CFLAGS != $(PKG_CONFIG) --cflags libcrypto 2>/dev/null
CRYPTO_LIBS != $(PKG_CONFIG) --libs libcrypto 2>/dev/null || echo -lcrypto

ALL_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DVERSION=\"$(VERSION)\" -Icommon $(CURL_CFLAGS) $(JSON_CFLAGS) $(CRYPTO_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(WARNFLAGS) $(CFLAGS)
# Each program links what it uses: okta2ocsf, a filter, no network.
LIBS = -lm
NET_LIBS = $(CURL_LIBS) $(JSON_LIBS) -lm
# okta-fetch alone signs (its OAuth mode): only it links libcrypto.
FETCH_LIBS = $(CURL_LIBS) $(JSON_LIBS) $(CRYPTO_LIBS) -lm

BIN = okta-fetch/okta-fetch okta2ocsf/okta2ocsf ocsf-push/ocsf-push
MAN1 = man/okta-fetch.1 man/okta2ocsf.1 man/ocsf-push.1
MAN7 = man/okta-ocsf.7
# The wrapper, its page and its systemd units (contrib/).
SYNC = contrib/okta-ocsf-sync
SYNC_MAN = contrib/okta-ocsf-sync.1
UNITS = contrib/systemd/okta-ocsf-sync@.service contrib/systemd/okta-ocsf-sync@.timer
HDR = common/common.h common/crypto.h common/net.h okta-fetch/oauth.h
LIBOBJ = common/buf.o common/crypto.o common/diag.o common/env.o common/file.o common/http.o \
	common/jscan.o common/lineio.o common/num.o common/secret.o \
	common/stats.o common/time.o
OBJ = okta-fetch/okta-fetch.o okta-fetch/oauth.o okta2ocsf/okta2ocsf.o \
	ocsf-push/ocsf-push.o
FUZZ = headers iso8601 jscan link map pushline
REPLAY = tests/fuzz/replay-headers tests/fuzz/replay-iso8601 tests/fuzz/replay-jscan \
	tests/fuzz/replay-link tests/fuzz/replay-map tests/fuzz/replay-pushline
TESTBIN = tests/unit/test-common tests/unit/test-crypto $(REPLAY)
FUZZ_SECONDS = 60
CLANG = clang
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer

all: $(BIN)

.SUFFIXES: .c .o
.c.o:
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(LIBOBJ) $(OBJ) tests/unit/test-common.o tests/unit/test-crypto.o: $(HDR)
tests/unit/test-common.o tests/unit/test-crypto.o: tests/unit/tap.h

common/libcommon.a: $(LIBOBJ)
	rm -f $@
	ar rc $@ $(LIBOBJ)
	ranlib $@

okta-fetch/okta-fetch: okta-fetch/okta-fetch.o okta-fetch/oauth.o common/libcommon.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ okta-fetch/okta-fetch.o okta-fetch/oauth.o \
		common/libcommon.a $(FETCH_LIBS)

okta2ocsf/okta2ocsf: okta2ocsf/okta2ocsf.o common/libcommon.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ okta2ocsf/okta2ocsf.o common/libcommon.a $(LIBS)

ocsf-push/ocsf-push: ocsf-push/ocsf-push.o common/libcommon.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ ocsf-push/ocsf-push.o common/libcommon.a $(NET_LIBS)

tests/unit/test-common: tests/unit/test-common.o common/libcommon.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-common.o common/libcommon.a $(NET_LIBS)

tests/unit/test-crypto: tests/unit/test-crypto.o common/libcommon.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-crypto.o common/libcommon.a $(FETCH_LIBS)

# The fuzz targets, replayed over their corpus without libFuzzer.
tests/fuzz/replay-headers: tests/fuzz/fuzz-headers.c
tests/fuzz/replay-iso8601: tests/fuzz/fuzz-iso8601.c
tests/fuzz/replay-jscan: tests/fuzz/fuzz-jscan.c
tests/fuzz/replay-link: tests/fuzz/fuzz-link.c
tests/fuzz/replay-map: tests/fuzz/fuzz-map.c
tests/fuzz/replay-pushline: tests/fuzz/fuzz-pushline.c
$(REPLAY): tests/fuzz/replay.c common/libcommon.a $(HDR) \
		okta2ocsf/okta2ocsf.c ocsf-push/ocsf-push.c
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Wno-unused-function -Wno-unused-variable $(LDFLAGS) \
		-o $@ tests/fuzz/replay.c $(@:tests/fuzz/replay-%=tests/fuzz/fuzz-%.c) \
		common/libcommon.a $(NET_LIBS)

# Every test, C unit tests then BATS; the last line is
# "N passed, N failed, N skipped".  run-all runs every executable
# tests/unit/test-* and checks each one's exit status and TAP plan.
check: $(BIN) $(TESTBIN)
	sh tests/run-all

# The same tests against binaries built with AddressSanitizer and
# UndefinedBehaviorSanitizer (in build/sanitize, out of the way): the
# programs, the unit binaries and the fuzz replays, so that the corpus
# replay (tests/40-fuzz-corpus.bats, BUILD set) catches memory errors
# and undefined behaviour, not only segfaults and failed properties.
check-sanitize:
	rm -rf build/sanitize
	mkdir -p build/sanitize
	tar cf - Makefile common okta-fetch okta2ocsf ocsf-push tests/unit \
		tests/fuzz | (cd build/sanitize && tar xf -)
	$(MAKE) -C build/sanitize clean
	$(MAKE) -C build/sanitize CC="$(CLANG)" CFLAGS="-O1 -g $(SANFLAGS)" \
		LDFLAGS="$(SANFLAGS)" all $(TESTBIN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	BUILD=build/sanitize sh tests/run-all

# The build as Debian and Ubuntu make it: dpkg-buildflags' flags (with
# debian/rules' hardening=+all) and Ubuntu's -D_FORTIFY_SOURCE=3, with
# each of FLAGS_CC, -Werror kept, each in build/flags-CC out of the way;
# then the unit tests of each build.  FORTIFY warns about what the plain
# build lets pass (an unchecked write(2)).
FLAGS_CC = gcc clang
FLAGS_ENV = DEB_BUILD_MAINT_OPTIONS=hardening=+all
check-buildflags:
	for cc in $(FLAGS_CC); do \
		rm -rf build/flags-$$cc && mkdir -p build/flags-$$cc && \
		tar cf - Makefile common okta-fetch okta2ocsf ocsf-push \
			tests/unit tests/fuzz | (cd build/flags-$$cc && tar xf -) && \
		$(MAKE) -C build/flags-$$cc clean && \
		$(MAKE) -C build/flags-$$cc CC=$$cc \
			CFLAGS="`$(FLAGS_ENV) dpkg-buildflags --get CFLAGS`" \
			CPPFLAGS="`$(FLAGS_ENV) dpkg-buildflags --get CPPFLAGS` \
			-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3" \
			LDFLAGS="`$(FLAGS_ENV) dpkg-buildflags --get LDFLAGS`" \
			all $(TESTBIN) && \
		BUILD=build/flags-$$cc BATS_FILES=none sh tests/run-all || \
			exit 1; \
	done

# The tests with every run of the three programs under valgrind.
check-valgrind: $(BIN) $(TESTBIN)
	VALGRIND=1 sh tests/run-all

# libFuzzer, each target FUZZ_SECONDS, one after the other at the lowest
# priority (the machine is shared); `make fuzz FUZZ=link` for one.  Every
# target asserts properties (abort() when one fails), so a finding may be
# a wrong answer as well as a crash.  New inputs stay in tests/fuzz/work,
# findings land in tests/fuzz/crashes (add them to the corpus).
fuzz:
	mkdir -p tests/fuzz/crashes
	for t in $(FUZZ); do \
		$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
			-fno-sanitize-recover=undefined \
			$(ALL_CPPFLAGS) -Wno-unused-function -Wno-unused-variable -o tests/fuzz/fuzz-$$t \
			tests/fuzz/fuzz-$$t.c common/*.c $(FETCH_LIBS) || exit 1; \
	done
	for t in $(FUZZ); do \
		mkdir -p tests/fuzz/work/$$t; \
		nice -n 19 tests/fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=tests/fuzz/crashes/$$t- -print_final_stats=1 \
			tests/fuzz/work/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

# Hand-written mutants of the lines that keep users' data and secrets
# (tests/mutants/NN-name), each in a scratch copy under build/mutants and
# run against the tests that should catch it: fails when one survives or
# no longer applies.  `sh tests/mutants/run NN-name` for one.
check-mutants: $(BIN) $(TESTBIN)
	sh tests/mutants/run

# clang-tidy: the static analyzer and bugprone, less what is noise here:
# insecureAPI (flags every memcpy/strcpy, all bounded by hand),
# valist.Uninitialized (clang 14 false positive on va_start'd lists),
# not-null-terminated-result (JSON escapes are bytes, not C strings),
# narrowing/widening conversions (constants and seconds as doubles),
# easily-swappable-parameters and assignment-in-if-condition (style).
TIDY_CHECKS = -*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*,\
-clang-analyzer-valist.Uninitialized,bugprone-*,\
-bugprone-not-null-terminated-result,-bugprone-narrowing-conversions,\
-bugprone-implicit-widening-of-multiplication-result,\
-bugprone-easily-swappable-parameters,-bugprone-assignment-in-if-condition,\
-bugprone-reserved-identifier
SRC = common/*.c okta-fetch/okta-fetch.c okta-fetch/oauth.c okta2ocsf/okta2ocsf.c \
	ocsf-push/ocsf-push.c
SHELLSCRIPTS = tests/run-all tests/mutants/run tests/demo tests/helper.bash \
	contrib/okta-ocsf-sync tests/bench/run

lint:
	mandoc -Tlint -Wwarning $(MAN1) $(MAN7) $(SYNC_MAN)
	shellcheck -x $(SHELLSCRIPTS)
	cppcheck --quiet --error-exitcode=1 \
		--enable=warning,portability,performance --inline-suppr \
		--std=c11 -D_POSIX_C_SOURCE=200809L -Icommon \
		common okta-fetch okta2ocsf ocsf-push
	clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' \
		$(SRC) -- -std=c11 $(ALL_CPPFLAGS) 2>/dev/null

# The suite measured against the alternatives (not part of check);
# BENCH_SCALE=0.1 for a quick run.  tests/bench/README.md reads the table.
BENCH_SCALE = 1
bench: all
	BENCH_SCALE=$(BENCH_SCALE) bash tests/bench/run

# The one command after cloning: build, then the pipeline against local
# stand-ins for Okta and Sekoia.
demo:
	bash tests/demo

# The unit's ExecStart names the wrapper where it is installed.  The
# example tenant file goes with the documentation (the Debian package
# also puts it in /etc/okta-ocsf).
install: $(BIN)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)
	cp -f contrib/example.env.sample $(DESTDIR)$(DOCDIR)/
	chmod 644 $(DESTDIR)$(DOCDIR)/example.env.sample
	cp -f $(BIN) $(SYNC) $(DESTDIR)$(BINDIR)/
	chmod 755 $(DESTDIR)$(BINDIR)/okta-ocsf-sync
	cp -f $(MAN1) $(SYNC_MAN) $(DESTDIR)$(MANDIR)/man1/
	cp -f $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	sed 's|@BINDIR@|$(BINDIR)|g' contrib/systemd/okta-ocsf-sync@.service.in \
		>$(DESTDIR)$(UNITDIR)/okta-ocsf-sync@.service
	cp -f contrib/systemd/okta-ocsf-sync@.timer $(DESTDIR)$(UNITDIR)/
	chmod 644 $(DESTDIR)$(UNITDIR)/okta-ocsf-sync@.service \
		$(DESTDIR)$(UNITDIR)/okta-ocsf-sync@.timer

# Also what an older make install put in share/okta-ocsf.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/okta-fetch $(DESTDIR)$(BINDIR)/okta2ocsf \
		$(DESTDIR)$(BINDIR)/ocsf-push $(DESTDIR)$(BINDIR)/okta-ocsf-sync
	rm -f $(DESTDIR)$(MANDIR)/man1/okta-fetch.1 \
		$(DESTDIR)$(MANDIR)/man1/okta2ocsf.1 \
		$(DESTDIR)$(MANDIR)/man1/ocsf-push.1 \
		$(DESTDIR)$(MANDIR)/man1/okta-ocsf-sync.1 \
		$(DESTDIR)$(MANDIR)/man7/okta-ocsf.7
	rm -f $(DESTDIR)$(UNITDIR)/okta-ocsf-sync@.service \
		$(DESTDIR)$(UNITDIR)/okta-ocsf-sync@.timer
	rm -f $(DESTDIR)$(DOCDIR)/example.env.sample
	rm -f $(DESTDIR)$(PREFIX)/share/okta-ocsf/okta-ocsf-sync
	for d in $(DESTDIR)$(DOCDIR) $(DESTDIR)$(PREFIX)/share/okta-ocsf; do \
		if [ -d "$$d" ]; then rmdir "$$d" 2>/dev/null || :; fi; \
	done

# The Debian package, built by dpkg-buildpackage in a copy of the
# committed and working files under build/deb (it writes its .deb to the
# parent directory, so the tree stays clean); the .deb lands in build/.
DEB_SRC = Makefile README.md NEWS.md LICENSE common okta-fetch okta2ocsf ocsf-push man \
	contrib debian
deb:
	rm -rf build/deb
	mkdir -p build/deb/okta-ocsf-$(VERSION)
	tar cf - --exclude='*.o' --exclude='*.a' --exclude=okta-fetch/okta-fetch \
		--exclude=okta2ocsf/okta2ocsf --exclude=ocsf-push/ocsf-push \
		$(DEB_SRC) | (cd build/deb/okta-ocsf-$(VERSION) && tar xf -)
	cd build/deb/okta-ocsf-$(VERSION) && \
		dpkg-buildpackage -us -uc -b --no-sign >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; exit 1; }
	cp build/deb/okta-ocsf_$(VERSION)_*.deb build/
	@ls build/okta-ocsf_$(VERSION)_*.deb

clean:
	rm -f $(BIN) $(OBJ) $(LIBOBJ) common/libcommon.a $(TESTBIN) \
		tests/unit/*.o
	rm -rf build tests/fuzz/work
	for t in $(FUZZ); do rm -f tests/fuzz/fuzz-$$t; done

.PHONY: all bench check check-buildflags check-mutants check-sanitize check-valgrind clean deb \
	demo fuzz install lint uninstall
