/*
 * hub.c — the server side of the device channel (DESIGN §7, docs/protocol.md)
 * and the compile path that feeds it.
 *
 * Devices connect to the device port and say hello (token, target, ABI,
 * layout, runtime version, name, id, pid, and the vars they hold). A device
 * whose token or ABI is wrong is refused and disconnected. Each accepted
 * device has a reader thread; requests to it (load-patch, rollback, patches)
 * carry ids, and the reader routes every reply to the waiting request by id:
 * out and err go straight to the editor, value and errors too, and done wakes
 * the waiter. A device that disconnects fails every request waiting on it.
 *
 * Compiling for a device (unified eval, ios-compile-patch): each form is
 * macroexpanded and analyzed in the session's namespace on the server; a
 * top-level do is split so a macro defined by one part can be used by the
 * next. Forms that shape the namespace (ns, in-ns, require, defmacro, defn)
 * are also evaluated on the server — the shadow namespace the analyzer and
 * macros need — while other defs are only declared (the analyzer interns
 * them): app state lives on the device. The units are emitted as the C of one
 * patch whose id is a hash of its source (so the toolchain's cache hits for
 * unchanged code), built for the device's target, and sent as raw bytes with
 * their SHA-256 and an HMAC-SHA256 keyed by the token.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "compiler/compiler.h"
#include "compiler/emit.h"
#include "kiln/kiln.h"
#include "nrepl/engine_int.h"
#include "nrepl/nrepl.h"
#include "toolchain/toolchain.h"

typedef struct pending {
  char id[32];
  kiln_request *req;   /* where out/err/value go; NULL for none */
  const char *ns;      /* reported with values (GC memory) */
  kiln_benc *final;    /* a copy of the done message */
  kiln_benc *data;     /* a copy of the message with "patches", if any */
  bool done, failed, got_value, got_error;
  char error[256];
  struct pending *next;
} pending;

typedef struct device {
  char id[64], name[128], target_name[64], runtime[64];
  const kiln_target *target;
  int64_t pid;
  bool local;
  kiln_conn *conn;
  int applied;
  bool alive;
  int refs;
  pending *pend;
  struct device *next;
} device;

static pthread_mutex_t hub_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hub_cond = PTHREAD_COND_INITIALIZER;
static device *devices;
static int hub_fd = -1;
static char hub_token[65];
static uint64_t next_request = 1;
static uint64_t next_patch_number = 0;

/* ---- devices ---- */

static void device_release(device *d) {
  pthread_mutex_lock(&hub_lock);
  int left = --d->refs;
  pthread_mutex_unlock(&hub_lock);
  if (left) return;
  kiln_conn_release(d->conn);
  free(d);
}

/* Finds a live device by id (or the only local one when [id] is NULL) and
 * takes a reference. */
static device *device_find(const char *id) {
  device *found = NULL;
  int nlocal = 0;
  pthread_mutex_lock(&hub_lock);
  for (device *d = devices; d; d = d->next) {
    if (!d->alive) continue;
    if (id && strcmp(d->id, id) == 0) found = d;
    if (!id && d->local) nlocal++, found = d;
  }
  if (!id && nlocal != 1) found = NULL;
  if (found) found->refs++;
  pthread_mutex_unlock(&hub_lock);
  return found;
}

bool kiln_hub_exists(const char *id) {
  device *d = device_find(id);
  if (d) device_release(d);
  return d != NULL;
}

bool kiln_hub_only_local(char *id, size_t n) {
  device *d = device_find(NULL);
  if (!d) return false;
  snprintf(id, n, "%s", d->id);
  device_release(d);
  return true;
}

bool kiln_hub_wait_any(int ms) {
  double end = kiln_now_ms() + ms;
  for (;;) {
    pthread_mutex_lock(&hub_lock);
    bool any = false;
    for (device *d = devices; d; d = d->next) any |= d->alive;
    pthread_mutex_unlock(&hub_lock);
    if (any) return true;
    if (kiln_now_ms() > end) return false;
    usleep(10000);
  }
}

kiln_benc *kiln_hub_list(void) {
  kiln_benc *l = kiln_benc_list();
  pthread_mutex_lock(&hub_lock);
  for (device *d = devices; d; d = d->next) {
    if (!d->alive) continue;
    kiln_benc *m = kiln_benc_dict();
    kiln_benc_set_str(m, "id", d->id);
    kiln_benc_set_str(m, "name", d->name);
    kiln_benc_set_str(m, "target", d->target_name);
    kiln_benc_set_int(m, "pid", d->pid);
    kiln_benc_set_int(m, "patches", d->applied);
    kiln_benc_set_str(m, "runtime-version", d->runtime);
    kiln_benc_set_str(m, "address", d->conn->peer);
    kiln_benc_set_int(m, "local", d->local);
    kiln_benc_push(l, m);
  }
  pthread_mutex_unlock(&hub_lock);
  return l;
}

/* ---- requests to a device ---- */

static pending *pending_new(device *d, kiln_request *req, const char *ns) {
  pending *p = calloc(1, sizeof *p);
  if (!p) abort();
  p->req = req;
  p->ns = ns;
  pthread_mutex_lock(&hub_lock);
  snprintf(p->id, sizeof p->id, "k%llu", (unsigned long long)next_request++);
  p->next = d->pend;
  d->pend = p;
  if (!d->alive) {
    p->failed = p->done = true;
    snprintf(p->error, sizeof p->error, "the device %s is not connected", d->id);
  }
  pthread_mutex_unlock(&hub_lock);
  return p;
}

