/* bench/runtime's start-up clock: runs a command N times (output to
 * /dev/null) and prints the median wall time from spawn to exit, in ms.
 * A shell's own fork and clock would add milliseconds to every sample.
 * Usage: startup N COMMAND [ARGS...] */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int n = argc > 2 ? atoi(argv[1]) : 0;
  if (n < 1 || n > 1000) {
    fprintf(stderr, "usage: startup N COMMAND [ARGS...]\n");
    return 2;
  }
  double *t = calloc((size_t)n, sizeof *t);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  for (int i = 0; i < n; i++) {
    double t0 = now_ms();
    pid_t pid;
    int status;
    if (posix_spawnp(&pid, argv[2], &fa, NULL, argv + 2, environ) != 0) {
      fprintf(stderr, "startup: cannot run %s\n", argv[2]);
      return 1;
    }
    waitpid(pid, &status, 0);
    t[i] = now_ms() - t0;
  }
  qsort(t, (size_t)n, sizeof *t, by_value);
  printf("%.1f\n", t[n / 2]);
  return 0;
}
