/*
 * serve.c — `kiln serve [--port N] [--device-port N] [--local] [--bind ADDR]
 * [--max-message BYTES]`: the compile server (DESIGN §7, §9).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "nrepl/nrepl.h"
#include "toolchain/toolchain.h"

static bool parse_port(const char *s, int *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == 0 || *end != 0 || v < 0 || v > 65535) return false;
  *out = (int)v;
  return true;
}

/* The path of this executable, for starting `kiln device` children. */
static const char *self_path(const char *argv0) {
  static char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    buf[n] = 0;
    return buf;
  }
  return argv0;
}

int kiln_cmd_serve(int argc, char **argv) {
  kiln_server_opts o = {.bind = "127.0.0.1", .port = 7888, .device_port = 7889};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--local") == 0) {
      o.local = true;
    } else if (strcmp(a, "--port") == 0 && v) {
      if (!parse_port(v, &o.port)) goto bad_value;
      i++;
    } else if (strcmp(a, "--device-port") == 0 && v) {
      if (strcmp(v, "none") == 0) o.device_port = -1;
      else if (!parse_port(v, &o.device_port)) goto bad_value;
      i++;
    } else if (strcmp(a, "--bind") == 0 && v) {
      o.bind = v;
      i++;
    } else if (strcmp(a, "--max-message") == 0 && v) {
      o.max_message = (size_t)strtoull(v, NULL, 10);
      i++;
    } else {
      kiln_cli_error("serve: unknown or incomplete option '%s'\nusage: kiln serve [--port N] "
                     "[--device-port N|none] [--local] [--bind ADDR] [--max-message BYTES]",
                     a);
      return 2;
    }
    continue;
  bad_value:
    kiln_cli_error("serve: '%s' is not a port number (0-65535) for %s", v, a);
    return 2;
  }
  if (o.local && o.device_port < 0) {
    kiln_cli_error("serve: --local needs a device port");
    return 2;
  }
  o.kiln_path = self_path(argv[0]);
  /* Load the in-process toolchain now, on a background thread, so the first
   * eval does not wait for it. */
  kiln_tc_preload();
  return kiln_server_run(&o);
}
