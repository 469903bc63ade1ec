/*
 * kiln/kiln.h — the embedding API: everything a host app (C, Objective-C,
 * Swift through a bridging header) needs to run Kiln code, call into it, be
 * called back, and receive hot-reload patches.
 *
 * One runtime per process. kiln_runtime_new initialises it on first use and
 * returns the same handle afterwards; kiln_runtime_close releases the handle
 * (the runtime's memory stays until exit, because compiled code may still
 * refer to it).
 *
 * Values (kiln_val) are owned by the garbage collector. A host keeps a value
 * alive by keeping it in a var, in memory from the GC, or on the stack of a
 * thread the GC knows about: call kiln_thread_attach on any thread the host
 * created before it touches values.
 *
 * Functions that can fail return 0 on success and a negative number on
 * failure, filling the caller's kiln_error with a message a person can act on.
 */
#ifndef KILN_KILN_H
#define KILN_KILN_H

#include <stddef.h>
#include <stdint.h>

#include "kiln/patch_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define KILN_API __attribute__((visibility("default")))
#else
#define KILN_API
#endif

typedef struct kiln_runtime kiln_runtime;

/* A failure: a message (NUL-terminated, owned by the struct) and, for
 * language exceptions, the exception value itself. */
typedef struct kiln_error {
  char message[1024];
  kiln_val exception; /* nil unless a language exception was thrown */
} kiln_error;

/* ---- the runtime ---- */
KILN_API kiln_runtime *kiln_runtime_new(void);
KILN_API void kiln_runtime_close(kiln_runtime *rt);
/* Makes the calling thread known to the GC; call before touching values. */
KILN_API void kiln_thread_attach(void);
KILN_API void kiln_thread_detach(void);
KILN_API const char *kiln_version(void);

/* ---- evaluating ---- */
/* Reads and evaluates every form of [code] in namespace [ns] (NULL: user);
 * stores the last value in *result (may be NULL). */
KILN_API int kiln_eval(kiln_runtime *rt, const char *code, const char *ns, kiln_val *result,
                       kiln_error *err);
/* pr-str of a value, into GC memory. */
KILN_API const char *kiln_to_string(kiln_val v);

/* ---- vars ---- */
/* The var ns/name, or NULL if it does not exist. */
KILN_API kiln_var *kiln_find_var(kiln_runtime *rt, const char *ns, const char *name);
KILN_API kiln_val kiln_deref(kiln_var *var);
/* Calls the current value of ns/name with [argc] arguments. */
KILN_API int kiln_call_var(kiln_runtime *rt, const char *ns, const char *name, uint32_t argc,
                           const kiln_val *argv, kiln_val *result, kiln_error *err);
/* Calls any callable value. */
KILN_API int kiln_invoke(kiln_runtime *rt, kiln_val f, uint32_t argc, const kiln_val *argv,
                         kiln_val *result, kiln_error *err);

/* ---- natives: C functions as vars ---- */
/* Defines ns/name as a function whose code is [code]; [arglists] like
 * "([x] [x y])" and [doc] may be NULL. Redefining replaces the root. */
KILN_API int kiln_def_native(kiln_runtime *rt, const char *ns, const char *name, kiln_fn_code code,
                             const char *arglists, const char *doc);

/* ---- values ---- */
KILN_API kiln_val kiln_box_long(int64_t i);
KILN_API int64_t kiln_unbox_long(kiln_val v); /* 0 if not an integer */
KILN_API kiln_val kiln_box_double(double d);
KILN_API double kiln_unbox_double(kiln_val v);
KILN_API kiln_val kiln_new_string(const char *utf8);
KILN_API const char *kiln_string_value(kiln_val v); /* NULL if not a string */
KILN_API kiln_val kiln_new_keyword(const char *ns, const char *name);

/* ---- patches ---- */
/* Loads and applies a patch from the bytes of a shared library. [symbol] is
 * the entry point's name (kiln_patch_<id>), or NULL to find it. On failure
 * nothing is registered and every var keeps its previous root. */
KILN_API int kiln_patch_load_bytes(kiln_runtime *rt, const uint8_t *bytes, size_t size,
                                   const char *symbol, kiln_val *result, kiln_error *err);
/* Undoes the last applied patch. */
KILN_API int kiln_patch_rollback(kiln_runtime *rt, kiln_error *err);

/* Where patches are applied: an iOS app passes a function that runs [work] on
 * the main queue and waits for it. NULL applies on the receiving thread. */
typedef void (*kiln_executor)(void (*work)(void *ctx), void *ctx, void *executor_ctx);
KILN_API void kiln_set_executor(kiln_runtime *rt, kiln_executor executor, void *executor_ctx);

/* ---- the device client ---- */
typedef struct kiln_device_opts {
  const char *host;   /* the kiln serve machine */
  int port;           /* its device port */
  const char *token;  /* the server's token */
  const char *name;   /* shown in kiln/devices; NULL: the host name */
} kiln_device_opts;
/* Connects to a Kiln server in a background thread and applies the patches
 * it sends, reconnecting with backoff. Returns at once. */
KILN_API int kiln_device_start(kiln_runtime *rt, const kiln_device_opts *opts, kiln_error *err);
KILN_API void kiln_device_stop(kiln_runtime *rt);

#ifdef __cplusplus
}
#endif
#endif /* KILN_KILN_H */