static void pending_free(device *d, pending *p) {
  pthread_mutex_lock(&hub_lock);
  for (pending **pp = &d->pend; *pp; pp = &(*pp)->next)
    if (*pp == p) {
      *pp = p->next;
      break;
    }
  pthread_mutex_unlock(&hub_lock);
  kiln_benc_free(p->final);
  kiln_benc_free(p->data);
  free(p);
}

/* Waits for the device's done. When the session is interrupted it asks the
 * device to interrupt the patch and waits a little for its answer (the
 * patch is then rolled back there), then gives up. */
static void pending_wait(device *d, pending *p, kiln_request *req) {
  double give_up = 0;
  pthread_mutex_lock(&hub_lock);
  while (!p->done) {
    if (req && req->session->interrupted && give_up == 0) {
      give_up = kiln_now_ms() + 2000;
      kiln_benc *m = kiln_benc_dict();
      kiln_benc_set_str(m, "op", "interrupt");
      kiln_benc_set_str(m, "id", p->id);
      pthread_mutex_unlock(&hub_lock);
      kiln_conn_send(d->conn, m);
      kiln_benc_free(m);
      pthread_mutex_lock(&hub_lock);
      continue;
    }
    if (give_up != 0 && kiln_now_ms() > give_up) {
      p->failed = p->done = true;
      snprintf(p->error, sizeof p->error,
               "interrupted; the device has not stopped the patch yet (it stops at its next loop "
               "iteration or call)");
      break;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&hub_cond, &hub_lock, &ts);
  }
  pthread_mutex_unlock(&hub_lock);
}

static bool has_status(const kiln_benc *m, const char *s) {
  const kiln_benc *st = kiln_benc_get(m, "status");
  if (!st || st->type != KILN_BENC_LIST) return false;
  for (size_t i = 0; i < st->n; i++)
    if (st->items[i]->type == KILN_BENC_STR && strcmp(st->items[i]->s, s) == 0) return true;
  return false;
}

/* Routes one message from device [d] to the request it answers. */
static void route(device *d, kiln_benc *m) {
  const char *id = kiln_benc_get_str(m, "id", NULL);
  if (!id) return;
  pthread_mutex_lock(&hub_lock);
  pending *p = d->pend;
  while (p && strcmp(p->id, id) != 0) p = p->next;
  if (!p || p->done) {
    pthread_mutex_unlock(&hub_lock);
    return;
  }
  kiln_request *req = p->req;
  const char *ns = p->ns;
  pthread_mutex_unlock(&hub_lock);
  /* Forward to the editor outside the lock. */
  size_t n;
  const char *s;
  if (req && (s = kiln_benc_get_str(m, "out", &n))) {
    kiln_reply(req, kiln_benc_set_strn(kiln_benc_dict(), "out", s, n));
  }
  if (req && (s = kiln_benc_get_str(m, "err", &n))) {
    kiln_reply(req, kiln_benc_set_strn(kiln_benc_dict(), "err", s, n));
  }
  if ((s = kiln_benc_get_str(m, "value", &n))) {
    p->got_value = true;
    if (req) {
      kiln_benc *r = kiln_benc_set_strn(kiln_benc_dict(), "value", s, n);
      /* Streamed printing sends value and ns apart, as on the JVM. */
      bool split = ns && kiln_benc_get_bool(req->msg, "nrepl.middleware.print/stream?");
      if (ns && !split) kiln_benc_set_str(r, "ns", ns);
      kiln_reply(req, r);
      if (split) kiln_reply_str(req, "ns", ns);
    }
  }
  if (kiln_benc_get(m, "ex")) {
    p->got_error = true;
    if (req) {
      kiln_benc *r = kiln_benc_dict();
      kiln_benc_set(r, "ex", kiln_benc_copy(kiln_benc_get(m, "ex")));
      const kiln_benc *root = kiln_benc_get(m, "root-ex");
      kiln_benc_set(r, "root-ex", kiln_benc_copy(root ? root : kiln_benc_get(m, "ex")));
      kiln_benc_set(r, "status", kiln_benc_strs("eval-error", NULL));
      kiln_reply(req, r);
    }
  }
  if (kiln_benc_get(m, "patches") || kiln_benc_get(m, "rolled-back")) {
    kiln_benc_free(p->data);
    p->data = kiln_benc_copy(m);
  }
  if (has_status(m, "done")) {
    pthread_mutex_lock(&hub_lock);
    p->final = kiln_benc_copy(m);
    p->done = true;
    if (has_status(m, "error")) {
      p->failed = true;
      const char *e = kiln_benc_get_str(m, "message", NULL);
      snprintf(p->error, sizeof p->error, "%s", e ? e : "the device reported an error");
    }
    if (has_status(m, "applied")) d->applied++;
    pthread_cond_broadcast(&hub_cond);
    pthread_mutex_unlock(&hub_lock);
  }
}

static void device_gone(device *d) {
  pthread_mutex_lock(&hub_lock);
  d->alive = false;
  for (pending *p = d->pend; p; p = p->next)
    if (!p->done) {
      p->done = p->failed = true;
      snprintf(p->error, sizeof p->error,
               "the device %s (%s) disconnected before it answered", d->name, d->id);
    }
  pthread_cond_broadcast(&hub_cond);
  for (device **dp = &devices; *dp; dp = &(*dp)->next)
    if (*dp == d) {
      *dp = d->next;
      break;
    }
  pthread_mutex_unlock(&hub_lock);
  fprintf(stderr, "kiln: device %s (%s) disconnected\n", d->name, d->id);
}

