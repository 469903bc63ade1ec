/*
 * patch.c — the patch loader and hot-reload registry; see patch.h for the
 * design. Also the kiln.h patch functions (kiln_patch_load_bytes,
 * kiln_patch_rollback, kiln_set_executor).
 */
#include <errno.h>
#include <gc.h> /* before dlfcn.h: dlopen becomes GC_dlopen where the GC needs it */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "patch/patch.h"
#include "runtime/rt.h"

/* ---- state --------------------------------------------------------------- */

/*
 * Two locks. The apply lock serialises applications and rollbacks; a patch
 * whose run loads another patch (compiled mode: a namespace's ns form
 * requiring another namespace) applies it on the same thread while already
 * holding it, so the lock is only taken at the outermost level. It is never
 * held across a throw: run is called inside kiln_pcall, which catches inside
 * it. The registry lock guards the record array and the totals for short
 * moments, so the registry can be read from inside a patch.
 */
static pthread_mutex_t kiln_patch_apply_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t kiln_patch_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static kiln_patch_record **kiln_patch_records; /* malloc array; records are GC roots */
static size_t kiln_patch_nrecords, kiln_patch_caprecords;
static kiln_patch_stats kiln_patch_totals;
static uint64_t kiln_patch_file_counter;

static kiln_executor kiln_patch_executor;
static void *kiln_patch_executor_ctx;

static int kiln_patch_fail(kiln_error *err, const char *fmt, ...) KILN_PRINTF(2, 3);
static int kiln_patch_fail(kiln_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return -1;
}

/* ---- reading library headers ------------------------------------------- */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

#define KILN_ELF_X86_64 62
#define KILN_ELF_AARCH64 183
#define KILN_MACHO_MAGIC64 0xfeedfacfu
#define KILN_MACHO_X86_64 0x01000007u
#define KILN_MACHO_ARM64 0x0100000cu
#define KILN_MACHO_DYLIB 6u
#define KILN_LC_SYMTAB 0x2u
#define KILN_LC_SEGMENT_64 0x19u

typedef enum { KILN_LIB_ELF, KILN_LIB_MACHO } kiln_lib_format;

#if defined(__APPLE__)
#define KILN_HOST_FORMAT KILN_LIB_MACHO
#else
#define KILN_HOST_FORMAT KILN_LIB_ELF
#endif
#if defined(__x86_64__)
#define KILN_HOST_ARCH "x86_64"
#elif defined(__aarch64__)
#define KILN_HOST_ARCH "arm64"
#else
#define KILN_HOST_ARCH "unknown"
#endif

const char *kiln_patch_host_kind(void) {
  return KILN_HOST_FORMAT == KILN_LIB_MACHO ? "Mach-O " KILN_HOST_ARCH : "ELF " KILN_HOST_ARCH;
}

static const char *kiln_elf_arch(uint16_t m) {
  return m == KILN_ELF_X86_64 ? "x86_64" : m == KILN_ELF_AARCH64 ? "arm64" : NULL;
}
static const char *kiln_macho_arch(uint32_t c) {
  return c == KILN_MACHO_X86_64 ? "x86_64" : c == KILN_MACHO_ARM64 ? "arm64" : NULL;
}

/* off + len, saturating instead of wrapping. */
static uint64_t kiln_end(uint64_t off, uint64_t len) {
  return off + len < off ? UINT64_MAX : off + len;
}

/* True when [off, off+len) lies inside [size] bytes (no overflow). */
static bool kiln_in(uint64_t off, uint64_t len, size_t size) {
  return off <= size && len <= size - off;
}

/*
 * Checks that [bytes] are a shared library this process can load, and that
 * every part its headers point at is present. Returns 0, or -1 with a
 * message naming what is wrong.
 */
