/*
 * engine_int.h — what engine.c shares with hub.c: the out/err streams that
 * turn writes into out/err messages, and the error texts and replies every
 * eval path sends.
 */
#ifndef KILN_ENGINE_INT_H
#define KILN_ENGINE_INT_H

#include "nrepl/nrepl.h"

/*
 * A stream of out or err messages for one request; text is buffered and sent
 * at a newline, a flush, or 1 KiB. Streams live in GC memory, reachable from
 * their writer: code may keep *out* (in a var, a future) after the request
 * ends, and text written to a closed stream is dropped.
 */
typedef struct kiln_stream {
  kiln_request *req; /* NULL once closed */
  const char *key;   /* "out" or "err" */
  kiln_bbuf buf;     /* malloc memory */
  pthread_mutex_t lock;
  bool closed;
  kiln_val writer;
} kiln_stream;

kiln_stream *kiln_stream_new(kiln_request *req, const char *key);
/* The callback writer (GC value) writing into [st]. */
kiln_val kiln_stream_writer(kiln_stream *st);
void kiln_stream_send(kiln_stream *st);
/* Sends what is buffered and closes [st]. */
void kiln_stream_close(kiln_stream *st);

/* The exception's JVM class name, and its innermost cause. */
const char *kiln_engine_ex_class(kiln_val ex);
kiln_val kiln_engine_root_cause(kiln_val ex);
/* The err text clojure.main prints for [ex] (GC memory). */
const char *kiln_engine_error_text(kiln_val ex, bool reading);
/* Sends err [text] (after flushing [err] if not NULL), then {ex root-ex
 * status [eval-error]} with "class " before each class name. */
void kiln_engine_reply_error(kiln_request *req, kiln_stream *err, const char *text, const char *ex,
                             const char *root_ex);

#endif
