/*
 * device.c — the app side of the device channel (kiln_device_start and
 * kiln_device_stop of kiln/kiln.h; the protocol is in docs/protocol.md).
 *
 * A background thread connects out to the server, says hello (token, target,
 * ABI and layout, runtime version, name, id, pid, and the namespaces and vars
 * this process holds), then serves the server's requests:
 *
 *   load-patch  checks the SHA-256 of the bytes and the HMAC-SHA256 (keyed by
 *               the token) over id, symbol and hash before anything touches
 *               the disk, then applies the patch with the loader (transactional:
 *               a patch that throws leaves every var as it was) and answers
 *               with out/err, value or the error, and done with timings
 *   rollback    undoes the last applied patch
 *   patches     lists the registry
 *
 * When the server goes away the thread reconnects with exponential backoff
 * (100 ms doubling to 5 s). Release builds (KILN_HOT_RELOAD off) contain none
 * of this: kiln_device_start fails with a message.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kiln/kiln.h"
#include "runtime/rt.h"

#if KILN_HOT_RELOAD
#include "device/bencode.h"
#include "patch/patch.h"
#include "toolchain/toolchain.h"

/* A request waiting for the apply thread. */
typedef struct device_job {
  kiln_benc *msg;
  struct device_job *next;
} device_job;

typedef struct device_client {
  char host[256];
  int port;
  char token[128];
  char name[128];
  char id[160];
  volatile bool stop;
  int fd;
  pthread_t thread;
  pthread_mutex_t wlock;
  bool running;
  /* The apply thread runs requests in order while the connection thread
   * keeps reading, so an interrupt can reach a patch that loops. */
  pthread_t apply_thread;
  pthread_mutex_t qlock;
  pthread_cond_t qcond;
  device_job *head, *tail;
  char current[64];          /* id of the request being applied */
  kiln_thread *apply_state;  /* the apply thread's runtime state */
} device_client;

static device_client *client;

static bool send_msg(device_client *c, kiln_benc *m) {
  kiln_bbuf b = {0};
  kiln_benc_encode(&b, m);
  kiln_benc_free(m);
  pthread_mutex_lock(&c->wlock);
  const char *p = b.p;
  size_t n = b.len;
  bool ok = true;
  while (n > 0) {
    ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      ok = false;
      break;
    }
    p += w;
    n -= (size_t)w;
  }
  pthread_mutex_unlock(&c->wlock);
  kiln_bbuf_free(&b);
  return ok;
}

