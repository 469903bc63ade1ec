/*
 * repl.c — `kiln repl [--connect HOST:PORT]`: a terminal nREPL client with
 * line editing and history (libedit when the build found it). Without
 * --connect it starts `kiln serve --local` on free ports and talks to that,
 * so evaluation goes to a local device process.
 *
 * Input is collected until its brackets balance (strings, chars and comments
 * understood), then sent as one eval. out and err are printed as they
 * arrive, values as `=> value`. Ctrl-C during an eval sends interrupt;
 * Ctrl-D quits.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "nrepl/nrepl.h"

#if KILN_HAVE_LIBEDIT
#include <editline/readline.h>
#endif

static volatile sig_atomic_t interrupted;
static void on_sigint(int sig) {
  (void)sig;
  interrupted = 1;
}

/* ---- reading lines ---- */

static char *read_line(const char *prompt) {
#if KILN_HAVE_LIBEDIT
  if (isatty(0)) return readline(prompt);
#endif
  if (isatty(0)) {
    fputs(prompt, stdout);
    fflush(stdout);
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline(&line, &cap, stdin);
  if (n < 0) {
    free(line);
    return NULL;
  }
  if (n > 0 && line[n - 1] == '\n') line[n - 1] = 0;
  return line;
}

/* Bracket depth of [s] after the text so far; negative means unbalanced closing. */
static int depth_of(const char *s, int depth, bool *in_string) {
  for (; *s; s++) {
    char c = *s;
    if (*in_string) {
      if (c == '\\' && s[1]) s++;
      else if (c == '"') *in_string = false;
      continue;
    }
    if (c == '"') *in_string = true;
    else if (c == ';') {
      while (*s && *s != '\n') s++;
      if (!*s) break;
    } else if (c == '\\' && s[1]) s++;
    else if (c == '(' || c == '[' || c == '{') depth++;
    else if (c == ')' || c == ']' || c == '}') depth--;
  }
  return depth;
}

/* ---- the connection ---- */

typedef struct client {
  int fd;
  kiln_benc_decoder dec;
  int next_id;
  char session[64];
  char ns[256];
} client;

static bool client_send(client *c, kiln_benc *m) {
  kiln_bbuf b = {0};
  kiln_benc_encode(&b, m);
  kiln_benc_free(m);
  bool ok = kiln_write_all(c->fd, b.p, b.len);
  kiln_bbuf_free(&b);
  return ok;
}

/* The next message, or NULL when the server is gone. Polls so Ctrl-C can
 * send an interrupt for [id] while waiting. */
static kiln_benc *client_read(client *c, const char *interrupt_id) {
  char buf[65536];
  for (;;) {
    kiln_benc *m;
    kiln_benc_status st = kiln_benc_next(&c->dec, &m);
    if (st == KILN_BENC_MESSAGE) return m;
    if (st == KILN_BENC_FATAL) return NULL;
    if (st == KILN_BENC_SKIPPED) continue;
    struct pollfd p = {c->fd, POLLIN, 0};
    int rc = poll(&p, 1, 100);
    if (interrupted && interrupt_id) {
      interrupted = 0;
      kiln_benc *i = kiln_benc_dict();
      kiln_benc_set_str(i, "op", "interrupt");
      kiln_benc_set_str(i, "session", c->session);
      kiln_benc_set_str(i, "interrupt-id", interrupt_id);
      kiln_benc_set_str(i, "id", "interrupt");
      client_send(c, i);
    }
    if (rc <= 0) continue;
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return NULL;
    kiln_benc_feed(&c->dec, buf, (size_t)n);
  }
}

static bool has_status(const kiln_benc *m, const char *s) {
  const kiln_benc *st = kiln_benc_get(m, "status");
  for (size_t i = 0; st && st->type == KILN_BENC_LIST && i < st->n; i++)
    if (st->items[i]->type == KILN_BENC_STR && strcmp(st->items[i]->s, s) == 0) return true;
  return false;
}

/* Sends [m] with a new id and prints replies until its done. */
static bool request(client *c, kiln_benc *m, bool print) {
  char id[32];
  snprintf(id, sizeof id, "r%d", ++c->next_id);
  kiln_benc_set_str(m, "id", id);
  if (c->session[0]) kiln_benc_set_str(m, "session", c->session);
  if (!client_send(c, m)) return false;
  for (;;) {
    kiln_benc *r = client_read(c, id);
    if (!r) return false;
    const char *rid = kiln_benc_get_str(r, "id", NULL);
    if (!rid || strcmp(rid, id) != 0) {
      kiln_benc_free(r);
      continue;
    }
    const char *s;
    size_t n;
    if ((s = kiln_benc_get_str(r, "new-session", NULL))) snprintf(c->session, sizeof c->session, "%s", s);
    if ((s = kiln_benc_get_str(r, "ns", NULL))) snprintf(c->ns, sizeof c->ns, "%s", s);
    if (print) {
      if ((s = kiln_benc_get_str(r, "out", &n))) fwrite(s, 1, n, stdout), fflush(stdout);
      if ((s = kiln_benc_get_str(r, "err", &n))) fwrite(s, 1, n, stderr), fflush(stderr);
      if ((s = kiln_benc_get_str(r, "value", &n))) printf("%s\n", s), fflush(stdout);
      if (has_status(r, "need-input")) {
        char *line = read_line("");
        kiln_benc *in = kiln_benc_dict();
        kiln_benc_set_str(in, "op", "stdin");
        kiln_benc_set_str(in, "session", c->session);
        kiln_benc_set_str(in, "id", "stdin");
        size_t ln = line ? strlen(line) : 0;
        char *text = malloc(ln + 2);
        if (line) memcpy(text, line, ln);
        text[ln] = '\n';
        text[ln + 1] = 0;
        kiln_benc_set_strn(in, "stdin", text, line ? ln + 1 : 0);
        free(text);
        free(line);
        client_send(c, in);
      }
    }
    bool done = has_status(r, "done");
    kiln_benc_free(r);
    if (done) return true;
  }
}

/* ---- starting a local server ---- */

static pid_t server_pid = -1;

static int start_local_server(const char *self, int *port) {
  int p[2];
  if (pipe(p) != 0) return -1;
  server_pid = fork();
  if (server_pid == 0) {
    dup2(p[1], 1);
    close(p[0]);
    close(p[1]);
    /* The server's log (devices connecting) would interleave with the REPL. */
    if (!getenv("KILN_VERBOSE")) {
      int null = open("/dev/null", O_WRONLY);
      if (null >= 0) dup2(null, 2);
    }
    execl(self, self, "serve", "--local", "--port", "0", "--device-port", "0", (char *)NULL);
    _exit(127);
  }
  close(p[1]);
  FILE *f = fdopen(p[0], "r");
  char line[512];
  while (fgets(line, sizeof line, f)) {
    const char *s = strstr(line, "started on port ");
    if (s && sscanf(s, "started on port %d", port) == 1) return 0;
  }
  return -1;
}

static void stop_local_server(void) {
  if (server_pid > 0) {
    kill(server_pid, SIGTERM);
    waitpid(server_pid, NULL, 0);
    server_pid = -1;
  }
}

int kiln_cmd_repl(int argc, char **argv) {
  const char *connect = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--connect") == 0 && i + 1 < argc) connect = argv[++i];
    else {
      kiln_cli_error("repl: unknown option '%s'\nusage: kiln repl [--connect HOST:PORT]", argv[i]);
      return 2;
    }
  }
  char host[256] = "127.0.0.1";
  int port = 0;
  if (connect) {
    const char *colon = strrchr(connect, ':');
    if (!colon || (port = atoi(colon + 1)) <= 0 || (size_t)(colon - connect) >= sizeof host) {
      kiln_cli_error("repl: '%s' is not HOST:PORT", connect);
      return 2;
    }
    memcpy(host, connect, (size_t)(colon - connect));
    host[colon - connect] = 0;
    if (!host[0]) strcpy(host, "127.0.0.1");
  } else {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) snprintf(self, sizeof self, "%s", "kiln");
    else self[n] = 0;
    if (start_local_server(self, &port) != 0) {
      kiln_cli_error("repl: could not start `kiln serve --local`");
      stop_local_server();
      return 1;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  char err[256];
  client c = {0};
  c.fd = kiln_connect(host, port, err, sizeof err);
  if (c.fd < 0) {
    kiln_cli_error("repl: %s", err);
    stop_local_server();
    return 1;
  }
  kiln_benc_decoder_init(&c.dec, 0);
  snprintf(c.ns, sizeof c.ns, "user");
  if (!request(&c, kiln_benc_set_str(kiln_benc_dict(), "op", "clone"), false)) {
    kiln_cli_error("repl: the server at %s:%d did not answer clone", host, port);
    stop_local_server();
    return 1;
  }
  struct sigaction sa = {0};
  sa.sa_handler = on_sigint;
  sigaction(SIGINT, &sa, NULL);
  char history[4096] = "";
#if KILN_HAVE_LIBEDIT
  const char *home = getenv("HOME");
  if (home) {
    snprintf(history, sizeof history, "%s/.kiln_history", home);
    read_history(history);
  }
#endif
  if (isatty(0)) printf("Kiln %s REPL on %s:%d. Ctrl-D quits, Ctrl-C interrupts an eval.\n", KILN_VERSION, host, port);
  kiln_bbuf code = {0};
  int depth = 0;
  bool in_string = false;
  int status = 0;
  for (;;) {
    char prompt[300];
    if (code.len) snprintf(prompt, sizeof prompt, "%*s", (int)strlen(c.ns) + 3, "");
    else snprintf(prompt, sizeof prompt, "%s=> ", c.ns);
    interrupted = 0;
    char *line = read_line(prompt);
    if (!line) break;
    if (interrupted) {
      code.len = 0, depth = 0, in_string = false;
      free(line);
      continue;
    }
    kiln_bbuf_put(&code, line, strlen(line));
    kiln_bbuf_put(&code, "\n", 1);
    depth = depth_of(line, depth, &in_string);
    free(line);
    if (depth > 0 || in_string) continue;
    const char *s = code.p;
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    if (*s) {
#if KILN_HAVE_LIBEDIT
      char *h = strndup(code.p, code.len - 1);
      add_history(h);
      free(h);
#endif
      kiln_benc *m = kiln_benc_dict();
      kiln_benc_set_str(m, "op", "eval");
      kiln_benc_set_strn(m, "code", code.p, code.len);
      if (!request(&c, m, true)) {
        kiln_cli_error("repl: the server closed the connection");
        status = 1;
        break;
      }
    }
    code.len = 0, depth = 0, in_string = false;
  }
#if KILN_HAVE_LIBEDIT
  if (history[0]) write_history(history);
#endif
  kiln_bbuf_free(&code);
  close(c.fd);
  stop_local_server();
  return status;
}
