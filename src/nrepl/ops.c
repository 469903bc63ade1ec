/*
 * ops.c — the nREPL ops: one table (KILN_NREPL_OPS) feeds dispatch and
 * describe. Quick ops answer on the connection's thread; ops that run user
 * code or a compiler go to the session's worker.
 *
 * Status values and their order follow nREPL 1.0.0 as it answers on the JVM
 * (for example [done unknown-op error] and [namespace-not-found done error]).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nrepl/nrepl.h"

/* ---- replies ---- */

static bool is_done(const kiln_benc *reply) {
  const kiln_benc *st = kiln_benc_get(reply, "status");
  for (size_t i = 0; st && st->type == KILN_BENC_LIST && i < st->n; i++)
    if (st->items[i]->type == KILN_BENC_STR && strcmp(st->items[i]->s, "done") == 0) return true;
  return false;
}

void kiln_reply(kiln_request *req, kiln_benc *reply) {
  if (req->has_id) kiln_benc_set_str(reply, "id", req->id);
  if (!kiln_benc_get(reply, "session") && req->session)
    kiln_benc_set_str(reply, "session", req->session->id);
  /* Once a job's done is on its way the session is idle: a client that
   * sends interrupt right after it must hear session-idle. */
  if (req->session && is_done(reply)) {
    kiln_session *s = req->session;
    pthread_mutex_lock(&s->lock);
    if (s->current && &s->current->req == req) s->current = NULL;
    pthread_mutex_unlock(&s->lock);
  }
  kiln_conn_send(req->conn, reply);
  kiln_benc_free(reply);
}

void kiln_reply_status(kiln_request *req, const char *first, ...) {
  kiln_benc *l = kiln_benc_list();
  va_list ap;
  va_start(ap, first);
  for (const char *s = first; s; s = va_arg(ap, const char *)) kiln_benc_push(l, kiln_benc_str(s));
  va_end(ap);
  kiln_reply(req, kiln_benc_set(kiln_benc_dict(), "status", l));
}

void kiln_reply_str(kiln_request *req, const char *key, const char *value) {
  kiln_reply(req, kiln_benc_set_str(kiln_benc_dict(), key, value));
}

void kiln_request_free(kiln_request *req) {
  kiln_benc_free(req->msg);
  req->msg = NULL;
  if (req->conn) kiln_conn_release(req->conn);
  if (req->session) kiln_session_release(req->session);
  req->conn = NULL;
  req->session = NULL;
}

/* ---- the op table ---- */

/* X(cname, "op name", "doc", requires, optional, returns); the last three
 * are "key", "doc", ... lists ending in NULL. */
