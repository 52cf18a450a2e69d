/*
 * replay: run a fuzz target over files without libFuzzer, so that `make
 * check` replays the whole corpus (and every crash ever found) with the
 * ordinary compiler.  Usage: replay-TARGET FILE...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char *argv[])
{
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
		LLVMFuzzerTestOneInput(buf, n);
		free(buf);
	}
	printf("%d inputs replayed\n", argc - 1);
	return 0;
}
