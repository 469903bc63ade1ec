/*
 * cli.h — the `kiln` command's subcommands (DESIGN §9). Each is
 * `int kiln_cmd_NAME(int argc, char **argv)` with argv[0] the subcommand's
 * name, returning the process exit status. main.c dispatches by name.
 */
#ifndef KILN_CLI_H
#define KILN_CLI_H

#define KILN_COMMANDS(X)                                                       \
  X(run, "run [-I DIR]... FILE.clj [ARGS...]", "compile and run a program natively")   \
  X(eval, "eval [--interp] [-I DIR]... EXPR...", "evaluate, print each value with pr")   \
  X(read, "read [FILE]", "read forms (stdin if no FILE), print each with pr")           \
  X(test, "test [-I DIR]... NS-or-FILE...", "run clojure.test tests")                   \
  X(compile, "compile --target T [-I DIR]... FILE.clj -o OUT", "write a patch (--emit-c: the C)") \
  X(serve, "serve [--port N] [--device-port N] [--local] [--bind ADDR]", "the compile server (nREPL)") \
  X(device, "device --connect HOST:PORT [--token T]", "a device process on this machine")    \
  X(repl, "repl [--connect HOST:PORT]", "a terminal nREPL client")

#define KILN_CMD_DECL(name, usage, help) int kiln_cmd_##name(int argc, char **argv);
KILN_COMMANDS(KILN_CMD_DECL)
#undef KILN_CMD_DECL

/* Prints "kiln: message" to stderr. */
void kiln_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