#define R(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})
#define KILN_NREPL_OPS(X)                                                                          \
  X(clone, "clone", "Makes a new session with a copy of the given session's bindings and returns its id.", \
    NONE,                                                                                          \
    R("session", "The session whose bindings the new one starts with; without it the new "       \
                 "session starts from the defaults."),           \
    R("new-session", "The new session's id."))                                                \
  X(close, "close", "Ends a session; its id is no longer valid.",                                               \
    R("session", "The session to end."), NONE, NONE)                               \
  X(describe, "describe",                                                                          \
    "Tells what this server can do: its ops with their keys, and the versions of nREPL, "        \
    "Clojure and Kiln it answers as.",                                                             \
    NONE, R("verbose?", "When true, each op comes with its description and keys."), \
    R("aux", "Extra facts: current-ns.", "ops", "Each op this server handles, by name.",            \
      "versions", "Version maps (major, minor, incremental, version-string) of nrepl, clojure "    \
      "and kiln."))  \
  X(eval, "eval",                                                                                  \
    "Evaluates code. On a session bound to a device, each form is compiled for the device, "     \
    "loaded there as a patch, and answered with what the device produced. Stops at the first "   \
    "read error.",                                                                                 \
    R("code", "Source text: one or more forms.", "session",                                        \
      "The session whose bindings the forms see and change."),                                 \
    R("column", "Where code starts on its first line, for error positions.", "file",              \
      "The file code comes from, for error positions and var metadata.", "id",                    \
      "The client's id for this request, echoed in every reply.", "line",                         \
      "The line of file that code starts on.", "ns",                                               \
      "The namespace to evaluate in; an unknown one is an error."),                 \
    R("ex", "On an error, the class of the exception.", "ns", "*ns* after each form.",            \
      "root-ex", "On an error, the class of the innermost cause.", "value",                        \
      "Each form's value, as pr prints it."))                                       \
  X(load_file, "load-file", "Evaluates a whole file's text, form by form, as load-file would.",        \
    R("file", "The text of the file."),                                                 \
    R("file-name", "The file's name, for error positions.", "file-path",                          \
      "The file's path, for error positions and var metadata."),                   \
    R("ex", "On an error, the class of the exception.", "root-ex",                                \
      "On an error, the class of the innermost cause.", "value",                                   \
      "The value of the file's last form."))                                           \
  X(interrupt, "interrupt", "Asks a running eval to stop at its next safe point.",                       \
    R("session", "The session the eval runs in."),            \
    R("interrupt-id", "The id of the eval request to stop."),           \
    R("status", "interrupted: the eval was found and told to stop; session-idle: nothing "        \
                "runs in the session; interrupt-id-mismatch: another request runs there."))              \
  X(ls_sessions, "ls-sessions", "The ids of the sessions that are open.", NONE, NONE,               \
    R("sessions", "The session ids."))                                         \
  X(stdin, "stdin", "Gives text to an eval in the session that is reading *in* (read-line and the like).",    \
    R("stdin", "The text to append to what *in* has left."), NONE,                                                   \
    R("status", "need-input is sent when a read of *in* finds nothing left; answer with "         \
                "stdin."))                               \
  X(completions, "completions", "Names that start with a prefix: vars, namespaces, aliases and keywords.",                       \
    R("prefix", "What has been typed so far."),                                                        \
    R("ns", "The namespace whose names and aliases count (default *ns*)."),  \
    R("completions", "Maps with candidate and type, and ns for vars."))                             \
  X(lookup, "lookup", "What a symbol names: its namespace, arglists, doc and source position.", R("sym", "The symbol, as text."),                    \
    R("ns", "The namespace to resolve it in (default *ns*)."),                                                             \
    R("info", "name, ns, doc, arglists-str, file, line and column, where known."))    \
  X(ios_compile_patch, "ios-compile-patch",                                                        \
    "Compiles code into a signed patch library for an iOS device or simulator (or another "       \
    "target) and returns its bytes, base64-encoded.",                                              \
    R("code", "The code to compile.", "target",                                                    \
      "device, simulator, or a target name: ios-device, ios-simulator, ios-simulator-x86_64, "     \
      "linux-aarch64, linux-x86_64, host."),                                                       \
    R("ns", "The namespace of the code (default user).", "session", "The session."),               \
    R("dylib-binary", "The library, base64.", "dylib-size", "Its size in bytes (a string).",       \
      "symbol-name", "The entry symbol to pass to the loader.", "var-name",                        \
      "The var the last form defines.", "ns-name", "The namespace.", "patch-id",                   \
      "The patch's id (a string)."))                                                               \
  X(kiln_devices, "kiln/devices", "Lists connected devices.", NONE, NONE,                          \
    R("devices", "A list of maps: id, name, target, pid, patches (applied)."))                     \
  X(kiln_select_device, "kiln/select-device",                                                      \
    "Binds the session to a device: its evals run there. An empty or absent device unbinds it.",  \
    R("session", "The session."), R("device", "A device id from kiln/devices."),                   \
    R("device", "The bound device id."))                                                           \
  X(kiln_patches, "kiln/patches", "Lists the patches a device has applied.", NONE,                 \
    R("device", "A device id (default: the session's)."), R("patches", "A list of patch maps."))   \
  X(kiln_rollback, "kiln/rollback", "Undoes a device's last applied patch.", NONE,                 \
    R("device", "A device id (default: the session's)."), R("status", "done, or error."))

