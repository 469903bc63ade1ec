/*
 * toolchain.c — kiln_tc_build: the cache in front, the driver behind, and
 * every phase timed. Also the small byte and file helpers the toolchain's
 * files share.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiln/patch_abi.h"
#include "runtime/rt.h"
#include "toolchain/toolchain.h"

const char *const kiln_tc_patch_cflags[] = {
    "-ffreestanding", "-nostdlib", "-fno-stack-protector", "-fvisibility=hidden",
    "-fPIC",          "-O2",       "-DKILN_PATCH",
    /* -ffreestanding drops unwind tables; stack traces walk patch frames with them. */
    "-funwind-tables", NULL};

/* ---- helpers ----------------------------------------------------------- */

void kiln_tc_buf_append(kiln_tc_buf *b, const void *data, size_t n) {
  uint8_t *p = realloc(b->data, b->size + n + 1);
  if (!p) abort(); /* out of memory while building: nothing sensible to return */
  memcpy(p + b->size, data, n);
  b->data = p;
  b->size += n;
  p[b->size] = 0; /* so text can be read as a C string */
}

void kiln_tc_buf_free(kiln_tc_buf *b) {
  free(b->data);
  b->data = NULL;
  b->size = 0;
}

bool kiln_tc_read_file(const char *path, kiln_tc_buf *out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->size = 0;
  char chunk[65536];
  for (;;) {
    ssize_t got = read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int e = errno;
      close(fd);
      errno = e;
      return false;
    }
    if (got == 0) break;
    kiln_tc_buf_append(out, chunk, (size_t)got);
  }
  close(fd);
  if (!out->data) kiln_tc_buf_append(out, "", 0);
  return true;
}

bool kiln_tc_write_file(const char *path, const void *data, size_t n) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const uint8_t *p = data;
  while (n) {
    ssize_t put = write(fd, p, n);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) {
      int e = errno;
      close(fd);
      errno = e;
      return false;
    }
    p += put;
    n -= (size_t)put;
  }
  return close(fd) == 0;
}

int kiln_tc_fail(kiln_tc_result *res, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(res->message, sizeof res->message, fmt, ap);
  va_end(ap);
  return -1;
}

void kiln_tc_diag(kiln_tc_result *res, const char *text, size_t n) {
  if (!n) return;
  size_t old = res->diagnostics ? strlen(res->diagnostics) : 0;
  char *p = realloc(res->diagnostics, old + n + 1);
  if (!p) abort();
  memcpy(p + old, text, n);
  p[old + n] = 0;
  res->diagnostics = p;
}

static bool kiln_tc_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool kiln_tc_find_entry(const char *src, size_t n, char *out, size_t outn) {
  static const char prefix[] = "kiln_patch_";
  const size_t plen = sizeof prefix - 1;
  for (size_t i = 0; i + plen < n; i++) {
    if (memcmp(src + i, prefix, plen) != 0) continue;
    if (i > 0 && kiln_tc_ident_char(src[i - 1])) continue;
    size_t end = i + plen;
    while (end < n && kiln_tc_ident_char(src[end])) end++;
    size_t after = end;
    while (after < n && (src[after] == ' ' || src[after] == '\t')) after++;
    /* A definition or declaration of a function: the name then '('. */
    if (end == i + plen || after >= n || src[after] != '(') continue;
    if (end - i >= outn) return false;
    memcpy(out, src + i, end - i);
    out[end - i] = 0;
    return true;
  }
  return false;
}

/* ---- the driver in use ------------------------------------------------- */

static const kiln_tc_driver *_Atomic kiln_tc_driver_now;

void kiln_tc_set_driver(const kiln_tc_driver *d) { kiln_tc_driver_now = d; }

/* The name of a tool environment variable that is set, or NULL: choosing a
 * compiler or linker by path means running it. */
static const char *kiln_tc_tool_chosen(void) {
  static const char *const vars[] = {"KILN_CC", "KILN_LD", "KILN_LD64", NULL};
  for (int i = 0; vars[i]; i++) {
    const char *v = getenv(vars[i]);
    if (v && *v) return vars[i];
  }
  return NULL;
}

