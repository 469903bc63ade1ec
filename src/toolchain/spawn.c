/*
 * spawn.c — the first toolchain driver: clang and lld as child processes.
 *
 * Each step writes its input bytes into a private directory made for that
 * step (mkdtemp), runs the tool there with its output captured into the
 * result's diagnostics, reads the output file back, and removes the
 * directory. Tools are found on PATH or through KILN_CC, KILN_LD (ELF),
 * KILN_LD64 (Mach-O), KILN_CODESIGN; a missing tool is an error that names
 * the package to install.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "toolchain/toolchain.h"

extern char **environ;

#if defined(__APPLE__)
#define KILN_TC_INSTALL_HINT "brew install llvm lld"
#else
#define KILN_TC_INSTALL_HINT "apt-get install clang-14 lld-14"
#endif

/* ---- finding and running tools ----------------------------------------- */

/* Resolves [name] (a path, or a name searched on PATH) into [out]. */
static bool kiln_tc_which(const char *name, char *out, size_t n) {
  if (strchr(name, '/')) {
    snprintf(out, n, "%s", name);
    return access(out, X_OK) == 0;
  }
  const char *path = getenv("PATH");
  if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
  while (*path) {
    const char *colon = strchr(path, ':');
    size_t len = colon ? (size_t)(colon - path) : strlen(path);
    snprintf(out, n, "%.*s/%s", (int)len, len ? path : ".", name);
    struct stat st;
    if (access(out, X_OK) == 0 && stat(out, &st) == 0 && S_ISREG(st.st_mode)) return true;
    path += len + (colon ? 1 : 0);
  }
  return false;
}

/* Finds a tool: the environment variable [env] if set, else the first of
 * [names] on PATH. Fails with a message naming what to install. */
static bool kiln_tc_tool(const char *env, const char *const *names, const char *what,
                         const char *package, char *out, size_t n, kiln_tc_result *res) {
  const char *e = getenv(env);
  if (e && *e) {
    if (kiln_tc_which(e, out, n)) return true;
    kiln_tc_fail(res, "%s=%s: no such executable (%s)", env, e, what);
    return false;
  }
  for (int i = 0; names[i]; i++)
    if (kiln_tc_which(names[i], out, n)) return true;
  kiln_tc_fail(res, "%s not found: install the package %s (%s), or set %s to its path", names[0],
               package, KILN_TC_INSTALL_HINT, env);
  return false;
}

static bool kiln_tc_cc(char *out, size_t n, kiln_tc_result *res) {
  static const char *const names[] = {"clang-14", "clang", NULL};
  return kiln_tc_tool("KILN_CC", names, "a clang", "clang-14", out, n, res);
}

static bool kiln_tc_ld(const kiln_target *t, char *out, size_t n, kiln_tc_result *res) {
  if (t->format == KILN_FMT_MACHO) {
    static const char *const names[] = {"ld64.lld-14", "ld64.lld", NULL};
    const char *ld = getenv("KILN_LD");
    if (!getenv("KILN_LD64") && ld && strstr(ld, "64")) return kiln_tc_which(ld, out, n);
    return kiln_tc_tool("KILN_LD64", names, "lld's Mach-O linker", "lld-14", out, n, res);
  }
  static const char *const names[] = {"ld.lld-14", "ld.lld", NULL};
  return kiln_tc_tool("KILN_LD", names, "lld's ELF linker", "lld-14", out, n, res);
}

/* Runs argv[0] with [argv], appending its stdout and stderr to [output].
 * Tools get absolute paths, so the working directory does not matter.
 * Returns the exit status, or -1 (message set) when it could not run or
 * died of a signal. */
