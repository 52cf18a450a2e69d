/*
 * cputime: run a command and say what it cost, like GNU time but to the
 * microsecond: "wall_s cpu_s rss_kib load" on one line appended to FILE,
 * where cpu is the user + system time of the command and of the
 * processes it waited for (wait4's rusage: never the stand-in servers',
 * which are not its children), rss its peak resident set, and load the
 * one-minute load average when it ended.  The command's exit status is
 * cputime's (128 + N when killed by signal N).
 *
 *   cc -O2 -o cputime cputime.c
 *   ./cputime times.txt okta-fetch -q <in >out
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
secs(struct timeval tv)
{
	return tv.tv_sec + tv.tv_usec / 1e6;
}

int
main(int argc, char *argv[])
{
	struct rusage ru;
	double t0, t1, load[1] = { -1 };
	FILE *fp;
	pid_t pid;
	int st;

	if (argc < 3) {
		fprintf(stderr, "usage: cputime file command [arg ...]\n");
		return 2;
	}
	t0 = now();
	if ((pid = fork()) == -1) {
		perror("cputime: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "cputime: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) == -1)
		if (errno != EINTR) {
			perror("cputime: wait4");
			return 2;
		}
	t1 = now();
	(void)getloadavg(load, 1);
	if ((fp = fopen(argv[1], "a")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	fprintf(fp, "%.6f %.6f %ld %.2f\n", t1 - t0,
	    secs(ru.ru_utime) + secs(ru.ru_stime), ru.ru_maxrss, load[0]);
	if (fclose(fp) == EOF) {
		perror(argv[1]);
		return 2;
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