static int connect_to(const char *host, int port) {
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  char ps[16];
  snprintf(ps, sizeof ps, "%d", port);
  if (getaddrinfo(host, ps, &hints, &res) != 0) return -1;
  int fd = -1;
  for (struct addrinfo *a = res; a; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd >= 0) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

/* ---- hello ---- */

typedef struct vars_ctx {
  kiln_benc *vars;    /* ns -> [var names] */
  kiln_benc *sources; /* ns -> the source file its vars came from */
} vars_ctx;

static kiln_val vars_body(void *arg) {
  vars_ctx *vc = arg;
  kiln_val file_kw = kiln_kw(NULL, "file");
  for (kiln_val s = kiln_ns_all(); s != KILN_NIL; s = kiln_next(s)) {
    kiln_val ns = kiln_first(s);
    const char *name = kiln_ns_name(ns);
    if (strncmp(name, "clojure.", 8) == 0 || strncmp(name, "kiln.", 5) == 0) continue;
    kiln_benc *names = kiln_benc_list();
    const char *source = NULL;
    for (kiln_val m = kiln_seq(((kiln_ns *)ns)->mappings); m != KILN_NIL; m = kiln_next(m)) {
      kiln_val e = kiln_first(m);
      kiln_val v = kiln_nth(e, 1, KILN_NIL, true);
      if (!KILN_HAS_TYPE(v, KILN_T_VAR) || ((kiln_var *)v)->ns != ns) continue;
      kiln_benc_push(names, kiln_benc_str(kiln_sym_name(kiln_nth(e, 0, KILN_NIL, true))));
      kiln_val f = kiln_get(((kiln_var *)v)->meta, file_kw, KILN_NIL);
      if (!source && KILN_HAS_TYPE(f, KILN_T_STRING) && kiln_str_data(f)[0] == '/')
        source = kiln_str_data(f);
    }
    kiln_benc_set(vc->vars, name, names);
    if (source) kiln_benc_set_str(vc->sources, name, source);
  }
  return KILN_NIL;
}

static kiln_benc *hello(device_client *c) {
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set_str(m, "op", "hello");
  kiln_benc_set_str(m, "token", c->token);
  kiln_benc_set_str(m, "target", kiln_tc_target_host()->name);
  kiln_benc_set_int(m, "abi", KILN_ABI_VERSION);
  kiln_benc_set_int(m, "layout", KILN_LAYOUT_HASH);
  kiln_benc_set_str(m, "runtime-version", kiln_version());
  kiln_benc_set_str(m, "name", c->name);
  kiln_benc_set_str(m, "id", c->id);
  kiln_benc_set_int(m, "pid", getpid());
  vars_ctx vc = {kiln_benc_dict(), kiln_benc_dict()};
  kiln_val r, ex;
  kiln_pcall(vars_body, &vc, &r, &ex);
  kiln_benc_set(m, "vars", vc.vars);
  kiln_benc_set(m, "sources", vc.sources);
  return m;
}

/* ---- serving requests ---- */

/* *out* or *err* of one patch, sent as {id out} / {id err}. In GC memory,
 * reachable from its writer, which code may keep after the patch ran; text
 * written after the patch finished is dropped. */
typedef struct stream_ctx {
  device_client *c;
  char id[64];
  const char *key;
  kiln_bbuf buf;
  pthread_mutex_t lock;
  bool closed;
} stream_ctx;

static void stream_send(stream_ctx *s) {
  pthread_mutex_lock(&s->lock);
  if (s->buf.len && !s->closed) {
    kiln_benc *m = kiln_benc_dict();
    kiln_benc_set_str(m, "id", s->id);
    kiln_benc_set_strn(m, s->key, s->buf.p, s->buf.len);
    send_msg(s->c, m);
  }
  s->buf.len = 0;
  pthread_mutex_unlock(&s->lock);
}

static void stream_write(kiln_writer *w, const char *s, size_t n) {
  stream_ctx *st = w->ctx;
  pthread_mutex_lock(&st->lock);
  bool send = false;
  if (!st->closed) {
    kiln_bbuf_put(&st->buf, s, n);
    send = st->buf.len >= 1024 || (n > 0 && s[n - 1] == '\n');
  }
  pthread_mutex_unlock(&st->lock);
  if (send) stream_send(st);
}

static stream_ctx *stream_new(device_client *c, const char *id, const char *key) {
  stream_ctx *st = kiln_alloc(sizeof *st);
  st->c = c;
  snprintf(st->id, sizeof st->id, "%s", id);
  st->key = key;
  pthread_mutex_init(&st->lock, NULL);
  return st;
}

static void stream_close(stream_ctx *st) {
  stream_send(st);
  pthread_mutex_lock(&st->lock);
  st->closed = true;
  kiln_bbuf_free(&st->buf);
  pthread_mutex_unlock(&st->lock);
}

static void stream_flush(kiln_writer *w) { stream_send(w->ctx); }

static kiln_benc *reply(const char *id) {
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set_str(m, "id", id);
  return m;
}

static void reply_done(device_client *c, const char *id, const char *extra, const char *message,
                       kiln_benc *timings) {
  kiln_benc *m = reply(id);
  if (extra && strcmp(extra, "applied") == 0) kiln_benc_set(m, "status", kiln_benc_strs("done", "applied", NULL));
  else if (extra) kiln_benc_set(m, "status", kiln_benc_strs("done", "error", extra, NULL));
  else kiln_benc_set(m, "status", kiln_benc_strs("done", NULL));
  if (message) kiln_benc_set_str(m, "message", message);
  if (timings) kiln_benc_set(m, "kiln/timings", timings);
  send_msg(c, m);
}

static bool verify(device_client *c, const kiln_benc *m, const char *id, const char *symbol,
                   const uint8_t *bytes, size_t n, char *why, size_t whyn) {
  uint8_t h[KILN_SHA256_LEN], mac[KILN_SHA256_LEN];
  char hex[2 * KILN_SHA256_LEN + 1], machex[2 * KILN_SHA256_LEN + 1];
  kiln_sha256(bytes, n, h);
  kiln_hex_encode(h, KILN_SHA256_LEN, hex);
  const char *want_hash = kiln_benc_get_str(m, "sha256", NULL);
  const char *want_mac = kiln_benc_get_str(m, "hmac", NULL);
  if (!want_hash || strlen(want_hash) != 2 * KILN_SHA256_LEN ||
      !kiln_digest_equal((const uint8_t *)hex, (const uint8_t *)want_hash, 2 * KILN_SHA256_LEN)) {
    snprintf(why, whyn, "the patch's bytes do not match its SHA-256: refused, nothing written");
    return false;
  }
  char in[512];
  int len = snprintf(in, sizeof in, "kiln-patch-v1\n%s\n%s\n%s", id, symbol, hex);
  kiln_hmac_sha256(c->token, strlen(c->token), in, (size_t)len, mac);
  kiln_hex_encode(mac, KILN_SHA256_LEN, machex);
  if (!want_mac || strlen(want_mac) != 2 * KILN_SHA256_LEN ||
      !kiln_digest_equal((const uint8_t *)machex, (const uint8_t *)want_mac, 2 * KILN_SHA256_LEN)) {
    snprintf(why, whyn, "the patch's HMAC does not match this device's token: refused, nothing written");
    return false;
  }
  return true;
}

static const char *ex_class(kiln_val ex) {
  if (KILN_HAS_TYPE(ex, KILN_T_EXCEPTION)) return ((kiln_exception *)ex)->cls;
  return kiln_class_name(ex);
}

static kiln_val root_cause(kiln_val ex) {
  for (int i = 0; i < 64 && KILN_HAS_TYPE(ex, KILN_T_EXCEPTION); i++) {
    kiln_val c = ((kiln_exception *)ex)->cause;
    if (!KILN_HAS_TYPE(c, KILN_T_EXCEPTION)) break;
    ex = c;
  }
  return ex;
}

static void load_patch(device_client *c, const kiln_benc *m, const char *id) {
  size_t n = 0;
  const char *bytes = kiln_benc_get_str(m, "bytes", &n);
  const char *symbol = kiln_benc_get_str(m, "symbol", NULL);
  char why[256];
  if (!bytes || !symbol) {
    reply_done(c, id, "bad-request", "load-patch needs bytes and symbol", NULL);
    return;
  }
  if (!verify(c, m, id, symbol, (const uint8_t *)bytes, n, why, sizeof why)) {
    fprintf(stderr, "kiln device: %s\n", why);
    kiln_benc *e = reply(id);
    char text[300];
    snprintf(text, sizeof text, "kiln: %s\n", why);
    kiln_benc_set_str(e, "err", text);
    send_msg(c, e);
    reply_done(c, id, "unauthenticated", why, NULL);
    return;
  }
  stream_ctx *out = stream_new(c, id, "out"), *err = stream_new(c, id, "err");
  kiln_var *vars[] = {kiln_v_out, kiln_v_err};
  kiln_val vals[] = {kiln_writer_callback(stream_write, stream_flush, out),
                     kiln_writer_callback(stream_write, stream_flush, err)};
  kiln_var_push_bindings_n(2, vars, vals);
  kiln_val result = KILN_NIL;
  const kiln_patch_record *rec = NULL;
  kiln_error e;
  memset(&e, 0, sizeof e);
  int rc = kiln_patch_load((const uint8_t *)bytes, n, symbol, &result, &rec, &e);
  kiln_var_pop_bindings();
  stream_close(out);
  stream_close(err);
  if (rc != 0) {
    kiln_benc *r = reply(id);
    char text[1200];
    snprintf(text, sizeof text, "%s\n", e.message);
    kiln_benc_set_str(r, "err", text);
    send_msg(c, r);
    r = reply(id);
    kiln_val ex = e.exception;
    char cls[256];
    snprintf(cls, sizeof cls, "class %s", ex ? ex_class(ex) : "kiln.PatchError");
    kiln_benc_set_str(r, "ex", cls);
    snprintf(cls, sizeof cls, "class %s", ex ? ex_class(root_cause(ex)) : "kiln.PatchError");
    kiln_benc_set_str(r, "root-ex", cls);
    send_msg(c, r);
    reply_done(c, id, "patch-failed", e.message, NULL);
    return;
  }
  kiln_benc *r = reply(id);
  kiln_benc_set_str(r, "value", kiln_to_string(result));
  send_msg(c, r);
  kiln_benc *t = kiln_benc_dict();
  if (rec) {
    kiln_benc_set_int(t, "load-us", (int64_t)(rec->t.ms[KILN_PHASE_load] * 1000.0));
    kiln_benc_set_int(t, "run-us", (int64_t)(rec->t.ms[KILN_PHASE_run] * 1000.0));
  }
  reply_done(c, id, "applied", NULL, t);
}

static void list_patches(device_client *c, const char *id) {
  kiln_benc *l = kiln_benc_list();
  size_t n = kiln_patch_count();
  for (size_t i = 0; i < n; i++) {
    const kiln_patch_record *p = kiln_patch_at(i);
    kiln_benc *d = kiln_benc_dict();
    kiln_benc_set_int(d, "id", (int64_t)p->id);
    kiln_benc_set_str(d, "symbol", p->symbol);
    kiln_benc_set_str(d, "ns", p->ns);
    kiln_benc_set_str(d, "file", p->file);
    kiln_benc_set_str(d, "hash", p->hash);
    kiln_benc_set_int(d, "size", (int64_t)p->size);
    kiln_benc_set_int(d, "rolled-back", p->rolled_back);
    kiln_benc *vars = kiln_benc_list();
    for (uint32_t k = 0; k < p->nchanges; k++) {
      kiln_var *v = p->changes[k].var;
      char q[512];
      snprintf(q, sizeof q, "%s/%s", kiln_ns_name(v->ns), kiln_sym_name(v->sym));
      kiln_benc_push(vars, kiln_benc_str(q));
    }
    kiln_benc_set(d, "vars", vars);
    kiln_benc_push(l, d);
  }
  kiln_benc *r = reply(id);
  kiln_benc_set(r, "patches", l);
  send_msg(c, r);
  reply_done(c, id, NULL, NULL, NULL);
}

/* Undoes the last patch that changed vars (patches that only evaluated
 * expressions, like (caller), change nothing and are undone on the way). */
static void rollback(device_client *c, const char *id) {
  const kiln_patch_record *rec = NULL;
  kiln_error e;
  memset(&e, 0, sizeof e);
  do {
    if (kiln_patch_rollback_last(&rec, &e) != 0) {
      reply_done(c, id, "rollback-failed", e.message, NULL);
      return;
    }
  } while (rec && rec->nchanges == 0);
  kiln_benc *r = reply(id);
  kiln_benc_set_str(r, "rolled-back", rec ? rec->symbol : "");
  send_msg(c, r);
  reply_done(c, id, NULL, NULL, NULL);
}

static void serve(device_client *c, kiln_benc *m) {
  const char *op = kiln_benc_get_str(m, "op", NULL);
  const char *id = kiln_benc_get_str(m, "id", NULL);
  if (!op || !id) return;
  if (strcmp(op, "load-patch") == 0) load_patch(c, m, id);
  else if (strcmp(op, "rollback") == 0) rollback(c, id);
  else if (strcmp(op, "patches") == 0) list_patches(c, id);
  else reply_done(c, id, "unknown-op", op, NULL);
}

static void *apply_main(void *arg) {
  device_client *c = arg;
  kiln_thread_attach();
  c->apply_state = kiln_thread_current();
  pthread_mutex_lock(&c->qlock);
  for (;;) {
    while (!c->head && !c->stop) pthread_cond_wait(&c->qcond, &c->qlock);
    if (c->stop) break;
    device_job *j = c->head;
    c->head = j->next;
    if (!c->head) c->tail = NULL;
    const char *id = kiln_benc_get_str(j->msg, "id", NULL);
    snprintf(c->current, sizeof c->current, "%s", id ? id : "");
    c->apply_state->interrupt = 0;
    pthread_mutex_unlock(&c->qlock);
    serve(c, j->msg);
    pthread_mutex_lock(&c->qlock);
    c->current[0] = 0;
    kiln_benc_free(j->msg);
    free(j);
  }
  pthread_mutex_unlock(&c->qlock);
  kiln_thread_detach();
  return NULL;
}

/* Called on the connection thread: interrupts run at once, the rest queue. */
static void dispatch(device_client *c, kiln_benc *m) {
  const char *op = kiln_benc_get_str(m, "op", NULL);
  if (op && strcmp(op, "interrupt") == 0) {
    const char *id = kiln_benc_get_str(m, "id", NULL);
    pthread_mutex_lock(&c->qlock);
    if (id && c->apply_state && strcmp(id, c->current) == 0) c->apply_state->interrupt = 1;
    pthread_mutex_unlock(&c->qlock);
    kiln_benc_free(m);
    return;
  }
  device_job *j = calloc(1, sizeof *j);
  if (!j) abort();
  j->msg = m;
  pthread_mutex_lock(&c->qlock);
  if (c->tail) c->tail->next = j;
  else c->head = j;
  c->tail = j;
  pthread_cond_signal(&c->qcond);
  pthread_mutex_unlock(&c->qlock);
}

/* Requests from a server that went away are not applied. */
static void drop_queue(device_client *c) {
  pthread_mutex_lock(&c->qlock);
  while (c->head) {
    device_job *j = c->head;
    c->head = j->next;
    kiln_benc_free(j->msg);
    free(j);
  }
  c->tail = NULL;
  pthread_mutex_unlock(&c->qlock);
}

/* One connection: hello, then requests until the server goes away. Returns
 * true if the server accepted us (so the backoff restarts). */
static bool session(device_client *c) {
  if (!send_msg(c, hello(c))) return false;
  kiln_benc_decoder d;
  kiln_benc_decoder_init(&d, (size_t)KILN_PATCH_MAX_SIZE + 4096);
  bool welcomed = false;
  char buf[65536];
  while (!c->stop) {
    struct pollfd p = {c->fd, POLLIN, 0};
    int pr = poll(&p, 1, 200);
    if (pr == 0) continue;
    if (pr < 0 && errno == EINTR) continue;
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    kiln_benc_feed(&d, buf, (size_t)n);
    kiln_benc *m;
    kiln_benc_status st;
    while ((st = kiln_benc_next(&d, &m)) != KILN_BENC_MORE) {
      if (st == KILN_BENC_FATAL) goto out;
      if (st != KILN_BENC_MESSAGE) continue;
      const char *op = kiln_benc_get_str(m, "op", NULL);
      if (!welcomed) {
        if (op && strcmp(op, "welcome") == 0) {
          welcomed = true;
        } else {
          const char *e = kiln_benc_get_str(m, "err", NULL);
          fprintf(stderr, "kiln device: the server refused this device: %s\n", e ? e : "?");
          kiln_benc_free(m);
          goto out;
        }
      } else {
        dispatch(c, m); /* takes m */
        continue;
      }
      kiln_benc_free(m);
    }
  }
out:
  kiln_benc_decoder_free(&d);
  drop_queue(c);
  return welcomed;
}

static void *client_main(void *arg) {
  device_client *c = arg;
  kiln_thread_attach();
  int backoff = 100;
  while (!c->stop) {
    c->fd = connect_to(c->host, c->port);
    if (c->fd >= 0) {
      if (session(c)) backoff = 100;
      close(c->fd);
      c->fd = -1;
      if (c->stop) break;
      fprintf(stderr, "kiln device: disconnected from %s:%d; reconnecting\n", c->host, c->port);
    }
    for (int waited = 0; waited < backoff && !c->stop; waited += 50) usleep(50000);
    backoff = backoff * 2 > 5000 ? 5000 : backoff * 2;
  }
  kiln_thread_detach();
  return NULL;
}

int kiln_device_start(kiln_runtime *rt, const kiln_device_opts *opts, kiln_error *err) {
  KILN_UNUSED(rt);
  if (client) {
    snprintf(err->message, sizeof err->message, "the device client is already running");
    return -1;
  }
  if (!opts || !opts->host || opts->port <= 0 || !opts->token) {
    snprintf(err->message, sizeof err->message,
             "kiln_device_start needs the server's host, device port and token");
    return -1;
  }
  device_client *c = calloc(1, sizeof *c);
  if (!c) abort();
  snprintf(c->host, sizeof c->host, "%s", opts->host);
  c->port = opts->port;
  snprintf(c->token, sizeof c->token, "%s", opts->token);
  char hn[128] = "device";
  gethostname(hn, sizeof hn);
  hn[sizeof hn - 1] = 0;
  snprintf(c->name, sizeof c->name, "%s", opts->name ? opts->name : hn);
  snprintf(c->id, sizeof c->id, "%s-%d", hn, (int)getpid());
  c->fd = -1;
  pthread_mutex_init(&c->wlock, NULL);
  pthread_mutex_init(&c->qlock, NULL);
  pthread_cond_init(&c->qcond, NULL);
  if (pthread_create(&c->apply_thread, NULL, apply_main, c) != 0) {
    snprintf(err->message, sizeof err->message, "cannot start the device's apply thread");
    free(c);
    return -1;
  }
  if (pthread_create(&c->thread, NULL, client_main, c) != 0) {
    snprintf(err->message, sizeof err->message, "cannot start the device thread");
    free(c);
    return -1;
  }
  c->running = true;
  client = c;
  return 0;
}

void kiln_device_stop(kiln_runtime *rt) {
  KILN_UNUSED(rt);
  device_client *c = client;
  if (!c) return;
  c->stop = true;
  if (c->fd >= 0) shutdown(c->fd, SHUT_RDWR);
  pthread_join(c->thread, NULL);
  pthread_mutex_lock(&c->qlock);
  if (c->apply_state) c->apply_state->interrupt = 1;
  pthread_cond_broadcast(&c->qcond);
  pthread_mutex_unlock(&c->qlock);
  /* A patch that never returns keeps its thread; do not wait for it then. */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += 2;
  if (pthread_timedjoin_np(c->apply_thread, NULL, &ts) != 0) pthread_detach(c->apply_thread);
  drop_queue(c);
  client = NULL;
  pthread_mutex_destroy(&c->wlock);
  free(c);
}

#else /* !KILN_HOT_RELOAD */

int kiln_device_start(kiln_runtime *rt, const kiln_device_opts *opts, kiln_error *err) {
  (void)rt;
  (void)opts;
  snprintf(err->message, sizeof err->message,
           "this build has hot reload compiled out (KILN_HOT_RELOAD=OFF): no device client");
  return -1;
}

void kiln_device_stop(kiln_runtime *rt) { (void)rt; }

#endif
