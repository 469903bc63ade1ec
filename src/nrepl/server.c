/*
 * server.c — `kiln serve`: the nREPL listener, a thread per editor
 * connection, the .nrepl-port file, the device token, and the optional local
 * device child (serve --local).
 *
 * Shutdown: SIGINT and SIGTERM write to a pipe the accept loop polls, so the
 * main thread (not the handler) removes .nrepl-port, stops the device child
 * and exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kiln/kiln.h"
#include "nrepl/nrepl.h"

static int stop_pipe[2] = {-1, -1};
static char token[65];
static size_t max_message = KILN_BENC_DEFAULT_MAX;
static bool port_file_written;
static pid_t local_child = -1;

const char *kiln_server_token(void) { return token; }
size_t kiln_server_max_message(void) { return max_message; }
static bool local_mode;
bool kiln_server_local(void) { return local_mode; }

static void on_signal(int sig) {
  char c = (char)sig;
  if (write(stop_pipe[1], &c, 1) < 0) { /* nothing to do in a handler */
  }
}

/* ---- the token ---- */

static int make_token(char *err, size_t errlen) {
  const char *env = getenv("KILN_TOKEN");
  if (env && *env) {
    snprintf(token, sizeof token, "%s", env);
  } else {
    uint8_t b[32];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, b, sizeof b) != (ssize_t)sizeof b) {
      snprintf(err, errlen, "cannot read /dev/urandom for the device token: %s", strerror(errno));
      if (fd >= 0) close(fd);
      return -1;
    }
    close(fd);
    kiln_hex_encode(b, sizeof b, token);
  }
  mkdir(".kiln", 0700);
  int fd = open(".kiln/token.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && fchmod(fd, 0600) == 0 &&
            write(fd, token, strlen(token)) == (ssize_t)strlen(token) && write(fd, "\n", 1) == 1;
  if (fd >= 0) close(fd);
  if (!ok || rename(".kiln/token.tmp", ".kiln/token") != 0)
    fprintf(stderr, "kiln: warning: cannot write .kiln/token (%s); devices need --token\n",
            strerror(errno));
  return 0;
}

/* ---- connections ---- */

static void send_error(kiln_conn *c, const char *status, const char *text) {
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set_str(m, "err", text);
  kiln_benc_set(m, "status", kiln_benc_strs("error", status, NULL));
  kiln_conn_send(c, m);
  kiln_benc_free(m);
}

static void *conn_main(void *arg) {
  kiln_conn *c = arg;
  kiln_thread_attach();
  kiln_benc_decoder d;
  kiln_benc_decoder_init(&d, max_message);
  char buf[65536];
  while (!c->closed) {
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    kiln_benc_feed(&d, buf, (size_t)n);
    for (;;) {
      kiln_benc *msg;
      kiln_benc_status st = kiln_benc_next(&d, &msg);
      if (st == KILN_BENC_MORE) break;
      if (st == KILN_BENC_MESSAGE) {
        kiln_op_dispatch(c, msg);
        continue;
      }
      char text[256];
      snprintf(text, sizeof text, "kiln: refused a message from %s: %s\n", c->peer, d.error);
      if (st == KILN_BENC_SKIPPED) {
        send_error(c, "malformed-message", text);
        continue;
      }
      send_error(c, strstr(d.error, "limit") ? "message-too-large" : "malformed-message", text);
      fputs(text, stderr);
      kiln_conn_shutdown(c);
      break;
    }
  }
  kiln_benc_decoder_free(&d);
  c->closed = 1;
  kiln_conn_release(c);
  kiln_thread_detach();
  return NULL;
}

static void start_thread(void *(*fn)(void *), void *arg) {
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 8u << 20);
  if (pthread_create(&t, &attr, fn, arg) != 0) {
    fprintf(stderr, "kiln: cannot start a thread: %s\n", strerror(errno));
    abort();
  }
  pthread_attr_destroy(&attr);
}

/* ---- the local device ---- */

