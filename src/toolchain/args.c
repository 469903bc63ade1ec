/*
 * args.c — the compiler's and linker's command lines, and the private
 * directories the steps work in, shared by both drivers: the spawning
 * driver runs these command lines as processes, the in-process driver hands
 * the very same ones to libclang-cpp and liblld, so the two produce the same
 * bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "toolchain/toolchain.h"

bool kiln_tc_workdir(char *out, size_t n, kiln_tc_result *res) {
  const char *tmp = getenv("TMPDIR");
  snprintf(out, n, "%s/kiln-tc-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(out)) return true;
  kiln_tc_fail(res, "cannot make a temporary directory %s: %s", out, strerror(errno));
  return false;
}

void kiln_tc_workdir_remove(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(d)))
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
      }
    closedir(d);
  }
  rmdir(dir);
}

void kiln_tc_compile_cmd_make(const kiln_tc_job *job, const char *cc, const char *src,
                              const char *obj, kiln_tc_cmd *cmd) {
  int argc = 0;
  snprintf(cmd->s[0], sizeof cmd->s[0], "--target=%s", job->triple);
  cmd->argv[argc++] = cc;
  cmd->argv[argc++] = cmd->s[0];
  for (int i = 0; kiln_tc_patch_cflags[i]; i++) cmd->argv[argc++] = kiln_tc_patch_cflags[i];
  /* Apple clang probes the stack in large frames through ___chkstk_darwin,
   * a symbol a patch must not need. */
  if (job->target->format == KILN_FMT_MACHO) cmd->argv[argc++] = "-fno-stack-check";
  cmd->argv[argc++] = "-I";
  cmd->argv[argc++] = job->include_dir;
  for (size_t i = 0; i < job->ncflags && argc < KILN_TC_CMD_MAX - 6; i++)
    cmd->argv[argc++] = job->cflags[i];
  cmd->argv[argc++] = "-c";
  cmd->argv[argc++] = src;
  cmd->argv[argc++] = "-o";
  cmd->argv[argc++] = obj;
  cmd->argv[argc] = NULL;
  cmd->argc = argc;
}

/* Changing the flags below changes the bytes of every patch: bump the cache
 * epoch in kiln_tc_key (toolchain.c), which does not hash them. */
int kiln_tc_link_cmd_make(const kiln_tc_job *job, const char *ld, const char *dir,
                          const kiln_tc_buf *object, kiln_tc_cmd *cmd, kiln_tc_result *res) {
  char *obj = cmd->path[0], *lib = cmd->path[1], *map = cmd->path[2];
  char *sym = cmd->s[0], *install = cmd->s[1], *arg = cmd->path[3];
  const char *tbd = NULL;
  if (job->target->format == KILN_FMT_MACHO && !(tbd = kiln_tc_tbd_dir()))
    return kiln_tc_fail(res, "cannot find libSystem.tbd (the Mach-O link stub) in PREFIX/share/kiln "
                             "or the source tree; set KILN_TBD_DIR to the directory holding it");
  snprintf(obj, sizeof cmd->path[0], "%s/patch.o", dir);
  snprintf(lib, sizeof cmd->path[1], "%s/patch%s", dir, kiln_tc_target_ext(job->target));
  if (!kiln_tc_write_file(obj, object->data, object->size))
    return kiln_tc_fail(res, "cannot write %s: %s", obj, strerror(errno));
  int argc = 0;
  cmd->argv[argc++] = ld;
  if (job->target->format == KILN_FMT_MACHO) {
    snprintf(sym, sizeof cmd->s[0], "_%s", job->entry);
    snprintf(install, sizeof cmd->s[1], "@rpath/%s.dylib", job->entry);
    const char *mach[] = {"-arch", job->target->arch, "-dylib", "-platform_version",
                          job->target->platform_arg, job->min, job->min, "-adhoc_codesign",
                          "-install_name", install, "-exported_symbol", sym, "-Z", "-L", tbd,
                          "-lSystem"};
    for (size_t i = 0; i < sizeof mach / sizeof *mach; i++) cmd->argv[argc++] = mach[i];
  } else {
    snprintf(map, sizeof cmd->path[2], "%s/exports.map", dir);
    snprintf(sym, sizeof cmd->s[0], "{ global: %s; local: *; };\n", job->entry);
    if (!kiln_tc_write_file(map, sym, strlen(sym)))
      return kiln_tc_fail(res, "cannot write %s: %s", map, strerror(errno));
    snprintf(arg, sizeof cmd->path[3], "--version-script=%s", map);
    snprintf(install, sizeof cmd->s[1], "%s.so", job->entry);
    const char *elf[] = {"-shared", arg, "-soname", install, "-z", "now", "-z", "noexecstack",
                         "-z", "relro", "--hash-style=both",
                         /* so the unwinder finds the patch's frames (stack traces) */
                         "--eh-frame-hdr"};
    for (size_t i = 0; i < sizeof elf / sizeof *elf; i++) cmd->argv[argc++] = elf[i];
  }
  cmd->argv[argc++] = obj;
  cmd->argv[argc++] = "-o";
  cmd->argv[argc++] = lib;
  cmd->argv[argc] = NULL;
  cmd->argc = argc;
  return 0;
}
