/*
 * cli_common.h — what the language commands (eval, run, test) share:
 * parsing -I DIR and --interp, starting the runtime with the source path and
 * the chosen evaluation mode, and running a body with *ns* bound to user,
 * reporting an uncaught error as `kiln: FILE:LINE:COL: message`.
 */
#ifndef KILN_CLI_COMMON_H
#define KILN_CLI_COMMON_H
#include <stdbool.h>

#include "runtime/rt.h"

typedef struct kiln_cli_opts {
  bool interp;  /* --interp: never use the C emitter */
  int nrest;    /* the arguments after the options */
  char **rest;
} kiln_cli_opts;

/* Parses [-I DIR | -IDIR | --interp]... up to the first other argument
 * (argv[0] is the subcommand). Adds the directories to the source path. */
bool kiln_cli_parse(int argc, char **argv, kiln_cli_opts *o, const char *cmd);
/* Initialises the runtime and installs the compiled mode unless --interp;
 * prints an error and returns false if clojure.core did not load. */
bool kiln_cli_start(const kiln_cli_opts *o);
/* Runs body(ctx) with *ns* bound to user (and *command-line-args* to
 * [args] when not nil); returns 0, or prints the error and returns 1. */
int kiln_cli_run(kiln_val (*body)(void *ctx), void *ctx, kiln_val args);
/* Prints a runtime error's chain of calls to stderr, one "\tat NAME (FILE:LINE)"
 * line per frame, innermost first, at most 64 (nothing for syntax errors). */
void kiln_cli_print_chain(kiln_val ex);
#endif
