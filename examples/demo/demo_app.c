/*
 * demo_app.c — the app of `make demo`: a C host that embeds Kiln (kiln.h),
 * loads app.clj, connects to a compile server as a device, and calls the var
 * demo.app/tick every 200 ms. Patches the server sends replace vars while it
 * runs; every call goes through the var, so the next tick runs the new code.
 *
 *   demo_app APP.clj HOST:PORT TOKEN [SECONDS]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiln/kiln.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) exit(1);
  s[n] = 0;
  fclose(f);
  return s;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s APP.clj HOST:PORT TOKEN [SECONDS]\n", argv[0]);
    return 2;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  setvbuf(stdout, NULL, _IOLBF, 0);
  kiln_runtime *rt = kiln_runtime_new();
  kiln_thread_attach();
  kiln_error err;
  char *code = slurp(argv[1]);
  if (!code || kiln_eval(rt, code, "user", NULL, &err) != 0) {
    fprintf(stderr, "demo app: cannot load %s: %s\n", argv[1], code ? err.message : "unreadable");
    return 1;
  }
  char host[256];
  const char *colon = strrchr(argv[2], ':');
  snprintf(host, sizeof host, "%.*s", (int)(colon - argv[2]), argv[2]);
  kiln_device_opts o = {.host = host, .port = atoi(colon + 1), .token = argv[3], .name = "demo-app"};
  if (kiln_device_start(rt, &o, &err) != 0) {
    fprintf(stderr, "demo app: %s\n", err.message);
    return 1;
  }
  double seconds = argc > 4 ? atof(argv[4]) : 1e9;
  for (int i = 0; !stop && i * 0.2 < seconds; i++) {
    if (kiln_call_var(rt, "demo.app", "tick", 0, NULL, NULL, &err) != 0)
      fprintf(stderr, "demo app: tick failed: %s\n", err.message);
    usleep(200000);
  }
  kiln_device_stop(rt);
  return 0;
}
