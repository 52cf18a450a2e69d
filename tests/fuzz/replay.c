/*
 * replay: run a fuzz target over files without libFuzzer, so that `make
 * check` replays the whole corpus (and every crash ever found) with the
 * ordinary compiler, or with the sanitizers under check-sanitize.
 * Usage: replay-TARGET FILE...  When a property fails (abort) or the
 * target crashes, the file being replayed is named on stderr.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *current;

static void
name_it(int sig)
{
	static const char msg[] = "replay: this input failed: ";

	/* Only async-signal-safe calls, then die of the same signal. */
	if (current != NULL) {
		(void)!write(2, msg, sizeof(msg) - 1);
		(void)!write(2, current, strlen(current));
		(void)!write(2, "\n", 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

int
main(int argc, char *argv[])
{
	signal(SIGABRT, name_it);
	signal(SIGSEGV, name_it);
	signal(SIGBUS, name_it);
	signal(SIGFPE, name_it);
	for (int i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		uint8_t *buf;
		long n;

		if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 ||
		    (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
			perror(argv[i]);
			return 2;
		}
		buf = malloc(n ? n : 1);
		if (buf == NULL || fread(buf, 1, n, fp) != (size_t)n) {
			perror(argv[i]);
			return 2;
		}
		fclose(fp);
		current = argv[i];
		LLVMFuzzerTestOneInput(buf, n);
		current = NULL;
		free(buf);
	}
	printf("%d inputs replayed\n", argc - 1);
	return 0;
}