/* Declares on the server the vars a device says it holds, so the analyzer
 * resolves names that exist only there. */
typedef struct declare_ctx {
  const kiln_benc *vars;
} declare_ctx;

static kiln_val declare_body(void *arg) {
  const kiln_benc *vars = ((declare_ctx *)arg)->vars;
  for (size_t i = 0; i + 1 < vars->n; i += 2) {
    const kiln_benc *names = vars->items[i + 1];
    if (names->type != KILN_BENC_LIST) continue;
    kiln_val name = kiln_sym(NULL, vars->items[i]->s);
    kiln_val ns = kiln_ns_find(name);
    if (ns == KILN_NIL) {
      /* A shadow of a device namespace: clojure.core referred, as (ns x) does. */
      ns = kiln_ns_find_or_create(name);
      kiln_ns_refer_all(ns, kiln_ns_core);
    }
    for (size_t k = 0; k < names->n; k++)
      if (names->items[k]->type == KILN_BENC_STR)
        kiln_ns_intern(ns, kiln_sym(NULL, names->items[k]->s));
  }
  return KILN_NIL;
}

static bool shadow_eval(kiln_val form);

/* Loads a device namespace's source into its shadow on the server: forms
 * that shape the namespace (ns, require, defmacro, defn, ...) run; other
 * defs are only declared (interned), since app state lives on the device. */
typedef struct shadow_ctx {
  const char *path;
  char *text;
  size_t n;
  int evaluated, failed;
} shadow_ctx;

static kiln_val shadow_form_body(void *arg) {
  kiln_val form = *(kiln_val *)arg;
  if (shadow_eval(form)) {
    kiln_eval_form(form);
  } else if (KILN_HAS_TYPE(form, KILN_T_LIST) && KILN_HAS_TYPE(kiln_first(form), KILN_T_SYMBOL) &&
             strncmp(kiln_sym_name(kiln_first(form)), "def", 3) == 0) {
    kiln_val name = kiln_first(kiln_next(form));
    if (KILN_HAS_TYPE(name, KILN_T_SYMBOL)) kiln_ns_intern(kiln_var_get(kiln_v_ns), name);
  }
  return KILN_NIL;
}

static kiln_val shadow_read_body(void *arg) {
  shadow_ctx *sc = arg;
  kiln_read_opts ro = {0};
  ro.file = sc->path;
  ro.allow_cond = true;
  kiln_reader *r = kiln_reader_new(sc->text, sc->n, &ro);
  kiln_val form, res, ex;
  while (kiln_reader_next(r, &form)) {
    if (kiln_pcall(shadow_form_body, &form, &res, &ex)) sc->evaluated++;
    else sc->failed++;
  }
  return KILN_NIL;
}

static void shadow_load(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return; /* the device's source is not on this machine */
  shadow_ctx sc = {.path = path};
  kiln_bbuf b = {0};
  char buf[8192];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0) kiln_bbuf_put(&b, buf, got);
  fclose(f);
  sc.text = b.p ? b.p : "";
  sc.n = b.len;
  kiln_var *vars[] = {kiln_v_ns, kiln_v_file};
  kiln_val vals[] = {kiln_ns_user, kiln_str_cstr(path)};
  kiln_var_push_bindings_n(2, vars, vals);
  kiln_val r, ex;
  if (!kiln_pcall(shadow_read_body, &sc, &r, &ex)) sc.failed++;
  kiln_var_pop_bindings();
  kiln_bbuf_free(&b);
  if (sc.failed)
    fprintf(stderr, "kiln: shadow of %s: %d forms could not be evaluated on the server\n", path,
            sc.failed);
}

static void refuse(kiln_conn *c, const char *status, const char *text) {
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set_str(m, "op", "refused");
  kiln_benc_set_str(m, "err", text);
  kiln_benc_set(m, "status", kiln_benc_strs("error", status, NULL));
  kiln_conn_send(c, m);
  kiln_benc_free(m);
  fprintf(stderr, "kiln: refused a device from %s: %s\n", c->peer, text);
}

/* Checks a hello; returns NULL when acceptable, else the refusal status. */
static const char *check_hello(const kiln_benc *m, char *text, size_t n) {
  const char *op = kiln_benc_get_str(m, "op", NULL);
  if (!op || strcmp(op, "hello") != 0) {
    snprintf(text, n, "a device must start with a hello message");
    return "no-hello";
  }
  size_t tn = 0;
  const char *tok = kiln_benc_get_str(m, "token", &tn);
  size_t want = strlen(hub_token);
  if (!tok || tn != want || !kiln_digest_equal((const uint8_t *)tok, (const uint8_t *)hub_token, want)) {
    snprintf(text, n, "wrong device token (the server's is in .kiln/token beside it)");
    return "auth-failed";
  }
  if (kiln_benc_get_int(m, "abi", -1) != KILN_ABI_VERSION ||
      kiln_benc_get_int(m, "layout", -1) != (int64_t)KILN_LAYOUT_HASH) {
    snprintf(text, n,
             "the device's runtime has ABI %lld layout %lld, the server builds for ABI %u layout %u:"
             " rebuild the app against this Kiln",
             (long long)kiln_benc_get_int(m, "abi", -1), (long long)kiln_benc_get_int(m, "layout", -1),
             KILN_ABI_VERSION, (unsigned)KILN_LAYOUT_HASH);
    return "abi-mismatch";
  }
  const char *target = kiln_benc_get_str(m, "target", NULL);
  if (!target || !kiln_tc_target_find(target)) {
    snprintf(text, n, "unknown target '%s'; known: %s", target ? target : "", kiln_tc_target_names());
    return "unknown-target";
  }
  return NULL;
}