static pid_t spawn_local_device(const char *kiln_path, int device_port) {
  char connect[64];
  snprintf(connect, sizeof connect, "127.0.0.1:%d", device_port);
  pid_t pid = fork();
  if (pid == 0) {
    setenv("KILN_TOKEN", token, 1);
    execl(kiln_path, kiln_path, "device", "--connect", connect, "--name", "local", (char *)NULL);
    fprintf(stderr, "kiln: cannot start the local device (%s): %s\n", kiln_path, strerror(errno));
    _exit(127);
  }
  return pid;
}

static void cleanup(void) {
  if (port_file_written) unlink(".nrepl-port");
  port_file_written = false;
  if (local_child > 0) {
    kill(local_child, SIGTERM);
    for (int i = 0; i < 50; i++) {
      if (waitpid(local_child, NULL, WNOHANG) == local_child) {
        local_child = -1;
        break;
      }
      usleep(10000);
    }
    if (local_child > 0) {
      kill(local_child, SIGKILL);
      waitpid(local_child, NULL, 0);
    }
    local_child = -1;
  }
}

int kiln_server_run(const kiln_server_opts *opts) {
  char err[512];
  if (opts->max_message) max_message = opts->max_message;
  signal(SIGPIPE, SIG_IGN);
  if (pipe(stop_pipe) != 0) {
    fprintf(stderr, "kiln: cannot create a pipe: %s\n", strerror(errno));
    return 1;
  }
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  kiln_engine_init();
  if (make_token(err, sizeof err) != 0) {
    fprintf(stderr, "kiln: %s\n", err);
    return 1;
  }
  int port = 0, device_port = -1;
  int lfd = kiln_listen(opts->bind, opts->port, &port, err, sizeof err);
  if (lfd < 0) {
    fprintf(stderr, "kiln: %s (is another server running? try --port)\n", err);
    return 1;
  }
  if (opts->device_port >= 0) {
    if (kiln_hub_start(opts->bind, opts->device_port, token, &device_port, err, sizeof err) != 0) {
      fprintf(stderr, "kiln: %s (try --device-port)\n", err);
      return 1;
    }
  }
  if (opts->local && device_port > 0) {
    local_mode = true;
    local_child = spawn_local_device(opts->kiln_path, device_port);
    if (!kiln_hub_wait_any(20000))
      fprintf(stderr, "kiln: the local device did not connect; evaluating in the server\n");
  }
  FILE *pf = fopen(".nrepl-port", "w");
  if (pf) {
    fprintf(pf, "%d", port);
    fclose(pf);
    port_file_written = true;
  }
  if (device_port > 0) fprintf(stderr, "kiln: devices connect to port %d\n", device_port);
  printf("nREPL server started on port %d on host %s - nrepl://%s:%d\n", port, opts->bind,
         opts->bind, port);
  fflush(stdout);

  for (;;) {
    struct pollfd p[2] = {{lfd, POLLIN, 0}, {stop_pipe[0], POLLIN, 0}};
    int rc = poll(p, 2, local_child > 0 ? 500 : -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) break;
    /* serve --local: a local device that died (a patch crashed it) is
     * started again, so the next eval has somewhere to run. */
    int wst;
    if (local_child > 0 && waitpid(local_child, &wst, WNOHANG) == local_child) {
      fprintf(stderr, "kiln: the local device exited (%s %d); starting a new one\n",
              WIFSIGNALED(wst) ? "signal" : "status", WIFSIGNALED(wst) ? WTERMSIG(wst) : WEXITSTATUS(wst));
      local_child = spawn_local_device(opts->kiln_path, device_port);
    }
    if (rc == 0) continue;
    if (p[1].revents) break;
    if (p[0].revents & POLLIN) {
      int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
      if (fd < 0) continue;
      start_thread(conn_main, kiln_conn_new(fd));
    }
  }
  close(lfd);
  kiln_hub_stop();
  cleanup();
  return 0;
}