#define KILN_OP_DECL(cname, name, doc, req, opt, ret) static void op_##cname(kiln_request *r);
KILN_NREPL_OPS(KILN_OP_DECL)
#undef KILN_OP_DECL

typedef struct op_def {
  const char *name;
  void (*handler)(kiln_request *r);
  const char *doc;
  const char *const *requires, *const *optional, *const *returns;
} op_def;

static const op_def ops[] = {
#define KILN_OP_ROW(cname, name, doc, req, opt, ret) {name, op_##cname, doc, req, opt, ret},
    KILN_NREPL_OPS(KILN_OP_ROW)
#undef KILN_OP_ROW
};

/* ---- dispatch ---- */

void kiln_op_dispatch(kiln_conn *conn, kiln_benc *msg) {
  kiln_request req = {0};
  req.msg = msg;
  req.conn = conn;
  kiln_conn_retain(conn);
  const kiln_benc *id = kiln_benc_get(msg, "id");
  if (id && id->type == KILN_BENC_STR) {
    snprintf(req.id, sizeof req.id, "%s", id->s);
    req.has_id = true;
  } else if (id && id->type == KILN_BENC_INT) {
    snprintf(req.id, sizeof req.id, "%lld", (long long)id->i);
    req.has_id = true;
  }
  const char *sid = kiln_benc_get_str(msg, "session", NULL);
  if (sid && *sid) {
    req.session = kiln_session_find(sid);
    if (!req.session) {
      kiln_benc *r = kiln_benc_dict();
      kiln_benc_set_str(r, "session", sid);
      kiln_benc_set(r, "status", kiln_benc_strs("done", "unknown-session", "error", NULL));
      kiln_reply(&req, r);
      kiln_request_free(&req);
      return;
    }
  } else {
    req.session = kiln_session_new(NULL, true);
  }
  const char *op = kiln_benc_get_str(msg, "op", NULL);
  for (size_t i = 0; op && i < KILN_ARRAY_LEN(ops); i++) {
    if (strcmp(op, ops[i].name) == 0) {
      ops[i].handler(&req); /* takes the request */
      return;
    }
  }
  kiln_benc *r = kiln_benc_dict();
  const kiln_benc *opv = kiln_benc_get(msg, "op");
  kiln_benc_set(r, "op", opv ? kiln_benc_copy(opv) : kiln_benc_list());
  kiln_benc_set(r, "status", kiln_benc_strs("done", "unknown-op", "error", NULL));
  kiln_reply(&req, r);
  kiln_request_free(&req);
}

/* Replies done and frees the request. */
static void done(kiln_request *r) {
  kiln_reply_status(r, "done", NULL);
  kiln_request_free(r);
}

/* ---- sessions ---- */

static void op_clone(kiln_request *r) {
  kiln_session *from = r->session->ephemeral ? NULL : r->session;
  kiln_session *s = kiln_session_new(from, false);
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set_str(m, "new-session", s->id);
  kiln_benc_set(m, "status", kiln_benc_strs("done", NULL));
  kiln_reply(r, m);
  kiln_session_release(s);
  kiln_request_free(r);
}

static void op_close(kiln_request *r) {
  kiln_session_close(r->session->id);
  kiln_reply_status(r, "done", "session-closed", NULL);
  kiln_request_free(r);
}

static void op_ls_sessions(kiln_request *r) {
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set(m, "sessions", kiln_session_ids());
  kiln_benc_set(m, "status", kiln_benc_strs("done", NULL));
  kiln_reply(r, m);
  kiln_request_free(r);
}

static kiln_benc *version_map(int major, int minor, int incremental, const char *s) {
  kiln_benc *v = kiln_benc_dict();
  kiln_benc_set_int(v, "major", major);
  kiln_benc_set_int(v, "minor", minor);
  kiln_benc_set_int(v, "incremental", incremental);
  kiln_benc_set_str(v, "version-string", s);
  return v;
}