static void *device_main(void *arg) {
  kiln_conn *c = arg;
  kiln_thread_attach();
  kiln_benc_decoder dec;
  kiln_benc_decoder_init(&dec, KILN_BENC_DEFAULT_MAX);
  char buf[65536];
  device *d = NULL;
  /* The hello must come within 10 s. */
  struct pollfd pfd = {c->fd, POLLIN, 0};
  if (poll(&pfd, 1, 10000) <= 0) goto out;
  while (!c->closed) {
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    kiln_benc_feed(&dec, buf, (size_t)n);
    kiln_benc *m;
    kiln_benc_status st;
    while ((st = kiln_benc_next(&dec, &m)) != KILN_BENC_MORE) {
      if (st != KILN_BENC_MESSAGE) {
        if (st == KILN_BENC_FATAL) {
          refuse(c, "malformed-message", dec.error);
          goto out;
        }
        continue;
      }
      if (!d) {
        char text[512];
        const char *bad = check_hello(m, text, sizeof text);
        if (bad) {
          refuse(c, bad, text);
          kiln_benc_free(m);
          goto out;
        }
        d = calloc(1, sizeof *d);
        if (!d) abort();
        d->conn = c;
        kiln_conn_retain(c);
        d->refs = 1;
        d->alive = true;
        const char *s;
        snprintf(d->id, sizeof d->id, "%s", (s = kiln_benc_get_str(m, "id", NULL)) ? s : c->peer);
        snprintf(d->name, sizeof d->name, "%s", (s = kiln_benc_get_str(m, "name", NULL)) ? s : "device");
        snprintf(d->target_name, sizeof d->target_name, "%s", kiln_benc_get_str(m, "target", NULL));
        snprintf(d->runtime, sizeof d->runtime, "%s",
                 (s = kiln_benc_get_str(m, "runtime-version", NULL)) ? s : "?");
        d->target = kiln_tc_target_find(d->target_name);
        d->pid = kiln_benc_get_int(m, "pid", 0);
        d->local = (strncmp(c->peer, "127.", 4) == 0 || strncmp(c->peer, "::1", 3) == 0) &&
                   d->target == kiln_tc_target_host();
        const kiln_benc *sources = kiln_benc_get(m, "sources");
        if (sources && sources->type == KILN_BENC_DICT)
          for (size_t i = 0; i + 1 < sources->n; i += 2)
            if (sources->items[i + 1]->type == KILN_BENC_STR) shadow_load(sources->items[i + 1]->s);
        const kiln_benc *vars = kiln_benc_get(m, "vars");
        if (vars && vars->type == KILN_BENC_DICT) {
          declare_ctx dc = {vars};
          kiln_val r, ex;
          kiln_pcall(declare_body, &dc, &r, &ex);
        }
        pthread_mutex_lock(&hub_lock);
        /* A device that reconnects replaces its old entry. */
        for (device *o = devices; o; o = o->next)
          if (strcmp(o->id, d->id) == 0) o->alive = false;
        d->next = devices;
        devices = d;
        pthread_cond_broadcast(&hub_cond);
        pthread_mutex_unlock(&hub_lock);
        kiln_benc *w = kiln_benc_dict();
        kiln_benc_set_str(w, "op", "welcome");
        kiln_benc_set_str(w, "server", "kiln " KILN_VERSION);
        kiln_benc_set(w, "status", kiln_benc_strs("ok", NULL));
        kiln_conn_send(c, w);
        kiln_benc_free(w);
        fprintf(stderr, "kiln: device %s (%s, %s, pid %lld) connected from %s\n", d->name, d->id,
                d->target_name, (long long)d->pid, c->peer);
        /* Ask the toolchain its version now (it is part of every cache key
         * and costs a few process spawns once), not during the first eval. */
        if (d->target) kiln_tc_driver_current()->version(d->target);
      } else {
        route(d, m);
      }
      kiln_benc_free(m);
    }
  }
out:
  kiln_benc_decoder_free(&dec);
  if (d) {
    device_gone(d);
    device_release(d);
  }
  kiln_conn_shutdown(c);
  kiln_conn_release(c);
  kiln_thread_detach();
  return NULL;
}

static void *accept_main(void *arg) {
  KILN_UNUSED(arg);
  for (;;) {
    int fd = accept4(hub_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (hub_fd < 0) break;
      usleep(10000);
      continue;
    }
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, device_main, kiln_conn_new(fd)) != 0) close(fd);
    pthread_attr_destroy(&attr);
  }
  return NULL;
}

int kiln_hub_start(const char *bind, int port, const char *token, int *bound_port, char *err,
                   size_t errlen) {
  snprintf(hub_token, sizeof hub_token, "%s", token);
  hub_fd = kiln_listen(bind, port, bound_port, err, errlen);
  if (hub_fd < 0) return -1;
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  int rc = pthread_create(&t, &attr, accept_main, NULL);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    snprintf(err, errlen, "cannot start the device listener thread");
    return -1;
  }
  return 0;
}

