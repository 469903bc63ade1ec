/*
 * cache.c — the patch cache: library bytes stored under the hex SHA-256 key
 * of everything that decides them (toolchain.c computes the key).
 *
 * Layout: CACHE/patches/<key><ext>. Entries are written to a temporary file
 * in the same directory and renamed into place, so a reader never sees half
 * an entry and any number of servers can share one cache. Entries are never
 * modified; deleting the directory at any time is safe.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "toolchain/toolchain.h"

const char *kiln_tc_cache_dir(void) {
  static _Thread_local char dir[PATH_MAX];
  const char *xdg = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  if (xdg && *xdg) snprintf(dir, sizeof dir, "%s/kiln", xdg);
  else if (home && *home) snprintf(dir, sizeof dir, "%s/.cache/kiln", home);
  else return NULL;
  return dir;
}

/* Makes [path] and its parents (mkdir -p). */
static bool kiln_tc_mkdirs(const char *path) {
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) return false;
    *p = '/';
  }
  return mkdir(buf, 0755) == 0 || errno == EEXIST;
}

static bool kiln_tc_cache_path(const char *key, const char *ext, char *out, size_t n) {
  const char *dir = kiln_tc_cache_dir();
  if (!dir) return false;
  snprintf(out, n, "%s/patches/%s%s", dir, key, ext);
  return true;
}

bool kiln_tc_cache_get(const char *key, const char *ext, kiln_tc_buf *out) {
  char path[PATH_MAX];
  if (!kiln_tc_cache_path(key, ext, path, sizeof path)) return false;
  if (!kiln_tc_read_file(path, out)) return false;
  if (out->size < 16) { /* not something we wrote: treat as a miss */
    kiln_tc_buf_free(out);
    return false;
  }
  return true;
}

bool kiln_tc_cache_put(const char *key, const char *ext, const kiln_tc_buf *bytes) {
  char dir[PATH_MAX], tmp[PATH_MAX + 32], path[PATH_MAX];
  const char *base = kiln_tc_cache_dir();
  if (!base || !kiln_tc_cache_path(key, ext, path, sizeof path)) return false;
  snprintf(dir, sizeof dir, "%s/patches", base);
  if (!kiln_tc_mkdirs(dir)) return false;
  snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", dir);
  int fd = mkstemp(tmp);
  if (fd < 0) return false;
  close(fd);
  if (!kiln_tc_write_file(tmp, bytes->data, bytes->size) || rename(tmp, path) != 0) {
    unlink(tmp);
    return false;
  }
  return true;
}
