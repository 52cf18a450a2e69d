# okta-ocsf: okta-fetch | okta2ocsf | ocsf-push
.POSIX:

VERSION = 0.1.0

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
SHAREDIR = $(PREFIX)/share/okta-ocsf

CC = cc
CFLAGS = -O2 -g
WARNFLAGS = -Wall -Wextra -Werror
PKG_CONFIG = pkg-config
CURL_CFLAGS != $(PKG_CONFIG) --cflags libcurl 2>/dev/null
CURL_LIBS != $(PKG_CONFIG) --libs libcurl 2>/dev/null || echo -lcurl
JSON_CFLAGS != $(PKG_CONFIG) --cflags json-c 2>/dev/null || echo -I/usr/include/json-c
JSON_LIBS != $(PKG_CONFIG) --libs json-c 2>/dev/null || echo -ljson-c

ALL_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DVERSION=\"$(VERSION)\" -Icommon $(CURL_CFLAGS) $(JSON_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(WARNFLAGS) $(CFLAGS)
LIBS = $(CURL_LIBS) $(JSON_LIBS) -lm

BIN = okta-fetch/okta-fetch okta2ocsf/okta2ocsf ocsf-push/ocsf-push
MAN1 = man/okta-fetch.1 man/okta2ocsf.1 man/ocsf-push.1
MAN7 = man/okta-ocsf.7
HDR = common/common.h
LIBOBJ = common/buf.o common/diag.o common/env.o common/http.o \
	common/lineio.o common/num.o common/time.o
OBJ = okta-fetch/okta-fetch.o okta2ocsf/okta2ocsf.o ocsf-push/ocsf-push.o
TESTBIN = tests/unit/test-common

all: $(BIN)

.SUFFIXES: .c .o
.c.o:
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(LIBOBJ) $(OBJ) tests/unit/test-common.o: $(HDR)

common/libcommon.a: $(LIBOBJ)
	rm -f $@
	ar rc $@ $(LIBOBJ)
	ranlib $@

okta-fetch/okta-fetch: okta-fetch/okta-fetch.o common/libcommon.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ okta-fetch/okta-fetch.o common/libcommon.a $(LIBS)

okta2ocsf/okta2ocsf: okta2ocsf/okta2ocsf.o common/libcommon.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ okta2ocsf/okta2ocsf.o common/libcommon.a $(LIBS)

ocsf-push/ocsf-push: ocsf-push/ocsf-push.o common/libcommon.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ ocsf-push/ocsf-push.o common/libcommon.a $(LIBS)

tests/unit/test-common: tests/unit/test-common.o common/libcommon.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/unit/test-common.o common/libcommon.a $(LIBS)

# Every test, C unit tests then BATS; the last line is "N passed, N failed".
check: $(BIN) $(TESTBIN)
	sh tests/run-all

lint:
	mandoc -Tlint -Wwarning $(MAN1) $(MAN7)
	shellcheck -x tests/run-all tests/demo tests/*.bash contrib/okta-ocsf-sync
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr -D_POSIX_C_SOURCE=200809L -Icommon \
		common okta-fetch okta2ocsf ocsf-push

# The one command after cloning: build, then the pipeline against local
# stand-ins for Okta and Sekoia.
demo:
	bash tests/demo

install: $(BIN)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(SHAREDIR)
	cp -f $(BIN) $(DESTDIR)$(BINDIR)/
	cp -f $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	cp -f $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	cp -f contrib/okta-ocsf-sync $(DESTDIR)$(SHAREDIR)/
	chmod 755 $(DESTDIR)$(SHAREDIR)/okta-ocsf-sync

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/okta-fetch $(DESTDIR)$(BINDIR)/okta2ocsf \
		$(DESTDIR)$(BINDIR)/ocsf-push
	rm -f $(DESTDIR)$(MANDIR)/man1/okta-fetch.1 \
		$(DESTDIR)$(MANDIR)/man1/okta2ocsf.1 \
		$(DESTDIR)$(MANDIR)/man1/ocsf-push.1 \
		$(DESTDIR)$(MANDIR)/man7/okta-ocsf.7
	rm -f $(DESTDIR)$(SHAREDIR)/okta-ocsf-sync
	-rmdir $(DESTDIR)$(SHAREDIR) 2>/dev/null

clean:
	rm -f $(BIN) $(OBJ) $(LIBOBJ) common/libcommon.a $(TESTBIN) \
		tests/unit/*.o

.PHONY: all check clean demo install lint uninstall