void kiln_hub_stop(void) {
  int fd = hub_fd;
  hub_fd = -1;
  if (fd >= 0) {
    shutdown(fd, SHUT_RDWR);
    close(fd);
  }
}

/* ---- compiling ---- */

/* The forms that shape a namespace; they also run on the server. */
static bool shadow_eval(kiln_val form) {
  if (!KILN_HAS_TYPE(form, KILN_T_LIST)) return false;
  kiln_val head = kiln_first(form);
  if (!KILN_HAS_TYPE(head, KILN_T_SYMBOL)) return false;
  static const char *const names[] = {"ns", "in-ns", "require", "use", "refer", "alias",
                                      "refer-clojure", "defmacro", "defn", "defn-", "import",
                                      "defprotocol", "defrecord", "deftype", "defmulti"};
  const char *n = kiln_sym_name(head);
  for (size_t i = 0; i < KILN_ARRAY_LEN(names); i++)
    if (strcmp(n, names[i]) == 0) return true;
  return false;
}

static bool is_do(kiln_val form) {
  if (!KILN_HAS_TYPE(form, KILN_T_LIST)) return false;
  kiln_val head = kiln_first(form);
  return KILN_HAS_TYPE(head, KILN_T_SYMBOL) && !kiln_sym_ns(head) &&
         strcmp(kiln_sym_name(head), "do") == 0;
}

typedef struct units {
  kiln_node **v;
  uint32_t n, cap;
} units;

static void units_push(units *u, kiln_node *node) {
  if (u->n == u->cap) {
    u->cap = u->cap ? u->cap * 2 : 8;
    kiln_node **nv = kiln_alloc(u->cap * sizeof *nv);
    if (u->n) memcpy(nv, u->v, u->n * sizeof *nv);
    u->v = nv;
  }
  u->v[u->n++] = node;
}

/* Analyzes [form] into units (throws). */
static void collect(kiln_val form, units *u, int depth) {
  if (depth == 0 && shadow_eval(form)) kiln_eval_form(form);
  kiln_val x = kiln_macroexpand(form);
  if (is_do(x)) {
    for (kiln_val s = kiln_next(x); s != KILN_NIL; s = kiln_next(s)) {
      kiln_val sub = kiln_first(s);
      if (depth == 0 && !shadow_eval(form) && shadow_eval(sub)) kiln_eval_form(sub);
      collect(sub, u, depth + 1);
    }
    return;
  }
  units_push(u, kiln_analyze(x));
}

typedef struct build {
  /* in */
  const kiln_target *target;
  const char *file;
  /* analysis state */
  units u;
  /* out */
  const char *c_source;
  size_t c_len;
  char patch_id[40];
  kiln_tc_result res;
  kiln_timings t;
  kiln_val defined; /* vector of "ns/name" */
} build;

static kiln_val emit_body(void *arg) {
  build *b = arg;
  double t0 = kiln_now_ms();
  kiln_emit_opts eo = {.patch_id = "0", .ns = kiln_ns_name(kiln_var_get(kiln_v_ns)), .file = b->file};
  size_t n = 0;
  const char *c = kiln_emit_patch(b->u.v, b->u.n, &eo, &n);
  /* The id is a hash of the source, so unchanged code hits the cache. */
  uint8_t h[KILN_SHA256_LEN];
  kiln_sha256(c, n, h);
  char hex[2 * KILN_SHA256_LEN + 1];
  kiln_hex_encode(h, KILN_SHA256_LEN, hex);
  snprintf(b->patch_id, sizeof b->patch_id, "h%.16s", hex);
  eo.patch_id = b->patch_id;
  b->c_source = kiln_emit_patch(b->u.v, b->u.n, &eo, &b->c_len);
  b->defined = kiln_emit_defined_vars(b->u.v, b->u.n);
  b->t.ms[KILN_PHASE_emit] = kiln_now_ms() - t0;
  return KILN_NIL;
}

/* Emits and builds b->u; on failure reports to [req] and returns false. */
static bool emit_and_build(build *b, kiln_request *req, kiln_stream *err) {
  kiln_val r, ex;
  if (!kiln_pcall(emit_body, b, &r, &ex)) {
    kiln_engine_reply_error(req, err, kiln_engine_error_text(ex, false), kiln_engine_ex_class(ex),
                            kiln_engine_ex_class(kiln_engine_root_cause(ex)));
    return false;
  }
  kiln_tc_opts to = {0};
  memset(&b->res, 0, sizeof b->res);
  if (kiln_tc_build(b->target, b->c_source, b->c_len, &to, &b->res) != 0) {
    kiln_sb sb;
    kiln_sb_init(&sb);
    kiln_sb_printf(&sb, "Syntax error compiling for %s.\n%s\n", b->target->name, b->res.message);
    if (b->res.diagnostics) kiln_sb_puts(&sb, b->res.diagnostics);
    kiln_engine_reply_error(req, err, kiln_sb_cstr(&sb), "clojure.lang.Compiler$CompilerException",
                            "clojure.lang.Compiler$CompilerException");
    kiln_tc_result_free(&b->res);
    return false;
  }
  for (int p = KILN_PHASE_compile; p <= KILN_PHASE_sign; p++) b->t.ms[p] = b->res.t.ms[p];
  return true;
}