static int kiln_patch_check(const uint8_t *b, size_t size, kiln_error *err) {
  char kind[64];
  const char *arch = NULL;
  kiln_lib_format fmt;
  if (size < 64)
    return kiln_patch_fail(err, "the patch is truncated: %zu bytes is too short for a shared "
                                "library", size);
  if (size > KILN_PATCH_MAX_SIZE)
    return kiln_patch_fail(err, "the patch is %zu bytes, over the limit of %u", size,
                           KILN_PATCH_MAX_SIZE);
  if (memcmp(b, "\177ELF", 4) == 0) {
    fmt = KILN_LIB_ELF;
    if (b[4] != 2 || b[5] != 1)
      return kiln_patch_fail(err, "the patch is a 32-bit or big-endian ELF file; this process "
                                  "loads %s libraries", kiln_patch_host_kind());
    arch = kiln_elf_arch(rd16(b + 18));
    snprintf(kind, sizeof kind, "ELF %s", arch ? arch : "(unknown machine)");
  } else if (rd32(b) == KILN_MACHO_MAGIC64) {
    fmt = KILN_LIB_MACHO;
    arch = kiln_macho_arch(rd32(b + 4));
    snprintf(kind, sizeof kind, "Mach-O %s", arch ? arch : "(unknown CPU)");
  } else if (rd32(b) == 0xbebafecau || rd32(b) == 0xcafebabeu) {
    return kiln_patch_fail(err, "the patch is a universal (fat) Mach-O file; send the library "
                                "for one architecture (this process loads %s)",
                           kiln_patch_host_kind());
  } else {
    return kiln_patch_fail(err, "the patch is not a shared library (no ELF or Mach-O magic "
                                "number in its first bytes)");
  }
  if (fmt != KILN_HOST_FORMAT || !arch || strcmp(arch, KILN_HOST_ARCH) != 0)
    return kiln_patch_fail(err, "the patch is a %s library, but this process loads %s "
                                "libraries: compile it for this device's target",
                           kind, kiln_patch_host_kind());

  uint64_t need = 0; /* bytes the headers say the file has */
  if (fmt == KILN_LIB_ELF) {
    if (rd16(b + 16) != 3)
      return kiln_patch_fail(err, "the patch is an ELF file but not a shared library (e_type %u)",
                             rd16(b + 16));
    uint64_t phoff = rd64(b + 32), shoff = rd64(b + 40);
    uint16_t phentsize = rd16(b + 54), phnum = rd16(b + 56);
    uint16_t shentsize = rd16(b + 58), shnum = rd16(b + 60);
    need = kiln_end(phoff, (uint64_t)phentsize * phnum);
    if (shnum && kiln_end(shoff, (uint64_t)shentsize * shnum) > need)
      need = kiln_end(shoff, (uint64_t)shentsize * shnum);
    if (kiln_in(phoff, (uint64_t)phentsize * phnum, size) && phentsize >= 56)
      for (uint16_t i = 0; i < phnum; i++) {
        const uint8_t *ph = b + phoff + (uint64_t)i * phentsize;
        uint64_t end = kiln_end(rd64(ph + 8), rd64(ph + 32));
        if (end > need) need = end;
      }
  } else {
    if (rd32(b + 12) != KILN_MACHO_DYLIB)
      return kiln_patch_fail(err, "the patch is a Mach-O file but not a dylib (filetype %u)",
                             rd32(b + 12));
    uint32_t ncmds = rd32(b + 16), sizeofcmds = rd32(b + 20);
    need = 32 + (uint64_t)sizeofcmds;
    uint64_t off = 32;
    for (uint32_t i = 0; i < ncmds && kiln_in(off, 8, size); i++) {
      uint32_t cmd = rd32(b + off), cmdsize = rd32(b + off + 4);
      if (cmdsize < 8) break;
      if (cmd == KILN_LC_SEGMENT_64 && kiln_in(off, 56, size)) {
        uint64_t end = kiln_end(rd64(b + off + 40), rd64(b + off + 48));
        if (end > need) need = end;
      }
      off += cmdsize;
    }
  }
  if (need > size)
    return kiln_patch_fail(err, "the patch is truncated: its headers describe %llu bytes but "
                                "only %zu arrived",
                           (unsigned long long)need, size);
  return 0;
}

