/*
 * nrepl.h — Kiln's nREPL server (DESIGN §7): the editor side of `kiln serve`.
 *
 * The pieces, one file each:
 *   transport.c  kiln_conn_*     one editor connection: a socket, a bencode
 *                                decoder, and a lock so replies from several
 *                                threads never interleave
 *   server.c     kiln_server_*   listening, a thread per connection, the
 *                                .nrepl-port file, shutdown on SIGINT/SIGTERM
 *   session.c    kiln_session_*  sessions, each with a worker thread that runs
 *                                its eval and load-file requests in order
 *   ops.c        kiln_op_*       the op table (X-macro), dispatch, describe
 *   engine.c     kiln_engine_*   everything that touches the runtime:
 *                                in-process eval, completions, lookup
 *   hub.c        kiln_hub_*      the device port: devices that connect, patches
 *                                pushed to them, evals answered by them
 *
 * Threads: a connection thread reads and dispatches; ops that may run long
 * (eval, load-file, ios-compile-patch) are queued to the session's worker, so
 * interrupt and stdin are served while an eval runs. Every thread that
 * touches runtime values is registered with the GC (kiln_thread_attach).
 * Runtime values that outlive one call live in GC root memory (session->vals).
 *
 * Replies: every request gets exactly one reply with status "done", last;
 * kiln_reply adds the request's id and session to every message.
 */
#ifndef KILN_NREPL_H
#define KILN_NREPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "device/bencode.h"
#include "runtime/rt.h"

/* ---- transport (transport.c) ---- */

typedef struct kiln_conn {
  int fd;
  pthread_mutex_t wlock;
  int refs;            /* atomic */
  volatile int closed; /* the peer went away or we gave up on it */
  char peer[64];
} kiln_conn;

kiln_conn *kiln_conn_new(int fd);
void kiln_conn_retain(kiln_conn *c);
/* Drops a reference; the last one closes the socket and frees [c]. */
void kiln_conn_release(kiln_conn *c);
/* Encodes and writes [msg] whole; false when the connection is gone. */
bool kiln_conn_send(kiln_conn *c, const kiln_benc *msg);
/* Stops reading and writing (the reading thread then exits). */
void kiln_conn_shutdown(kiln_conn *c);
/* Writes all of [n] bytes to [fd] (MSG_NOSIGNAL); false on error. */
bool kiln_write_all(int fd, const void *p, size_t n);
/* Listens on [bind]:[port] (0: any free port); returns the fd or -1 with
 * [err] set. *bound_port receives the port. */
int kiln_listen(const char *bind, int port, int *bound_port, char *err, size_t errlen);
/* Connects to host:port; returns the fd or -1 with [err] set. */
int kiln_connect(const char *host, int port, char *err, size_t errlen);

/* ---- requests and replies ---- */

typedef struct kiln_session kiln_session;

typedef struct kiln_request {
  kiln_benc *msg;           /* the request (owned) */
  kiln_conn *conn;          /* a reference is held */
  kiln_session *session;    /* a reference is held; never NULL once dispatched */
  char id[128];             /* the request's id, "" when it had none */
  bool has_id;
} kiln_request;

/* Sends [reply] (taken) after adding id and session. */
void kiln_reply(kiln_request *req, kiln_benc *reply);
/* Sends {status [s1 s2 ...]} (NULL-terminated). */
void kiln_reply_status(kiln_request *req, const char *first, ...) __attribute__((sentinel));
/* Sends {key value}. */
void kiln_reply_str(kiln_request *req, const char *key, const char *value);
void kiln_request_free(kiln_request *req);

/* ---- sessions (session.c) ---- */

struct kiln_session {
  char id[40];
  int refs;                   /* atomic */
  bool ephemeral;
  volatile bool closed;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  struct kiln_job *head, *tail;
  bool worker_running;
  struct kiln_job *current;   /* the job the worker is running, or NULL */
  kiln_thread *eval_thread;   /* the worker's runtime thread state */
  volatile bool interrupted;  /* the current job was interrupted */
  kiln_val *vals;             /* GC root: KILN_SV_* */
  /* stdin sent by the client, not yet read */
  char *in;
  size_t in_len, in_cap;
  bool in_waiting;
  bool in_eof;                /* the client sent an empty stdin */
  /* the device this session evaluates on ("" = in the server process) */
  char device[64];
  /* under serve --local, until kiln/select-device: follow the local device */
  bool device_auto;
};