/* Sends the built patch to [d] and waits for its answer. */
static bool push_patch(device *d, build *b, kiln_request *req, const char *ns) {
  pending *p = pending_new(d, req, ns);
  uint8_t h[KILN_SHA256_LEN], mac[KILN_SHA256_LEN];
  char hex[2 * KILN_SHA256_LEN + 1], machex[2 * KILN_SHA256_LEN + 1];
  kiln_sha256(b->res.bytes, b->res.size, h);
  kiln_hex_encode(h, KILN_SHA256_LEN, hex);
  /* The HMAC covers the id, the entry symbol and the bytes' hash. */
  kiln_sb in;
  kiln_sb_init(&in);
  kiln_sb_printf(&in, "kiln-patch-v1\n%s\n%s\n%s", p->id, b->res.entry, hex);
  kiln_hmac_sha256(hub_token, strlen(hub_token), in.buf, in.len, mac);
  kiln_hex_encode(mac, KILN_SHA256_LEN, machex);
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set_str(m, "op", "load-patch");
  kiln_benc_set_str(m, "id", p->id);
  kiln_benc_set_str(m, "symbol", b->res.entry);
  kiln_benc_set_str(m, "ns", ns);
  kiln_benc_set_strn(m, "bytes", b->res.bytes, b->res.size);
  kiln_benc_set_str(m, "sha256", hex);
  kiln_benc_set_str(m, "hmac", machex);
  double t0 = kiln_now_ms();
  bool sent = p->done ? false : kiln_conn_send(d->conn, m);
  kiln_benc_free(m);
  if (!sent && !p->done) {
    pthread_mutex_lock(&hub_lock);
    p->done = p->failed = true;
    snprintf(p->error, sizeof p->error, "cannot send the patch to device %s", d->id);
    pthread_mutex_unlock(&hub_lock);
  }
  pending_wait(d, p, req);
  double total = kiln_now_ms() - t0;
  bool ok = !p->failed;
  const kiln_benc *tm = p->final ? kiln_benc_get(p->final, "kiln/timings") : NULL;
  double load = 0, run = 0;
  if (tm) {
    load = (double)kiln_benc_get_int(tm, "load-us", 0) / 1000.0;
    run = (double)kiln_benc_get_int(tm, "run-us", 0) / 1000.0;
  }
  b->t.ms[KILN_PHASE_load] = load;
  b->t.ms[KILN_PHASE_run] = run;
  b->t.ms[KILN_PHASE_transfer] = total > load + run ? total - load - run : 0;
  if (p->failed && !p->got_error) {
    kiln_sb sb;
    kiln_sb_init(&sb);
    kiln_sb_printf(&sb, "kiln: %s\n", p->error);
    kiln_engine_reply_error(req, NULL, kiln_sb_cstr(&sb), "java.io.IOException",
                            "java.io.IOException");
  }
  if (p->got_error) ok = false;
  pending_free(d, p);
  return ok;
}

typedef struct read_ctx {
  kiln_reader *r;
  kiln_val form;
} read_ctx;

static kiln_val read_body(void *arg) {
  read_ctx *rc = arg;
  rc->form = KILN_NIL;
  return kiln_reader_next(rc->r, &rc->form) ? KILN_TRUE : KILN_FALSE;
}

typedef struct collect_ctx {
  kiln_val form;
  units *u;
} collect_ctx;

static kiln_val collect_body(void *arg) {
  collect_ctx *cc = arg;
  collect(cc->form, cc->u, 0);
  return KILN_NIL;
}

static kiln_benc *timings_dict(const kiln_timings *t, bool cached) {
  kiln_benc *d = kiln_benc_dict();
  for (int p = 0; p < KILN_PHASE_COUNT; p++)
    kiln_benc_set_int(d, kiln_phase_name((kiln_phase)p), (int64_t)(t->ms[p] * 1000.0));
  kiln_benc_set_int(d, "cached", cached);
  return d;
}

static void add_timings(kiln_timings *sum, const kiln_timings *t) {
  for (int p = 0; p < KILN_PHASE_COUNT; p++) sum->ms[p] += t->ms[p];
}

/*
 * Reads [code] and compiles it for [target]: each form on its own
 * (per_form), or all together into one patch. For each patch built, calls
 * [then]; stops at a read error. Runs with *ns* etc. bound by the caller.
 */
typedef bool (*built_fn)(build *b, void *ctx);

static void compile_code(kiln_request *req, kiln_stream *err, const char *code, size_t n,
                         const char *file, int line, int column, const kiln_target *target,
                         bool per_form, built_fn then, void *ctx, kiln_timings *sum, bool *cached) {
  kiln_read_opts ro = {0};
  ro.file = file;
  ro.line = line;
  ro.column = column;
  ro.allow_cond = true;
  read_ctx rc = {kiln_reader_new(code, n, &ro), KILN_NIL};
  build b = {.target = target, .file = file};
  kiln_val r, ex;
  *cached = false;
  bool built = false;
  for (;;) {
    if (req->session->interrupted) return;
    double t0 = kiln_now_ms();
    if (!kiln_pcall(read_body, &rc, &r, &ex)) {
      kiln_engine_reply_error(req, err, kiln_engine_error_text(ex, true), kiln_engine_ex_class(ex),
                              kiln_engine_ex_class(kiln_engine_root_cause(ex)));
      return;
    }
    bool eof = r != KILN_TRUE;
    b.t.ms[KILN_PHASE_read] += kiln_now_ms() - t0;
    if (!eof) {
      t0 = kiln_now_ms();
      collect_ctx cc = {rc.form, &b.u};
      if (!kiln_pcall(collect_body, &cc, &r, &ex)) {
        kiln_engine_reply_error(req, err, kiln_engine_error_text(ex, false),
                                kiln_engine_ex_class(ex),
                                kiln_engine_ex_class(kiln_engine_root_cause(ex)));
        if (!per_form) return;
        b.u.n = 0;
        continue;
      }
      b.t.ms[KILN_PHASE_analyze] += kiln_now_ms() - t0;
      if (!per_form) continue;
    }
    if (b.u.n > 0) {
      if (emit_and_build(&b, req, err)) {
        *cached = (built ? *cached : true) && b.res.cached;
        built = true;
        then(&b, ctx);
        kiln_tc_result_free(&b.res);
      }
      add_timings(sum, &b.t);
      memset(&b.t, 0, sizeof b.t);
      b.u.n = 0;
    }
    if (eof) return;
  }
}