static bool kiln_patch_is_entry_name(const char *s) {
  if (strncmp(s, "kiln_patch_", 11) != 0 || !s[11] || strlen(s) >= 128) return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '_'))
      return false;
  return true;
}

/* Records a kiln_patch_* name found at [name] (bounded by [end]); counts them. */
static void kiln_patch_entry_seen(const uint8_t *name, const uint8_t *end, char *out, size_t outn,
                                  int *count) {
  size_t len = 0;
  while (name + len < end && name[len]) len++;
  if (name + len >= end || len < 12 || memcmp(name, "kiln_patch_", 11) != 0) return;
  if (++*count == 1) snprintf(out, outn, "%.*s", (int)len, (const char *)name);
}

bool kiln_patch_find_entry(const uint8_t *b, size_t size, char *out, size_t outn, char *msg,
                           size_t msgn) {
  int count = 0;
  if (size >= 64 && memcmp(b, "\177ELF", 4) == 0) {
    uint64_t shoff = rd64(b + 40);
    uint16_t shentsize = rd16(b + 58), shnum = rd16(b + 60);
    if (shentsize < 64 || !kiln_in(shoff, (uint64_t)shentsize * shnum, size)) shnum = 0;
    for (uint16_t i = 0; i < shnum; i++) {
      const uint8_t *sh = b + shoff + (uint64_t)i * shentsize;
      if (rd32(sh + 4) != 11 /* SHT_DYNSYM */) continue;
      uint64_t off = rd64(sh + 24), len = rd64(sh + 32);
      uint32_t link = rd32(sh + 40);
      if (link >= shnum || !kiln_in(off, len, size)) continue;
      const uint8_t *strsh = b + shoff + (uint64_t)link * shentsize;
      uint64_t stroff = rd64(strsh + 24), strsize = rd64(strsh + 32);
      if (!kiln_in(stroff, strsize, size)) continue;
      for (uint64_t s = 0; s + 24 <= len; s += 24) {
        const uint8_t *sym = b + off + s;
        uint32_t name = rd32(sym);
        bool global = (sym[4] >> 4) == 1, defined = rd16(sym + 6) != 0;
        if (global && defined && name < strsize)
          kiln_patch_entry_seen(b + stroff + name, b + stroff + strsize, out, outn, &count);
      }
    }
  } else if (size >= 32 && rd32(b) == KILN_MACHO_MAGIC64) {
    uint32_t ncmds = rd32(b + 16);
    uint64_t off = 32;
    for (uint32_t i = 0; i < ncmds && kiln_in(off, 24, size); i++) {
      uint32_t cmd = rd32(b + off), cmdsize = rd32(b + off + 4);
      if (cmdsize < 8) break;
      if (cmd == KILN_LC_SYMTAB) {
        uint32_t symoff = rd32(b + off + 8), nsyms = rd32(b + off + 12);
        uint32_t stroff = rd32(b + off + 16), strsize = rd32(b + off + 20);
        if (!kiln_in(symoff, (uint64_t)nsyms * 16, size) || !kiln_in(stroff, strsize, size)) break;
        for (uint32_t s = 0; s < nsyms; s++) {
          const uint8_t *nl = b + symoff + (uint64_t)s * 16;
          uint32_t name = rd32(nl);
          /* External (N_EXT) and defined in a section (N_SECT). */
          if ((nl[4] & 0x01) && (nl[4] & 0x0e) == 0x0e && name + 1 < strsize &&
              b[stroff + name] == '_')
            kiln_patch_entry_seen(b + stroff + name + 1, b + stroff + strsize, out, outn, &count);
        }
      }
      off += cmdsize;
    }
  }
  if (count == 1) return true;
  snprintf(msg, msgn,
           count ? "the patch exports %d kiln_patch_* symbols; pass the entry point's name"
                 : "the patch exports no kiln_patch_* entry point",
           count);
  return false;
}

/* ---- the journal --------------------------------------------------------- */

typedef struct kiln_journal {
  kiln_patch_change *items; /* GC memory, reachable from this struct on the stack */
  uint32_t n, cap;
  struct kiln_journal *outer; /* the application this one is nested in, or NULL */
} kiln_journal;

