/*
 * session.c — nREPL sessions: the registry (server-wide, for ls-sessions),
 * and each session's worker thread, which runs its eval and load-file
 * requests one at a time in the order they came, as nREPL does.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiln/kiln.h"
#include "nrepl/nrepl.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static kiln_session **registry;
static size_t nregistry, capregistry;

/* Root blocks for session values are reused: GC root memory is never
 * freed, and every request without a session makes an ephemeral one. */
static kiln_val **free_vals;
static size_t nfree_vals, capfree_vals;

static kiln_val *vals_get(void) {
  kiln_val *v = NULL;
  pthread_mutex_lock(&registry_lock);
  if (nfree_vals) v = free_vals[--nfree_vals];
  pthread_mutex_unlock(&registry_lock);
  return v ? v : kiln_alloc_root(sizeof(kiln_val) * KILN_SV_COUNT);
}

static void vals_put(kiln_val *v) {
  memset(v, 0, sizeof(kiln_val) * KILN_SV_COUNT);
  pthread_mutex_lock(&registry_lock);
  if (nfree_vals == capfree_vals) {
    capfree_vals = capfree_vals ? capfree_vals * 2 : 16;
    free_vals = realloc(free_vals, capfree_vals * sizeof *free_vals);
    if (!free_vals) abort();
  }
  free_vals[nfree_vals++] = v;
  pthread_mutex_unlock(&registry_lock);
}

static void new_uuid(char out[40]) {
  uint8_t b[16];
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read(fd, b, sizeof b) != (ssize_t)sizeof b) {
    for (size_t i = 0; i < sizeof b; i++) b[i] = (uint8_t)rand();
  }
  if (fd >= 0) close(fd);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
           b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
           b[15]);
}

kiln_session *kiln_session_new(kiln_session *from, bool ephemeral) {
  kiln_session *s = calloc(1, sizeof *s);
  if (!s) abort();
  new_uuid(s->id);
  s->refs = 1;
  s->ephemeral = ephemeral;
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->cond, NULL);
  s->vals = vals_get();
  kiln_engine_session_init(s, from);
  if (from) {
    memcpy(s->device, from->device, sizeof s->device);
    s->device_auto = from->device_auto;
  } else {
    s->device_auto = kiln_server_local();
  }
  if (!ephemeral) {
    pthread_mutex_lock(&registry_lock);
    if (nregistry == capregistry) {
      capregistry = capregistry ? capregistry * 2 : 16;
      registry = realloc(registry, capregistry * sizeof *registry);
      if (!registry) abort();
    }
    registry[nregistry++] = s;
    kiln_session_retain(s); /* the registry's reference */
    pthread_mutex_unlock(&registry_lock);
  }
  return s;
}

kiln_session *kiln_session_find(const char *id) {
  kiln_session *found = NULL;
  pthread_mutex_lock(&registry_lock);
  for (size_t i = 0; i < nregistry; i++)
    if (strcmp(registry[i]->id, id) == 0) {
      found = registry[i];
      kiln_session_retain(found);
      break;
    }
  pthread_mutex_unlock(&registry_lock);
  return found;
}

void kiln_session_retain(kiln_session *s) { __atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL); }

void kiln_session_release(kiln_session *s) {
  if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
  vals_put(s->vals);
  free(s->in);
  pthread_mutex_destroy(&s->lock);
  pthread_cond_destroy(&s->cond);
  free(s);
}

static void session_mark_closed(kiln_session *s) {
  pthread_mutex_lock(&s->lock);
  s->closed = true;
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->lock);
}

bool kiln_session_close(const char *id) {
  kiln_session *s = NULL;
  pthread_mutex_lock(&registry_lock);
  for (size_t i = 0; i < nregistry; i++)
    if (strcmp(registry[i]->id, id) == 0) {
      s = registry[i];
      registry[i] = registry[--nregistry];
      break;
    }
  pthread_mutex_unlock(&registry_lock);
  if (!s) return false;
  session_mark_closed(s);
  kiln_session_release(s);
  return true;
}

void kiln_session_close_all(void) {
  pthread_mutex_lock(&registry_lock);
  size_t n = nregistry;
  kiln_session **all = malloc((n + 1) * sizeof *all);
  if (!all) abort();
  memcpy(all, registry, n * sizeof *all);
  nregistry = 0;
  pthread_mutex_unlock(&registry_lock);
  for (size_t i = 0; i < n; i++) {
    session_mark_closed(all[i]);
    kiln_session_release(all[i]);
  }
  free(all);
}

kiln_benc *kiln_session_ids(void) {
  kiln_benc *l = kiln_benc_list();
  pthread_mutex_lock(&registry_lock);
  for (size_t i = 0; i < nregistry; i++) kiln_benc_push(l, kiln_benc_str(registry[i]->id));
  pthread_mutex_unlock(&registry_lock);
  return l;
}

/* The worker: runs queued jobs until the queue is empty and the session is
 * closed (or, for an ephemeral session, until the queue is empty). */
static void *worker_main(void *arg) {
  kiln_session *s = arg;
  kiln_thread_attach();
  s->eval_thread = kiln_thread_current();
  for (;;) {
    pthread_mutex_lock(&s->lock);
    while (!s->head && !s->closed && !s->ephemeral) pthread_cond_wait(&s->cond, &s->lock);
    kiln_job *job = s->head;
    if (!job) {
      s->worker_running = false;
      pthread_mutex_unlock(&s->lock);
      break;
    }
    s->head = job->next;
    if (!s->head) s->tail = NULL;
    s->current = job;
    s->eval_thread->interrupt = 0;
    s->interrupted = false;
    pthread_mutex_unlock(&s->lock);

    job->run(&job->req);

    pthread_mutex_lock(&s->lock);
    s->current = NULL;
    pthread_mutex_unlock(&s->lock);
    kiln_request_free(&job->req);
    free(job);
  }
  kiln_thread_detach();
  kiln_session_release(s);
  return NULL;
}

void kiln_session_submit(kiln_request *req, void (*run)(kiln_request *)) {
  kiln_session *s = req->session;
  kiln_job *job = calloc(1, sizeof *job);
  if (!job) abort();
  job->req = *req;
  job->run = run;
  pthread_mutex_lock(&s->lock);
  if (s->tail) s->tail->next = job;
  else s->head = job;
  s->tail = job;
  if (!s->worker_running) {
    s->worker_running = true;
    kiln_session_retain(s); /* the worker's reference */
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64u << 20); /* deep recursion in user code */
    if (pthread_create(&t, &attr, worker_main, s) != 0) {
      s->worker_running = false;
      pthread_mutex_unlock(&s->lock);
      fprintf(stderr, "kiln: cannot start a session thread\n");
      abort();
    }
    pthread_attr_destroy(&attr);
  }
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->lock);
}

void kiln_session_stdin(kiln_session *s, const char *text, size_t n) {
  pthread_mutex_lock(&s->lock);
  if (n == 0) s->in_eof = true;
  if (s->in_len + n + 1 > s->in_cap) {
    s->in_cap = (s->in_len + n + 1) * 2;
    s->in = realloc(s->in, s->in_cap);
    if (!s->in) abort();
  }
  memcpy(s->in + s->in_len, text, n);
  s->in_len += n;
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->lock);
}