static kiln_benc *doc_dict(const char *const *kv) {
  kiln_benc *d = kiln_benc_dict();
  for (size_t i = 0; kv[i] && kv[i + 1]; i += 2) kiln_benc_set_str(d, kv[i], kv[i + 1]);
  return d;
}

static void op_describe(kiln_request *r) {
  bool verbose = kiln_benc_get_bool(r->msg, "verbose?");
  kiln_benc *opsd = kiln_benc_dict();
  for (size_t i = 0; i < KILN_ARRAY_LEN(ops); i++) {
    kiln_benc *o = kiln_benc_dict();
    if (verbose) {
      kiln_benc_set_str(o, "doc", ops[i].doc);
      kiln_benc_set(o, "requires", doc_dict(ops[i].requires));
      kiln_benc_set(o, "optional", doc_dict(ops[i].optional));
      kiln_benc_set(o, "returns", doc_dict(ops[i].returns));
    }
    kiln_benc_set(opsd, ops[i].name, o);
  }
  kiln_benc *versions = kiln_benc_dict();
  kiln_benc_set(versions, "nrepl", version_map(1, 0, 0, "1.0.0"));
  /* The Clojure release whose behaviour Kiln follows (DESIGN §3); editors
   * read this entry to decide which features to offer. */
  kiln_benc_set(versions, "clojure", version_map(1, 11, 1, "1.11.1"));
  int kmaj = 0, kmin = 0, kinc = 0;
  sscanf(KILN_VERSION, "%d.%d.%d", &kmaj, &kmin, &kinc);
  kiln_benc_set(versions, "kiln", version_map(kmaj, kmin, kinc, KILN_VERSION));
  kiln_benc *aux = kiln_benc_dict();
  kiln_benc_set_str(aux, "current-ns", kiln_engine_ns_name(r->session));
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set(m, "ops", opsd);
  kiln_benc_set(m, "versions", versions);
  kiln_benc_set(m, "aux", aux);
  kiln_benc_set(m, "status", kiln_benc_strs("done", NULL));
  kiln_reply(r, m);
  kiln_request_free(r);
}

/* ---- evaluation ---- */

static void run_eval(kiln_request *r, bool load_file) {
  kiln_session *s = r->session;
  if (s->device_auto) {
    /* Follow the local device, also after it reconnects under a new id. */
    char id[64];
    /* A restarted local device takes a moment to connect. */
    for (int i = 0; i < 200 && !kiln_hub_only_local(id, sizeof id); i++) usleep(50000);
    if (kiln_hub_only_local(id, sizeof id)) {
      pthread_mutex_lock(&s->lock);
      snprintf(s->device, sizeof s->device, "%s", id);
      pthread_mutex_unlock(&s->lock);
    }
  }
  bool sent_done = r->session->device[0] ? kiln_hub_eval(r, load_file)
                                         : kiln_engine_eval(r, load_file);
  if (sent_done) return;
  if (r->session->interrupted)
    kiln_reply_status(r, "done", "interrupted", NULL);
  else
    kiln_reply_status(r, "done", NULL);
}

static void run_eval_job(kiln_request *r) { run_eval(r, false); }
static void run_load_job(kiln_request *r) { run_eval(r, true); }

static void op_eval(kiln_request *r) {
  if (!kiln_benc_get_str(r->msg, "code", NULL)) {
    kiln_reply_status(r, "done", "no-code", "error", NULL);
    kiln_request_free(r);
    return;
  }
  kiln_session_submit(r, run_eval_job);
}

static void op_load_file(kiln_request *r) {
  if (!kiln_benc_get_str(r->msg, "file", NULL)) {
    kiln_reply_status(r, "done", "no-code", "error", NULL);
    kiln_request_free(r);
    return;
  }
  kiln_session_submit(r, run_load_job);
}