/* The innermost application running on this thread, if any. Changes made by
 * other threads meanwhile are theirs, not the patch's. */
static _Thread_local kiln_journal *kiln_patch_journal;

/* The var observer, installed once: journals the first old state of each var
 * the applying thread changes. */
static void kiln_patch_observe(kiln_var *v, kiln_val old_root, uint32_t old_flags,
                               kiln_val old_meta, void *ctx) {
  KILN_UNUSED(ctx);
  kiln_journal *j = kiln_patch_journal;
  if (!j) return;
  for (uint32_t i = 0; i < j->n; i++)
    if (j->items[i].var == v) return; /* only the first old state matters */
  if (j->n == j->cap) {
    uint32_t cap = j->cap ? j->cap * 2 : 8;
    kiln_patch_change *grown = kiln_alloc(cap * sizeof *grown);
    if (j->n) memcpy(grown, j->items, j->n * sizeof *grown);
    j->items = grown;
    j->cap = cap;
  }
  j->items[j->n++] = (kiln_patch_change){v, old_root, old_meta, old_flags};
}

static void kiln_patch_install_observer(void) {
  kiln_var_set_observer(kiln_patch_observe, NULL);
}

/* Puts every journaled var back as it was, newest change first. */
static void kiln_patch_restore(const kiln_patch_change *items, uint32_t n) {
  for (uint32_t i = n; i-- > 0;)
    kiln_var_restore(items[i].var, items[i].old_root, items[i].old_flags, items[i].old_meta);
}

/* ---- loading ------------------------------------------------------------- */

/* Writes the bytes to a path this process never used before and dlopens it. */
static void *kiln_patch_dlopen(const uint8_t *bytes, size_t size, kiln_error *err) {
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  const char *ext = KILN_HOST_FORMAT == KILN_LIB_MACHO ? ".dylib" : ".so";
  char path[1024];
  uint64_t n = __atomic_add_fetch(&kiln_patch_file_counter, 1, __ATOMIC_RELAXED);
  snprintf(path, sizeof path, "%s%skiln-patch-%ld-%llu-XXXXXX%s", tmp,
           tmp[strlen(tmp) - 1] == '/' ? "" : "/", (long)getpid(), (unsigned long long)n, ext);
  int fd = mkstemps(path, (int)strlen(ext));
  if (fd < 0) {
    kiln_patch_fail(err, "cannot create a file for the patch in %s: %s", tmp, strerror(errno));
    return NULL;
  }
  const uint8_t *p = bytes;
  size_t left = size;
  while (left) {
    ssize_t put = write(fd, p, left);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) {
      kiln_patch_fail(err, "cannot write the patch to %s: %s", path, strerror(errno));
      close(fd);
      unlink(path);
      return NULL;
    }
    p += put;
    left -= (size_t)put;
  }
  close(fd);
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *why = dlerror();
    kiln_patch_fail(err, "dlopen refused the patch: %s", why ? why : "(no reason given)");
  }
#if !defined(__APPLE__)
  /* The mapping outlives the name, and the counter in the name keeps any
   * later patch from reusing this path. Apple's loaders validate signed
   * pages against the file lazily, so there the file stays (in the app's
   * temporary directory, which the system cleans). */
  unlink(path);
#else
  if (!h) unlink(path);
#endif
  return h;
}

static kiln_val kiln_patch_call_run(void *ctx) {
  const kiln_patch_desc *desc = ctx;
  return desc->run();
}

