/*
 * jank_compat.c — the seed's C names (kiln/jank_compat.h) over kiln/kiln.h.
 */
#include <stdio.h>

#include "kiln/jank_compat.h"
#include "kiln/kiln.h"

/* The default runtime, created on first use, with the calling thread
 * attached to the GC (once per thread). */
static kiln_runtime *jank_compat_rt(void) {
  static _Thread_local kiln_runtime *attached;
  if (!attached) {
    attached = kiln_runtime_new();
    kiln_thread_attach();
  }
  return attached;
}

static void jank_compat_report(const char *what, const kiln_error *err) {
  fprintf(stderr, "kiln: %s: %s\n", what, err->message);
}

JANK_COMPAT_API int jank_ios_hot_reload_load_patch(const uint8_t *dylib_data, size_t size,
                                                   const char *symbol_name) {
  kiln_error err;
  if (kiln_patch_load_bytes(jank_compat_rt(), dylib_data, size, symbol_name, NULL, &err) != 0) {
    jank_compat_report("jank_ios_hot_reload_load_patch", &err);
    return -1;
  }
  return 0;
}

JANK_COMPAT_API void *jank_box_integer(int64_t i) {
  jank_compat_rt();
  return (void *)kiln_box_long(i);
}

JANK_COMPAT_API int64_t jank_unbox_integer(void *v) {
  jank_compat_rt();
  return kiln_unbox_long((kiln_val)v);
}

JANK_COMPAT_API void *jank_call_var(const char *ns, const char *name, int argc, void **args) {
  kiln_runtime *rt = jank_compat_rt();
  kiln_val result = KILN_NIL;
  kiln_error err;
  if (argc < 0) argc = 0;
  /* A void * and a kiln_val are the same word. */
  if (kiln_call_var(rt, ns, name, (uint32_t)argc, (const kiln_val *)args, &result, &err) != 0) {
    jank_compat_report("jank_call_var", &err);
    return NULL;
  }
  return (void *)result;
}

JANK_COMPAT_API void *jank_deref_var(const char *ns, const char *name) {
  kiln_var *v = kiln_find_var(jank_compat_rt(), ns, name);
  return v ? (void *)kiln_deref(v) : NULL;
}

JANK_COMPAT_API int jank_truthy(void *v) { return KILN_TRUTHY((kiln_val)v) ? 1 : 0; }