/* Binds *ns* (and out/err) for compiling in [ns]. */
static void bind_for_compile(kiln_val ns, kiln_stream *out, kiln_stream *err, const char *file) {
  kiln_var *vars[] = {kiln_v_ns, kiln_v_out, kiln_v_err, kiln_v_file};
  kiln_val vals[] = {ns, kiln_stream_writer(out), kiln_stream_writer(err),
                     kiln_str_cstr(file && *file ? file : "NO_SOURCE_PATH")};
  kiln_var_push_bindings_n(4, vars, vals);
}

/* ---- unified eval ---- */

typedef struct eval_ctx {
  device *d;
  kiln_request *req;
  bool load_file; /* load-file values carry no ns, as on the JVM */
} eval_ctx;

static bool push_built(build *b, void *arg) {
  eval_ctx *ec = arg;
  return push_patch(ec->d, b, ec->req, ec->load_file ? NULL : kiln_ns_name(kiln_var_get(kiln_v_ns)));
}

bool kiln_hub_eval(kiln_request *req, bool load_file) {
  kiln_session *s = req->session;
  device *d = device_find(s->device);
  if (!d) {
    char text[256];
    snprintf(text, sizeof text,
             "kiln: the session's device %s is not connected (kiln/devices lists them; "
             "kiln/select-device with no device evaluates in the server)\n",
             s->device);
    kiln_engine_reply_error(req, NULL, text, "java.io.IOException", "java.io.IOException");
    return false;
  }
  kiln_val ns = s->vals[KILN_SV_NS] ? s->vals[KILN_SV_NS] : kiln_ns_user;
  const char *ns_name = kiln_benc_get_str(req->msg, "ns", NULL);
  if (ns_name && *ns_name && !load_file) {
    kiln_val found = kiln_ns_find(kiln_sym(NULL, ns_name));
    if (found == KILN_NIL) {
      kiln_benc *m = kiln_benc_dict();
      kiln_benc_set_str(m, "ns", ns_name);
      kiln_benc_set(m, "status", kiln_benc_strs("namespace-not-found", "done", "error", NULL));
      kiln_reply(req, m);
      device_release(d);
      return true;
    }
    ns = found;
  }
  kiln_stream *out = kiln_stream_new(req, "out"), *err = kiln_stream_new(req, "err");
  size_t n = 0;
  const char *code, *file;
  if (load_file) {
    code = kiln_benc_get_str(req->msg, "file", &n);
    file = kiln_benc_get_str(req->msg, "file-path", NULL);
    if (!file || !*file) file = kiln_benc_get_str(req->msg, "file-name", NULL);
  } else {
    code = kiln_benc_get_str(req->msg, "code", &n);
    file = kiln_benc_get_str(req->msg, "file", NULL);
  }
  bind_for_compile(ns, out, err, file);
  eval_ctx ec = {d, req, load_file};
  kiln_timings sum = {0};
  bool cached = false;
  compile_code(req, err, code, n, file, (int)kiln_benc_get_int(req->msg, "line", 1),
               (int)kiln_benc_get_int(req->msg, "column", 1), d->target, !load_file, push_built,
               &ec, &sum, &cached);
  kiln_stream_send(out);
  kiln_stream_send(err);
  if (!load_file) s->vals[KILN_SV_NS] = kiln_var_get(kiln_v_ns);
  kiln_var_pop_bindings();
  kiln_stream_close(out);
  kiln_stream_close(err);
  device_release(d);
  if (kiln_benc_get_bool(req->msg, "kiln/timings")) {
    kiln_benc *m = kiln_benc_dict();
    kiln_benc_set(m, "kiln/timings", timings_dict(&sum, cached));
    kiln_benc_set(m, "status", kiln_benc_strs("done", NULL));
    kiln_reply(req, m);
    return true;
  }
  return false;
}

/* ---- kiln/patches and kiln/rollback ---- */

