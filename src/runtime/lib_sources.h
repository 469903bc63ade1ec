/*
 * lib_sources.h — the standard library's sources, embedded at build time by
 * scripts/embed-lib.py so a device needs no file system to load clojure.core.
 * The table ends with an entry whose path is NULL.
 */
#ifndef KILN_LIB_SOURCES_H
#define KILN_LIB_SOURCES_H
#include <stddef.h>

typedef struct kiln_lib_source {
  const char *path; /* "clojure/core.clj" */
  const char *text; /* NUL-terminated */
  size_t nbytes;
} kiln_lib_source;

extern const kiln_lib_source kiln_lib_sources[];

/*
 * The same files compiled to C at build time (src/compiler/libgen.c): the
 * entry of each file's patch. load.c runs these instead of reading the
 * source; a build without them (the libgen tool itself) has an empty table.
 */
#include "kiln/patch_abi.h"
typedef struct kiln_lib_unit {
  const char *path; /* "clojure/core.clj" */
  kiln_patch_entry entry;
} kiln_lib_unit;

extern const kiln_lib_unit kiln_lib_compiled[];
#endif
