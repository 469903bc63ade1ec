/*
 * kiln/jank_compat.h — the C names of the iOS hot-reload plan Kiln implements
 * (seed-ios-hot-reload-plan.md), with the seed's signatures, as thin wrappers
 * over kiln/kiln.h. A value is a `void *` (a kiln_val: nil is NULL).
 *
 * They need no other call: the first use creates the process's default
 * runtime and makes the calling thread known to the garbage collector.
 * Errors are printed to stderr as "kiln: message"; the functions then return
 * -1 (load) or NULL (nil).
 */
#ifndef KILN_JANK_COMPAT_H
#define KILN_JANK_COMPAT_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define JANK_COMPAT_API __attribute__((visibility("default")))
#else
#define JANK_COMPAT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Loads and applies a patch from the bytes of a shared library; [symbol_name]
 * is its entry point (kiln_patch_<id>), or NULL to find it. 0 on success. */
JANK_COMPAT_API int jank_ios_hot_reload_load_patch(const uint8_t *dylib_data, size_t size,
                                                   const char *symbol_name);
JANK_COMPAT_API void *jank_box_integer(int64_t i);
/* 0 when [v] is not an integer. */
JANK_COMPAT_API int64_t jank_unbox_integer(void *v);
/* Calls ns/name with [argc] arguments; NULL (nil) if it throws or is missing. */
JANK_COMPAT_API void *jank_call_var(const char *ns, const char *name, int argc, void **args);
/* The value of ns/name; NULL (nil) if there is no such var. */
JANK_COMPAT_API void *jank_deref_var(const char *ns, const char *name);
/* 1 unless [v] is nil or false. */
JANK_COMPAT_API int jank_truthy(void *v);

#ifdef __cplusplus
}
#endif
#endif /* KILN_JANK_COMPAT_H */