static kiln_patch_record *kiln_patch_register(kiln_patch_record *rec) {
  pthread_mutex_lock(&kiln_patch_registry_lock);
  if (kiln_patch_nrecords == kiln_patch_caprecords) {
    size_t cap = kiln_patch_caprecords ? kiln_patch_caprecords * 2 : 64;
    kiln_patch_record **grown = realloc(kiln_patch_records, cap * sizeof *grown);
    if (!grown) {
      pthread_mutex_unlock(&kiln_patch_registry_lock);
      return NULL;
    }
    kiln_patch_records = grown;
    kiln_patch_caprecords = cap;
  }
  rec->id = kiln_patch_nrecords + 1;
  kiln_patch_records[kiln_patch_nrecords++] = rec;
  kiln_patch_totals.applied++;
  kiln_patch_totals.bytes += rec->size;
  kiln_patch_totals.vars_changed += rec->nchanges;
  kiln_patch_totals.load_ms += rec->t.ms[KILN_PHASE_load];
  kiln_patch_totals.run_ms += rec->t.ms[KILN_PHASE_run];
  pthread_mutex_unlock(&kiln_patch_registry_lock);
  return rec;
}

/* The whole application, with the apply lock held. */
static int kiln_patch_apply(const uint8_t *bytes, size_t size, const char *symbol,
                            kiln_val *result, const kiln_patch_record **record, kiln_error *err) {
  double t0 = kiln_now_ms();
  if (kiln_patch_check(bytes, size, err) != 0) return -1;
  char entry_name[128];
  if (symbol && *symbol) {
    if (!kiln_patch_is_entry_name(symbol))
      return kiln_patch_fail(err, "'%s' is not a patch entry point name (kiln_patch_<id>)",
                             symbol);
    snprintf(entry_name, sizeof entry_name, "%s", symbol);
  } else if (!kiln_patch_find_entry(bytes, size, entry_name, sizeof entry_name, err->message,
                                    sizeof err->message)) {
    return -1;
  }

  void *handle = kiln_patch_dlopen(bytes, size, err);
  if (!handle) return -1;
  dlerror();
  kiln_patch_entry entry = (kiln_patch_entry)dlsym(handle, entry_name);
  if (!entry) {
    const char *why = dlerror();
    kiln_patch_fail(err, "the patch has no entry point %s (%s)", entry_name,
                    why ? why : "dlsym found nothing");
    dlclose(handle); /* none of its code has run: closing is safe */
    return -1;
  }
  const kiln_patch_desc *desc = entry(kiln_rt_api());
  if (!desc)
    return kiln_patch_fail(err, "the patch's entry point %s returned no descriptor", entry_name);
  if (desc->abi_version != KILN_ABI_VERSION || desc->layout_hash != KILN_LAYOUT_HASH)
    return kiln_patch_fail(err, "patch %s was built for ABI %u layout 0x%08x, this runtime is "
                                "ABI %u layout 0x%08x: rebuild it with this runtime's kiln",
                           entry_name, desc->abi_version, desc->layout_hash, KILN_ABI_VERSION,
                           (unsigned)KILN_LAYOUT_HASH);
  if (!desc->run) return kiln_patch_fail(err, "patch %s has no run function", entry_name);
  /* Its functions name the frames of stack traces from now on (the handle
   * is never closed once code from it may run). */
  kiln_trace_register(desc->fns, desc->nfns);
  double t1 = kiln_now_ms();

  kiln_journal j = {NULL, 0, 0, kiln_patch_journal};
  kiln_val value = KILN_NIL, ex = KILN_NIL;
  kiln_patch_journal = &j;
  bool ok = kiln_pcall(kiln_patch_call_run, (void *)desc, &value, &ex);
  kiln_patch_journal = j.outer;
  double t2 = kiln_now_ms();
  if (!ok) {
    kiln_patch_restore(j.items, j.n);
    err->exception = ex;
    const char *cls = KILN_HAS_TYPE(ex, KILN_T_EXCEPTION) ? ((kiln_exception *)ex)->cls
                                                          : kiln_class_name(ex);
    return kiln_patch_fail(err, "patch %s (ns %s) threw %s: %s; %u var%s it changed %s restored",
                           entry_name, desc->ns ? desc->ns : "?", cls, kiln_ex_message(ex), j.n,
                           j.n == 1 ? "" : "s", j.n == 1 ? "was" : "were");
  }

  kiln_patch_record *rec = kiln_alloc_root(sizeof *rec);
  snprintf(rec->symbol, sizeof rec->symbol, "%s", entry_name);
  snprintf(rec->ns, sizeof rec->ns, "%s", desc->ns ? desc->ns : "user");
  snprintf(rec->file, sizeof rec->file, "%s", desc->file ? desc->file : "NO_SOURCE_FILE");
  uint8_t digest[KILN_SHA256_LEN];
  kiln_sha256(bytes, size, digest);
  kiln_hex_encode(digest, sizeof digest, rec->hash);
  rec->size = size;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  rec->wall_time = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
  rec->nchanges = j.n;
  rec->changes = j.items;
  rec->result = value;
  rec->t.ms[KILN_PHASE_load] = t1 - t0;
  rec->t.ms[KILN_PHASE_run] = t2 - t1;
  rec->handle = handle;
  if (!kiln_patch_register(rec)) {
    kiln_patch_restore(j.items, j.n);
    return kiln_patch_fail(err, "out of memory registering patch %s", entry_name);
  }
  if (result) *result = value;
  if (record) *record = rec;
  return 0;
}