static const char *simple_request(kiln_request *req, const char *device_id, const char *op,
                                  bool want_patches) {
  device *d = device_find(device_id && *device_id ? device_id : NULL);
  if (!d) {
    kiln_reply_str(req, "err", "kiln: no such device connected (see kiln/devices)\n");
    return "unknown-device";
  }
  pending *p = pending_new(d, NULL, NULL);
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set_str(m, "op", op);
  kiln_benc_set_str(m, "id", p->id);
  if (!p->done) kiln_conn_send(d->conn, m);
  kiln_benc_free(m);
  pending_wait(d, p, req);
  const char *status = NULL;
  if (p->failed) {
    kiln_sb sb;
    kiln_sb_init(&sb);
    kiln_sb_printf(&sb, "kiln: %s\n", p->error);
    kiln_reply_str(req, "err", kiln_sb_cstr(&sb));
    status = strcmp(op, "rollback") == 0 ? "rollback-failed" : "device-error";
  } else if (want_patches) {
    kiln_benc *r = kiln_benc_dict();
    const kiln_benc *l = p->data ? kiln_benc_get(p->data, "patches") : NULL;
    kiln_benc_set(r, "patches", l ? kiln_benc_copy(l) : kiln_benc_list());
    kiln_benc_set_str(r, "device", d->id);
    kiln_reply(req, r);
  } else if (p->final) {
    kiln_benc *r = kiln_benc_dict();
    const kiln_benc *rb = p->data ? kiln_benc_get(p->data, "rolled-back") : NULL;
    kiln_benc_set(r, "rolled-back", rb ? kiln_benc_copy(rb) : kiln_benc_str(""));
    kiln_benc_set_str(r, "device", d->id);
    kiln_reply(req, r);
    pthread_mutex_lock(&hub_lock);
    if (d->applied > 0) d->applied--;
    pthread_mutex_unlock(&hub_lock);
  }
  pending_free(d, p);
  device_release(d);
  return status;
}

const char *kiln_hub_patches(kiln_request *req, const char *device_id) {
  return simple_request(req, device_id, "patches", true);
}

const char *kiln_hub_rollback(kiln_request *req, const char *device_id) {
  return simple_request(req, device_id, "rollback", false);
}

/* ---- ios-compile-patch ---- */

static void base64(kiln_sb *sb, const uint8_t *p, size_t n) {
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n) v |= p[i + 2];
    kiln_sb_putc(sb, tbl[(v >> 18) & 63]);
    kiln_sb_putc(sb, tbl[(v >> 12) & 63]);
    kiln_sb_putc(sb, i + 1 < n ? tbl[(v >> 6) & 63] : '=');
    kiln_sb_putc(sb, i + 2 < n ? tbl[v & 63] : '=');
  }
}

typedef struct cp_ctx {
  kiln_request *req;
  bool replied;
} cp_ctx;

static bool reply_dylib(build *b, void *arg) {
  cp_ctx *cc = arg;
  kiln_sb sb;
  kiln_sb_init(&sb);
  base64(&sb, b->res.bytes, b->res.size);
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set_strn(m, "dylib-binary", sb.buf, sb.len);
  char num[32];
  snprintf(num, sizeof num, "%zu", b->res.size);
  kiln_benc_set_str(m, "dylib-size", num);
  kiln_benc_set_str(m, "symbol-name", b->res.entry);
  const char *var_name = "";
  uint32_t nd = kiln_is_vector(b->defined) ? kiln_vec_count(b->defined) : 0;
  if (nd) {
    const char *q = kiln_str_data(kiln_vec_nth(b->defined, nd - 1, KILN_NIL, false));
    const char *slash = strchr(q, '/');
    var_name = slash ? slash + 1 : q;
  }
  kiln_benc_set_str(m, "var-name", var_name);
  kiln_benc_set_str(m, "ns-name", kiln_ns_name(kiln_var_get(kiln_v_ns)));
  pthread_mutex_lock(&hub_lock);
  snprintf(num, sizeof num, "%llu", (unsigned long long)next_patch_number++);
  pthread_mutex_unlock(&hub_lock);
  kiln_benc_set_str(m, "patch-id", num);
  kiln_benc_set_str(m, "target", b->target->name);
  kiln_reply(cc->req, m);
  cc->replied = true;
  return true;
}

const char *kiln_hub_compile_patch(kiln_request *req) {
  const char *tname = kiln_benc_get_str(req->msg, "target", NULL);
  const kiln_target *target = kiln_tc_target_find(tname && *tname ? tname : "device");
  if (!target) {
    char text[512];
    snprintf(text, sizeof text, "kiln: unknown target '%s'; use device, simulator, host or one of %s\n",
             tname, kiln_tc_target_names());
    kiln_reply_str(req, "err", text);
    return "unknown-target";
  }
  kiln_session *s = req->session;
  kiln_val ns = s->vals[KILN_SV_NS] ? s->vals[KILN_SV_NS] : kiln_ns_user;
  const char *ns_name = kiln_benc_get_str(req->msg, "ns", NULL);
  if (ns_name && *ns_name) ns = kiln_ns_find_or_create(kiln_sym(NULL, ns_name));
  kiln_stream *out = kiln_stream_new(req, "out"), *err = kiln_stream_new(req, "err");
  bind_for_compile(ns, out, err, kiln_benc_get_str(req->msg, "file", NULL));
  size_t n = 0;
  const char *code = kiln_benc_get_str(req->msg, "code", &n);
  cp_ctx cc = {req, false};
  kiln_timings sum = {0};
  bool cached;
  compile_code(req, err, code, n, kiln_benc_get_str(req->msg, "file", NULL), 1, 1, target, false,
               reply_dylib, &cc, &sum, &cached);
  kiln_stream_send(out);
  kiln_stream_send(err);
  kiln_var_pop_bindings();
  kiln_stream_close(out);
  kiln_stream_close(err);
  return cc.replied ? NULL : "compile-error";
}
