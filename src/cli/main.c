/*
 * main.c — the `kiln` command: dispatches to the subcommands of cli.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* Subcommands whose subsystem is not linked into this build resolve to NULL. */
#define KILN_CMD_WEAK(name, usage, help) \
  __attribute__((weak)) int kiln_cmd_##name(int argc, char **argv);
KILN_COMMANDS(KILN_CMD_WEAK)
#undef KILN_CMD_WEAK

typedef struct {
  const char *name, *usage, *help;
  int (*fn)(int, char **);
} command;

static const command commands[] = {
#define KILN_CMD_ROW(name, usage, help) {#name, usage, help, kiln_cmd_##name},
    KILN_COMMANDS(KILN_CMD_ROW)
#undef KILN_CMD_ROW
};

void kiln_cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("kiln: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static void usage(FILE *out) {
  fprintf(out, "Kiln %s: a native Clojure whose code changes while it runs.\n\nUsage:\n",
          KILN_VERSION);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  kiln %-58s %s\n", commands[i].usage, commands[i].help);
  fprintf(out, "  kiln %-58s %s\n", "version | help", "this text, or the version");
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
      strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
    printf("kiln %s\n", KILN_VERSION);
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (strcmp(argv[1], commands[i].name) != 0) continue;
    if (!commands[i].fn) {
      kiln_cli_error("'%s' is not part of this build", argv[1]);
      return 2;
    }
    return commands[i].fn(argc - 1, argv + 1);
  }
  kiln_cli_error("unknown command '%s'; run 'kiln help' for the list", argv[1]);
  return 2;
}
