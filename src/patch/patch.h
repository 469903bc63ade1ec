/*
 * patch.h — the patch loader and the hot-reload registry (DESIGN §5).
 *
 * Loading a patch: check the bytes (size, magic, that they are a shared
 * library for this process's format and architecture, that their headers
 * fit in the bytes), write them to a new file in the temp directory whose
 * path was never used before in this process (dlopen caches by path), dlopen
 * it RTLD_NOW|RTLD_LOCAL, find the entry kiln_patch_<id>, call it with the
 * API table, and check the descriptor's ABI version and layout hash.
 *
 * Applying it is a transaction: while desc->run evaluates the patch's forms,
 * a var observer journals the first old root, flags and metadata of every
 * var the applying thread changes. If run throws, every journaled var gets
 * its old state back and the error is returned; nothing is registered.
 * Otherwise the patch is registered with its journal, so kiln_patch_rollback
 * can undo it later. Roots are swapped with release stores, so threads
 * calling a var during a swap see the old or the new function, never a torn
 * one.
 *
 * Applications are serialised (one at a time per process) and run on the
 * executor if one is set (kiln_set_executor: an iOS app applies on the main
 * queue). A patch whose run loads another patch (compiled mode: an ns form
 * that requires a namespace) applies it at once on the same thread, as its
 * own transaction and record; the outer patch's journal does not include the
 * inner one's vars. Libraries are never dlclosed: code from them may still
 * be running or referenced from values.
 *
 * Registry records are GC roots (they hold the journal's old values) and
 * live as long as the process.
 */
#ifndef KILN_PATCH_H
#define KILN_PATCH_H

#include "kiln/kiln.h"
#include "toolchain/toolchain.h"

/* Patches larger than this are refused before anything is written. */
#define KILN_PATCH_MAX_SIZE (64u << 20)

/* One var changed by a patch, as it was before. */
typedef struct kiln_patch_change {
  kiln_var *var;
  kiln_val old_root;
  kiln_val old_meta;
  uint32_t old_flags;
} kiln_patch_change;

/* A patch in the registry. */
typedef struct kiln_patch_record {
  uint64_t id;                /* 1, 2, ... in the order patches were applied */
  char symbol[128];           /* kiln_patch_<id> */
  char ns[256];               /* desc->ns */
  char file[512];             /* desc->file */
  char hash[2 * 32 + 1];      /* hex SHA-256 of the library bytes */
  size_t size;                /* bytes */
  double wall_time;           /* when applied, seconds since the epoch */
  uint32_t nchanges;
  kiln_patch_change *changes; /* the journal, in the order vars were first changed */
  kiln_val result;            /* what run returned */
  kiln_timings t;             /* load (write, dlopen, checks) and run */
  bool rolled_back;
  void *handle;               /* the dlopen handle, never closed */
} kiln_patch_record;

/* Loads and applies a patch (see above). On success returns 0, sets *result
 * (may be NULL) and *record (may be NULL); timings are in (*record)->t. On
 * failure returns -1 with err->message set (and err->exception when the patch
 * threw); nothing is registered and every var keeps its previous state. */
int kiln_patch_load(const uint8_t *bytes, size_t size, const char *symbol, kiln_val *result,
                    const kiln_patch_record **record, kiln_error *err);

/* Undoes the last applied patch that is not already undone: every var it
 * changed gets back the root, flags and metadata it had before. Returns -1
 * with a message when there is nothing to undo. [undone] (may be NULL)
 * receives the record. */
int kiln_patch_rollback_last(const kiln_patch_record **undone, kiln_error *err);

/* The registry, oldest first. Records stay valid for the life of the process. */
size_t kiln_patch_count(void);
const kiln_patch_record *kiln_patch_at(size_t i);
/* The registry as Clojure data (for nREPL's kiln/patches and the device):
 * a vector of maps {:id :symbol :ns :file :hash :size :time :vars
 * :rolled-back :load-ms :run-ms}, oldest first. */
kiln_val kiln_patch_list(void);

typedef struct kiln_patch_stats {
  uint64_t applied;      /* registered patches (including later undone ones) */
  uint64_t failed;       /* refused or thrown */
  uint64_t rolled_back;
  uint64_t bytes;        /* total size of applied patches */
  uint64_t vars_changed; /* journal entries over all applied patches */
  double load_ms;        /* total load time of applied patches */
  double run_ms;         /* total run time of applied patches */
} kiln_patch_stats;
void kiln_patch_get_stats(kiln_patch_stats *out);

/* Describes the kind of library this process loads: "ELF x86_64", "Mach-O arm64". */
const char *kiln_patch_host_kind(void);
/* Finds the one exported kiln_patch_* symbol in library [bytes] (ELF dynamic
 * symbols, Mach-O external symbols). Returns false with a message in [msg]. */
bool kiln_patch_find_entry(const uint8_t *bytes, size_t size, char *out, size_t outn, char *msg,
                           size_t msgn);

#endif /* KILN_PATCH_H */