typedef struct kiln_patch_job {
  const uint8_t *bytes;
  size_t size;
  const char *symbol;
  kiln_val *result;
  const kiln_patch_record **record;
  kiln_error *err;
  int rc;
} kiln_patch_job;

static void kiln_patch_work(void *ctx) {
  kiln_patch_job *job = ctx;
  kiln_gc_register_thread(); /* the executor's thread may be new to the GC */
  bool outermost = kiln_patch_journal == NULL;
  if (outermost) pthread_mutex_lock(&kiln_patch_apply_lock);
  job->rc = kiln_patch_apply(job->bytes, job->size, job->symbol, job->result, job->record,
                             job->err);
  if (outermost) pthread_mutex_unlock(&kiln_patch_apply_lock);
  if (job->rc != 0) {
    pthread_mutex_lock(&kiln_patch_registry_lock);
    kiln_patch_totals.failed++;
    pthread_mutex_unlock(&kiln_patch_registry_lock);
  }
}

int kiln_patch_load(const uint8_t *bytes, size_t size, const char *symbol, kiln_val *result,
                    const kiln_patch_record **record, kiln_error *err) {
  kiln_error local;
  if (!err) err = &local;
  err->message[0] = 0;
  err->exception = KILN_NIL;
  if (!bytes) return kiln_patch_fail(err, "no patch bytes");
  kiln_rt_init();
  static pthread_once_t observer_once = PTHREAD_ONCE_INIT;
  pthread_once(&observer_once, kiln_patch_install_observer);
  kiln_patch_job job = {bytes, size, symbol, result, record, err, -1};
  kiln_executor ex = __atomic_load_n(&kiln_patch_executor, __ATOMIC_ACQUIRE);
  /* A nested load (from inside a patch's run) is already on the executor. */
  if (ex && !kiln_patch_journal) ex(kiln_patch_work, &job, kiln_patch_executor_ctx);
  else kiln_patch_work(&job);
  return job.rc;
}

/* ---- rollback, the registry, statistics -------------------------------- */

int kiln_patch_rollback_last(const kiln_patch_record **undone, kiln_error *err) {
  kiln_error local;
  if (!err) err = &local;
  err->message[0] = 0;
  err->exception = KILN_NIL;
  bool outermost = kiln_patch_journal == NULL;
  if (outermost) pthread_mutex_lock(&kiln_patch_apply_lock);
  pthread_mutex_lock(&kiln_patch_registry_lock);
  kiln_patch_record *rec = NULL;
  for (size_t i = kiln_patch_nrecords; i-- > 0 && !rec;)
    if (!kiln_patch_records[i]->rolled_back) rec = kiln_patch_records[i];
  if (rec) {
    rec->rolled_back = true;
    kiln_patch_totals.rolled_back++;
  }
  pthread_mutex_unlock(&kiln_patch_registry_lock);
  /* Restoring changes roots, which the observer reports: not as part of any
   * application, as no journal is open unless this runs inside a patch. */
  if (rec) kiln_patch_restore(rec->changes, rec->nchanges);
  if (outermost) pthread_mutex_unlock(&kiln_patch_apply_lock);
  if (!rec) return kiln_patch_fail(err, "there is no applied patch to roll back");
  if (undone) *undone = rec;
  return 0;
}

