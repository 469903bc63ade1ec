/*
 * device.c — `kiln device --connect HOST:PORT [--token T] [--name N]
 * [-I DIR]... [FILE.clj...]`: a device process on this machine (the host
 * target). It loads the given files (an app: they may loop forever, calling
 * through vars that patches replace) while the device client applies the
 * patches the server sends, and stays up for patches until SIGINT/SIGTERM.
 * The server reads those files too, for the macros they define (shadow
 * namespaces, DESIGN §7).
 *
 * The token comes from --token, else $KILN_TOKEN, else .kiln/token in the
 * current directory (where `kiln serve` writes it).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "compiler/compiler.h"
#include "kiln/kiln.h"
#include "runtime/rt.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static bool read_token_file(char *out, size_t n) {
  FILE *f = fopen(".kiln/token", "r");
  if (!f) return false;
  bool ok = fgets(out, (int)n, f) != NULL;
  fclose(f);
  out[strcspn(out, "\r\n")] = 0;
  return ok && *out;
}

typedef struct files_ctx {
  char **files;
  int n;
  volatile int done; /* 1 loaded, 2 failed */
} files_ctx;

static kiln_val load_files(void *arg) {
  files_ctx *fc = arg;
  kiln_val v = KILN_NIL;
  for (int i = 0; i < fc->n; i++) v = kiln_load_file(fc->files[i]);
  return v;
}

/* The app thread: loads the files (which may run forever). */
static void *app_main(void *arg) {
  files_ctx *fc = arg;
  kiln_thread_attach();
  kiln_val r, ex;
  if (!kiln_pcall(load_files, fc, &r, &ex)) {
    fprintf(stderr, "kiln: %s\n", kiln_compiler_error_text(ex));
    fc->done = 2;
  } else {
    fc->done = 1;
  }
  return NULL;
}

int kiln_cmd_device(int argc, char **argv) {
  const char *connect = NULL, *token = NULL, *name = NULL;
  char **files = calloc((size_t)argc + 1, sizeof *files);
  int nfiles = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--connect") == 0 && v) connect = v, i++;
    else if (strcmp(a, "--token") == 0 && v) token = v, i++;
    else if (strcmp(a, "--name") == 0 && v) name = v, i++;
    else if (strcmp(a, "-I") == 0 && v) {
      kiln_runtime_new();
      kiln_compiler_add_path(v);
      i++;
    } else if (a[0] == '-') {
      kiln_cli_error("device: unknown option '%s'\nusage: kiln device --connect HOST:PORT "
                     "[--token T] [--name N] [-I DIR]... [FILE.clj...]",
                     a);
      return 2;
    } else files[nfiles++] = argv[i];
  }
  if (!connect) {
    kiln_cli_error("device: --connect HOST:PORT is required (the server's device port)");
    return 2;
  }
  char host[256];
  const char *colon = strrchr(connect, ':');
  int port = colon ? atoi(colon + 1) : 0;
  if (!colon || port <= 0 || (size_t)(colon - connect) >= sizeof host) {
    kiln_cli_error("device: '%s' is not HOST:PORT", connect);
    return 2;
  }
  memcpy(host, connect, (size_t)(colon - connect));
  host[colon - connect] = 0;
  char tokbuf[256];
  if (!token) token = getenv("KILN_TOKEN");
  if (!token && read_token_file(tokbuf, sizeof tokbuf)) token = tokbuf;
  if (!token) {
    kiln_cli_error("device: no token: pass --token, set KILN_TOKEN, or run where .kiln/token is");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  kiln_runtime *rt = kiln_runtime_new();
  kiln_thread_attach();
  /* The files load first (for up to 2 s, if they go on running an app
   * loop), so the hello lists their namespaces and sources. */
  files_ctx fc = {files, nfiles, 0};
  if (nfiles > 0) {
    pthread_t t;
    if (pthread_create(&t, NULL, app_main, &fc) != 0) {
      kiln_cli_error("device: cannot start the app thread");
      return 1;
    }
    pthread_detach(t);
    for (int i = 0; i < 200 && !fc.done; i++) usleep(10000);
  }
  kiln_device_opts o = {.host = host, .port = port, .token = token, .name = name};
  kiln_error err;
  memset(&err, 0, sizeof err);
  if (kiln_device_start(rt, &o, &err) != 0) {
    kiln_cli_error("device: %s", err.message);
    return 1;
  }
  /* The device stays up for patches until it is told to stop. */
  while (!stop && fc.done != 2) usleep(100000);
  int status = fc.done == 2 ? 1 : 0;
  kiln_device_stop(rt);
  free(files);
  return status;
}