const kiln_tc_driver *kiln_tc_driver_current(void) {
  const kiln_tc_driver *d = kiln_tc_driver_now;
  if (d) return d;
  const char *force = getenv("KILN_TOOLCHAIN_DRIVER");
  if (force && strcmp(force, "spawn") == 0) return kiln_tc_spawn_driver();
  if (!(force && strcmp(force, "inproc") == 0) && kiln_tc_tool_chosen())
    return kiln_tc_spawn_driver();
  d = kiln_tc_inproc_driver();
  if (d) return d;
  if (force && strcmp(force, "inproc") == 0) return kiln_tc_inproc_unavailable_driver();
  return kiln_tc_spawn_driver();
}

const char *kiln_tc_driver_describe(char *buf, size_t n) {
  const kiln_tc_driver *d = kiln_tc_driver_current();
  const char *force = getenv("KILN_TOOLCHAIN_DRIVER");
  if (d == kiln_tc_inproc_unavailable_driver())
    snprintf(buf, n, "none (KILN_TOOLCHAIN_DRIVER=inproc: %s)", kiln_tc_inproc_status());
  else if (strcmp(d->name, "spawn") == 0 && !(force && strcmp(force, "spawn") == 0) &&
           !kiln_tc_driver_now && kiln_tc_tool_chosen())
    snprintf(buf, n, "spawn (%s is set)", kiln_tc_tool_chosen());
  else if (strcmp(d->name, "spawn") == 0 && !(force && strcmp(force, "spawn") == 0) &&
           !kiln_tc_driver_now)
    snprintf(buf, n, "spawn (in-process driver unavailable: %s)", kiln_tc_inproc_status());
  else snprintf(buf, n, "%s", d->name);
  return buf;
}

/* ---- the cache key ----------------------------------------------------- */

/* Adds a length-prefixed field, so no two field lists hash alike. */
static void kiln_tc_key_field(kiln_sha256_ctx *c, const void *data, size_t n) {
  uint8_t len[8];
  for (int i = 0; i < 8; i++) len[i] = (uint8_t)((uint64_t)n >> (8 * i));
  kiln_sha256_update(c, len, sizeof len);
  kiln_sha256_update(c, data, n);
}

static void kiln_tc_key_str(kiln_sha256_ctx *c, const char *s) {
  kiln_tc_key_field(c, s, strlen(s));
}

/* The SHA-256 of kiln/patch_abi.h under [include_dir], remembered per process. */
static bool kiln_tc_header_hash(const char *include_dir, uint8_t out[KILN_SHA256_LEN]) {
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  static char seen_dir[4096];
  static uint8_t seen_hash[KILN_SHA256_LEN];
  bool ok = true;
  pthread_mutex_lock(&lock);
  if (strcmp(seen_dir, include_dir) != 0) {
    char path[4200];
    snprintf(path, sizeof path, "%s/kiln/patch_abi.h", include_dir);
    kiln_tc_buf b = {0};
    ok = kiln_tc_read_file(path, &b);
    if (ok) {
      kiln_sha256(b.data, b.size, seen_hash);
      snprintf(seen_dir, sizeof seen_dir, "%s", include_dir);
    }
    kiln_tc_buf_free(&b);
  }
  if (ok) memcpy(out, seen_hash, KILN_SHA256_LEN);
  pthread_mutex_unlock(&lock);
  return ok;
}

static void kiln_tc_key(const kiln_tc_job *job, const char *version, const uint8_t *header_hash,
                        const char *src, size_t n, char out[65]) {
  kiln_sha256_ctx c;
  kiln_sha256_init(&c);
  /* The cache's epoch: the link commands (args.c) are not hashed, so any
   * change to them (or to how bytes are signed) bumps this number. */
  kiln_tc_key_str(&c, "kiln-patch-cache-2");
  kiln_tc_key_str(&c, job->target->name);
  kiln_tc_key_str(&c, job->triple);
  kiln_tc_key_str(&c, job->min);
  kiln_tc_key_str(&c, job->entry);
  for (int i = 0; kiln_tc_patch_cflags[i]; i++) kiln_tc_key_str(&c, kiln_tc_patch_cflags[i]);
  kiln_tc_key_str(&c, "--");
  for (size_t i = 0; i < job->ncflags; i++) kiln_tc_key_str(&c, job->cflags[i]);
  kiln_tc_key_str(&c, version);
  uint32_t abi[2] = {KILN_ABI_VERSION, KILN_LAYOUT_HASH};
  kiln_tc_key_field(&c, abi, sizeof abi);
  kiln_tc_key_field(&c, header_hash, KILN_SHA256_LEN);
  kiln_tc_key_field(&c, src, n);
  uint8_t digest[KILN_SHA256_LEN];
  kiln_sha256_final(&c, digest);
  kiln_hex_encode(digest, sizeof digest, out);
}