static void op_interrupt(kiln_request *r) {
  kiln_session *s = r->session;
  const char *want = kiln_benc_get_str(r->msg, "interrupt-id", NULL);
  pthread_mutex_lock(&s->lock);
  kiln_job *cur = s->current;
  const char *status = NULL;
  if (!cur) status = "session-idle";
  else if (want && strcmp(want, cur->req.id) != 0) status = "interrupt-id-mismatch";
  else if (s->eval_thread) {
    s->interrupted = true;
    s->eval_thread->interrupt = 1;
    pthread_cond_broadcast(&s->cond); /* a reader waiting for stdin gives up */
  }
  pthread_mutex_unlock(&s->lock);
  if (!status) kiln_reply_status(r, "done", NULL);
  else if (strcmp(status, "session-idle") == 0) kiln_reply_status(r, "done", status, NULL);
  else kiln_reply_status(r, "done", status, "error", NULL);
  kiln_request_free(r);
}

static void op_stdin(kiln_request *r) {
  size_t n = 0;
  const char *text = kiln_benc_get_str(r->msg, "stdin", &n);
  kiln_session_stdin(r->session, text ? text : "", n);
  done(r);
}

static void op_completions(kiln_request *r) {
  kiln_engine_completions(r);
  kiln_request_free(r);
}

static void op_lookup(kiln_request *r) {
  kiln_engine_lookup(r);
  kiln_request_free(r);
}

/* ---- patches and devices ---- */

/* The final done of a hub request: [status] is NULL or an error status. */
static void hub_done(kiln_request *r, const char *status) {
  if (status) kiln_reply_status(r, "done", status, "error", NULL);
  else kiln_reply_status(r, "done", NULL);
}

static void run_compile_patch(kiln_request *r) { hub_done(r, kiln_hub_compile_patch(r)); }

static void op_ios_compile_patch(kiln_request *r) {
  if (!kiln_benc_get_str(r->msg, "code", NULL)) {
    kiln_reply_status(r, "done", "no-code", "error", NULL);
    kiln_request_free(r);
    return;
  }
  kiln_session_submit(r, run_compile_patch);
}

static void op_kiln_devices(kiln_request *r) {
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set(m, "devices", kiln_hub_list());
  kiln_benc_set(m, "status", kiln_benc_strs("done", NULL));
  kiln_reply(r, m);
  kiln_request_free(r);
}

static void op_kiln_select_device(kiln_request *r) {
  const char *dev = kiln_benc_get_str(r->msg, "device", NULL);
  if (dev && *dev && !kiln_hub_exists(dev)) {
    kiln_benc *m = kiln_benc_dict();
    kiln_benc_set_str(m, "device", dev);
    kiln_benc_set_str(m, "err", "no device with that id is connected; see kiln/devices\n");
    kiln_benc_set(m, "status", kiln_benc_strs("done", "unknown-device", "error", NULL));
    kiln_reply(r, m);
    kiln_request_free(r);
    return;
  }
  pthread_mutex_lock(&r->session->lock);
  snprintf(r->session->device, sizeof r->session->device, "%s", dev ? dev : "");
  r->session->device_auto = false;
  pthread_mutex_unlock(&r->session->lock);
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set_str(m, "device", dev ? dev : "");
  kiln_benc_set(m, "status", kiln_benc_strs("done", NULL));
  kiln_reply(r, m);
  kiln_request_free(r);
}

static const char *target_device(kiln_request *r) {
  const char *dev = kiln_benc_get_str(r->msg, "device", NULL);
  return dev && *dev ? dev : r->session->device;
}

static void run_patches(kiln_request *r) { hub_done(r, kiln_hub_patches(r, target_device(r))); }
static void run_rollback(kiln_request *r) { hub_done(r, kiln_hub_rollback(r, target_device(r))); }

static void op_kiln_patches(kiln_request *r) { kiln_session_submit(r, run_patches); }
static void op_kiln_rollback(kiln_request *r) { kiln_session_submit(r, run_rollback); }