static int kiln_tc_run(char *const argv[], kiln_tc_buf *output, kiln_tc_result *res) {
  int fds[2];
  if (pipe(fds) != 0) return kiln_tc_fail(res, "pipe: %s", strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  pid_t pid;
  int err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (err != 0) {
    close(fds[0]);
    return kiln_tc_fail(res, "cannot run %s: %s", argv[0], strerror(err));
  }
  char chunk[4096];
  for (;;) {
    ssize_t got = read(fds[0], chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (output->size < (1u << 20)) kiln_tc_buf_append(output, chunk, (size_t)got);
  }
  close(fds[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return kiln_tc_fail(res, "waitpid %s: %s", argv[0], strerror(errno));
  if (WIFSIGNALED(status))
    return kiln_tc_fail(res, "%s died of signal %d", argv[0], WTERMSIG(status));
  return WEXITSTATUS(status);
}

/* Runs a tool whose output file is [out_path]; on success reads it into
 * [out]. Tool output goes to the diagnostics either way. */
static int kiln_tc_step(char *const argv[], const char *what, const char *out_path,
                        kiln_tc_buf *out, kiln_tc_result *res) {
  kiln_tc_buf text = {0};
  int status = kiln_tc_run(argv, &text, res);
  if (text.size) kiln_tc_diag(res, (const char *)text.data, text.size);
  kiln_tc_buf_free(&text);
  if (status < 0) return -1;
  if (status != 0)
    return kiln_tc_fail(res, "%s failed (%s exited with status %d)%s", what, argv[0], status,
                        res->diagnostics ? "; its messages follow" : "");
  if (out && !kiln_tc_read_file(out_path, out))
    return kiln_tc_fail(res, "%s wrote no %s: %s", argv[0], out_path, strerror(errno));
  return 0;
}

/* ---- the driver's steps -------------------------------------------------- */

static int kiln_spawn_compile(const kiln_tc_job *job, const char *c_source, size_t n,
                              kiln_tc_buf *object, kiln_tc_result *res) {
  char cc[PATH_MAX], dir[PATH_MAX], src[PATH_MAX + 16], obj[PATH_MAX + 16];
  if (!kiln_tc_cc(cc, sizeof cc, res) || !kiln_tc_workdir(dir, sizeof dir, res)) return -1;
  snprintf(src, sizeof src, "%s/patch.c", dir);
  snprintf(obj, sizeof obj, "%s/patch.o", dir);
  if (!kiln_tc_write_file(src, c_source, n)) {
    kiln_tc_fail(res, "cannot write %s: %s", src, strerror(errno));
    kiln_tc_workdir_remove(dir);
    return -1;
  }
  kiln_tc_cmd *cmd = malloc(sizeof *cmd);
  if (!cmd) abort();
  kiln_tc_compile_cmd_make(job, cc, src, obj, cmd);
  int rc = kiln_tc_step((char *const *)cmd->argv, "compiling the patch's C", obj, object, res);
  free(cmd);
  kiln_tc_workdir_remove(dir);
  return rc;
}

static int kiln_spawn_link(const kiln_tc_job *job, const kiln_tc_buf *object, kiln_tc_buf *library,
                           kiln_tc_result *res) {
  char ld[PATH_MAX], dir[PATH_MAX];
  if (!kiln_tc_ld(job->target, ld, sizeof ld, res)) return -1;
  if (!kiln_tc_workdir(dir, sizeof dir, res)) return -1;
  kiln_tc_cmd *cmd = malloc(sizeof *cmd);
  if (!cmd) abort();
  int rc = kiln_tc_link_cmd_make(job, ld, dir, object, cmd, res);
  if (rc == 0)
    rc = kiln_tc_step((char *const *)cmd->argv, "linking the patch", cmd->path[1], library, res);
  free(cmd);
  kiln_tc_workdir_remove(dir);
  return rc;
}

/*
 * Mach-O patches are already ad-hoc signed by the linker (-adhoc_codesign).
 * For ios-device, DESIGN §6 wants a real identity where codesign exists: with
 * KILN_CODESIGN_IDENTITY set, codesign re-signs the bytes.
 */
static int kiln_spawn_sign(const kiln_tc_job *job, kiln_tc_buf *library, kiln_tc_result *res) {
  if (job->target->format != KILN_FMT_MACHO) return 0;
  const char *identity = getenv("KILN_CODESIGN_IDENTITY");
  bool device = job->target->id == KILN_TARGET_IOS_DEVICE;
  if (!identity || !*identity) {
    if (device) {
      static const char w[] =
          "kiln: warning: the patch is ad-hoc signed; an iOS device refuses ad-hoc signed code "
          "(set KILN_CODESIGN_IDENTITY on macOS to sign it with your identity)\n";
      kiln_tc_diag(res, w, sizeof w - 1);
    }
    return 0;
  }
  char cs[PATH_MAX];
  const char *env = getenv("KILN_CODESIGN");
  if (!kiln_tc_which(env && *env ? env : "codesign", cs, sizeof cs)) {
    static const char w[] =
        "kiln: warning: KILN_CODESIGN_IDENTITY is set but codesign was not found (it comes with "
        "macOS's Xcode command line tools); the patch is ad-hoc signed\n";
    kiln_tc_diag(res, w, sizeof w - 1);
    return 0;
  }
  char dir[PATH_MAX], lib[PATH_MAX + 16];
  if (!kiln_tc_workdir(dir, sizeof dir, res)) return -1;
  snprintf(lib, sizeof lib, "%s/patch.dylib", dir);
  int rc = -1;
  if (!kiln_tc_write_file(lib, library->data, library->size)) {
    kiln_tc_fail(res, "cannot write %s: %s", lib, strerror(errno));
  } else {
    const char *argv[] = {cs, "--force", "--sign", identity, "--timestamp=none", lib, NULL};
    kiln_tc_buf signed_lib = {0};
    rc = kiln_tc_step((char *const *)argv, "signing the patch", lib, &signed_lib, res);
    if (rc == 0) {
      kiln_tc_buf_free(library);
      *library = signed_lib;
    }
  }
  kiln_tc_workdir_remove(dir);
  return rc;
}

/* The first line of `TOOL --version`. */
static void kiln_tc_first_line(const char *tool, char *out, size_t n) {
  const char *argv[] = {tool, "--version", NULL};
  kiln_tc_buf text = {0};
  kiln_tc_result scratch = {0};
  kiln_tc_run((char *const *)argv, &text, &scratch);
  free(scratch.diagnostics);
  const char *s = text.data ? (const char *)text.data : "";
  size_t len = strcspn(s, "\n");
  snprintf(out, n, "%s: %.*s", tool, (int)len, s);
  kiln_tc_buf_free(&text);
}

/*
 * The compiler's and linker's version text, computed once per process for
 * each tool pair (a patch cache key includes it, and running clang --version
 * for every build would cost a few milliseconds each time).
 */
static const char *kiln_spawn_version(const kiln_target *t) {
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  static struct {
    char tools[2 * PATH_MAX + 2];
    char text[1024];
  } memo[4];
  static int nmemo;
  kiln_tc_result scratch = {0};
  char cc[PATH_MAX], ld[PATH_MAX], tools[sizeof memo[0].tools];
  if (!kiln_tc_cc(cc, sizeof cc, &scratch) || !kiln_tc_ld(t, ld, sizeof ld, &scratch)) {
    /* Reported again, with its message, by the step that needs the tool. */
    return "toolchain-missing";
  }
  snprintf(tools, sizeof tools, "%s\n%s", cc, ld);
  const char *answer = NULL;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < nmemo && !answer; i++)
    if (strcmp(memo[i].tools, tools) == 0) answer = memo[i].text;
  if (!answer) {
    int slot = nmemo < 4 ? nmemo++ : 3;
    char a[512], b[512];
    kiln_tc_first_line(cc, a, sizeof a);
    kiln_tc_first_line(ld, b, sizeof b);
    snprintf(memo[slot].tools, sizeof memo[slot].tools, "%s", tools);
    snprintf(memo[slot].text, sizeof memo[slot].text, "%s\n%s", a, b);
    answer = memo[slot].text;
  }
  pthread_mutex_unlock(&lock);
  return answer;
}

static const kiln_tc_driver kiln_spawn_driver = {
    "spawn", kiln_spawn_version, kiln_spawn_compile, kiln_spawn_link, kiln_spawn_sign};

const kiln_tc_driver *kiln_tc_spawn_driver(void) { return &kiln_spawn_driver; }