/* ---- building ---------------------------------------------------------- */

static bool kiln_tc_cache_enabled(const kiln_tc_opts *opts) {
  const char *env = getenv("KILN_NO_CACHE");
  if (env && *env && strcmp(env, "0") != 0) return false;
  return !(opts && opts->no_cache);
}

int kiln_tc_build(const kiln_target *target, const char *c_source, size_t n,
                  const kiln_tc_opts *opts, kiln_tc_result *res) {
  static const kiln_tc_opts no_opts;
  if (!opts) opts = &no_opts;
  memset(res, 0, sizeof *res);
  res->target = target;
  if (!target)
    return kiln_tc_fail(res, "unknown target; the targets are %s", kiln_tc_target_names());

  if (opts->entry) snprintf(res->entry, sizeof res->entry, "%s", opts->entry);
  else if (!kiln_tc_find_entry(c_source, n, res->entry, sizeof res->entry))
    return kiln_tc_fail(res, "the C source defines no entry point kiln_patch_<id>(const "
                             "kiln_api *) (see kiln/patch_abi.h)");
  const char *include_dir = kiln_tc_include_dir();
  if (!include_dir)
    return kiln_tc_fail(res, "cannot find kiln/patch_abi.h next to the kiln executable or in "
                             "the source tree; set KILN_INCLUDE to the directory that holds "
                             "kiln/patch_abi.h");
  uint8_t header_hash[KILN_SHA256_LEN];
  if (!kiln_tc_header_hash(include_dir, header_hash))
    return kiln_tc_fail(res, "cannot read %s/kiln/patch_abi.h: %s", include_dir, strerror(errno));

  char triple[128];
  const char *min = kiln_tc_target_min(target, opts->ios_min);
  kiln_tc_target_triple(target, min, triple, sizeof triple);
  kiln_tc_job job = {target, triple, min, res->entry, include_dir, opts->cflags, opts->ncflags};

  const kiln_tc_driver *driver = kiln_tc_driver_current();
  const char *version = driver->version(target);
  if (!version) return kiln_tc_fail(res, "%s", res->message[0] ? res->message : "no toolchain");
  kiln_tc_key(&job, version, header_hash, c_source, n, res->key);

  const char *ext = kiln_tc_target_ext(target);
  bool use_cache = kiln_tc_cache_enabled(opts);
  kiln_tc_buf lib = {0};
  if (use_cache && kiln_tc_cache_get(res->key, ext, &lib)) {
    res->bytes = lib.data;
    res->size = lib.size;
    res->cached = true;
    return 0;
  }

  kiln_tc_buf obj = {0};
  double t0 = kiln_now_ms();
  int rc = driver->compile(&job, c_source, n, &obj, res);
  double t1 = kiln_now_ms();
  res->t.ms[KILN_PHASE_compile] = t1 - t0;
  if (rc == 0) {
    rc = driver->link(&job, &obj, &lib, res);
    double t2 = kiln_now_ms();
    res->t.ms[KILN_PHASE_link] = t2 - t1;
    if (rc == 0) {
      rc = driver->sign(&job, &lib, res);
      res->t.ms[KILN_PHASE_sign] = kiln_now_ms() - t2;
    }
  }
  kiln_tc_buf_free(&obj);
  if (rc != 0) {
    kiln_tc_buf_free(&lib);
    return -1;
  }
  if (use_cache) kiln_tc_cache_put(res->key, ext, &lib);
  res->bytes = lib.data;
  res->size = lib.size;
  return 0;
}

void kiln_tc_result_free(kiln_tc_result *res) {
  free(res->bytes);
  free(res->diagnostics);
  res->bytes = NULL;
  res->diagnostics = NULL;
  res->size = 0;
}