enum { KILN_SV_NS, KILN_SV_1, KILN_SV_2, KILN_SV_3, KILN_SV_E, KILN_SV_COUNT };

typedef struct kiln_job {
  kiln_request req;
  void (*run)(kiln_request *req);
  struct kiln_job *next;
} kiln_job;

/* A new session, registered (listed by ls-sessions) unless [ephemeral].
 * Its state is copied from [from] when not NULL. */
kiln_session *kiln_session_new(kiln_session *from, bool ephemeral);
/* Finds a registered session by id and takes a reference; NULL if unknown. */
kiln_session *kiln_session_find(const char *id);
void kiln_session_retain(kiln_session *s);
void kiln_session_release(kiln_session *s);
/* Unregisters and closes [s]; the worker finishes its queue and exits. */
bool kiln_session_close(const char *id);
/* A list of every registered session id (a bencode list). */
kiln_benc *kiln_session_ids(void);
/* Queues [req] (taken) to run [run] on the session's worker thread. */
void kiln_session_submit(kiln_request *req, void (*run)(kiln_request *));
/* Appends client input for *in*; wakes a reader waiting for it. */
void kiln_session_stdin(kiln_session *s, const char *text, size_t n);
/* Closes every session (server shutdown). */
void kiln_session_close_all(void);

/* ---- ops (ops.c) ---- */

/* Handles one message from [conn] (taken). */
void kiln_op_dispatch(kiln_conn *conn, kiln_benc *msg);

/* ---- the engine (engine.c): the runtime side ---- */

/* Initialises the runtime for serving (once, on the main thread). */
void kiln_engine_init(void);
/* Fills a new session's values: *ns* user, or [from]'s values. */
void kiln_engine_session_init(kiln_session *s, kiln_session *from);
/* The name of the session's current namespace (GC memory). */
const char *kiln_engine_ns_name(kiln_session *s);
/* eval and load-file in the server process; replies value/out/err. Returns
 * true when it already sent the final done (namespace-not-found). */
bool kiln_engine_eval(kiln_request *req, bool load_file);
void kiln_engine_completions(kiln_request *req);
void kiln_engine_lookup(kiln_request *req);

/* ---- the server (server.c) ---- */

typedef struct kiln_server_opts {
  const char *bind;         /* "127.0.0.1" */
  int port;                 /* 7888; 0 = any free port */
  int device_port;          /* 7889; 0 = any free port; -1 = none */
  bool local;               /* start a `kiln device` child connected to us */
  const char *kiln_path;    /* this executable, for --local */
  size_t max_message;       /* bytes; 0 = default */
} kiln_server_opts;

int kiln_server_run(const kiln_server_opts *opts);
/* The server's device token (hex). */
const char *kiln_server_token(void);
size_t kiln_server_max_message(void);
/* True under serve --local: new sessions evaluate on the local device. */
bool kiln_server_local(void);

/* ---- the device hub (hub.c) ---- */

/* Starts listening for devices; returns 0 or -1 with [err] set. */
int kiln_hub_start(const char *bind, int port, const char *token, int *bound_port, char *err,
                   size_t errlen);
void kiln_hub_stop(void);
/* kiln/devices: a list of device dicts. */
kiln_benc *kiln_hub_list(void);
/* The id of the only connected device that is local to this machine (for
 * serve --local); false if there is none or more than one. */
bool kiln_hub_only_local(char *id, size_t n);
/* Waits up to [ms] for a device to connect; true if one is there. */
bool kiln_hub_wait_any(int ms);
bool kiln_hub_exists(const char *id);
/* eval and load-file on the session's device; replies value/out/err. Returns
 * true when it already sent the final done. */
bool kiln_hub_eval(kiln_request *req, bool load_file);
/* kiln/patches and kiln/rollback, forwarded to the device. Each replies with
 * its results and returns NULL, or returns an error status for the done
 * message (after replying with err text). */
const char *kiln_hub_patches(kiln_request *req, const char *device);
const char *kiln_hub_rollback(kiln_request *req, const char *device);
/* ios-compile-patch: compile [code] for a target and reply with the dylib;
 * NULL, or an error status as above. */
const char *kiln_hub_compile_patch(kiln_request *req);

#endif