size_t kiln_patch_count(void) {
  pthread_mutex_lock(&kiln_patch_registry_lock);
  size_t n = kiln_patch_nrecords;
  pthread_mutex_unlock(&kiln_patch_registry_lock);
  return n;
}

const kiln_patch_record *kiln_patch_at(size_t i) {
  pthread_mutex_lock(&kiln_patch_registry_lock);
  const kiln_patch_record *r = i < kiln_patch_nrecords ? kiln_patch_records[i] : NULL;
  pthread_mutex_unlock(&kiln_patch_registry_lock);
  return r;
}

void kiln_patch_get_stats(kiln_patch_stats *out) {
  pthread_mutex_lock(&kiln_patch_registry_lock);
  *out = kiln_patch_totals;
  pthread_mutex_unlock(&kiln_patch_registry_lock);
}

/* "ns/name" of a var as a symbol. */
static kiln_val kiln_patch_var_sym(kiln_var *v) {
  const char *ns = KILN_HAS_TYPE(v->ns, KILN_T_NAMESPACE)
                       ? kiln_sym_name(((kiln_ns *)v->ns)->name)
                       : NULL;
  return kiln_sym(ns, kiln_sym_name(v->sym));
}

kiln_val kiln_patch_list(void) {
  kiln_val out = kiln_empty_vector;
  for (size_t i = 0, n = kiln_patch_count(); i < n; i++) {
    const kiln_patch_record *r = kiln_patch_at(i);
    kiln_val vars = kiln_empty_vector;
    for (uint32_t k = 0; k < r->nchanges; k++)
      vars = kiln_vec_conj(vars, kiln_patch_var_sym(r->changes[k].var));
    kiln_val kvs[] = {
        kiln_kw(NULL, "id"),          kiln_long((int64_t)r->id),
        kiln_kw(NULL, "symbol"),      kiln_str_cstr(r->symbol),
        kiln_kw(NULL, "ns"),          kiln_str_cstr(r->ns),
        kiln_kw(NULL, "file"),        kiln_str_cstr(r->file),
        kiln_kw(NULL, "hash"),        kiln_str_cstr(r->hash),
        kiln_kw(NULL, "size"),        kiln_long((int64_t)r->size),
        kiln_kw(NULL, "time-ms"),     kiln_long((int64_t)(r->wall_time * 1000)),
        kiln_kw(NULL, "vars"),        vars,
        kiln_kw(NULL, "rolled-back"), KILN_BOOL(r->rolled_back),
        kiln_kw(NULL, "load-ms"),     kiln_double(r->t.ms[KILN_PHASE_load]),
        kiln_kw(NULL, "run-ms"),      kiln_double(r->t.ms[KILN_PHASE_run]),
    };
    out = kiln_vec_conj(out, kiln_map_from(KILN_ARRAY_LEN(kvs), kvs));
  }
  return out;
}

/* ---- kiln.h ------------------------------------------------------------- */

KILN_API int kiln_patch_load_bytes(kiln_runtime *rt, const uint8_t *bytes, size_t size,
                                   const char *symbol, kiln_val *result, kiln_error *err) {
  KILN_UNUSED(rt); /* one runtime per process */
  return kiln_patch_load(bytes, size, symbol, result, NULL, err);
}

KILN_API int kiln_patch_rollback(kiln_runtime *rt, kiln_error *err) {
  KILN_UNUSED(rt);
  return kiln_patch_rollback_last(NULL, err);
}

KILN_API void kiln_set_executor(kiln_runtime *rt, kiln_executor executor, void *executor_ctx) {
  KILN_UNUSED(rt);
  pthread_mutex_lock(&kiln_patch_registry_lock);
  kiln_patch_executor_ctx = executor_ctx;
  __atomic_store_n(&kiln_patch_executor, executor, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&kiln_patch_registry_lock);
}
