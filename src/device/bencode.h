/*
 * bencode.h — bencode values, an incremental decoder and an encoder: the wire
 * format of nREPL and of Kiln's device channel.
 *
 * It lives in src/device because both ends use it: the device client inside
 * libkiln (an app links only libkiln) and the nREPL server in the `kiln`
 * command, which links libkiln too. It does not touch the runtime: values are
 * plain malloc'ed trees, so the codec runs on any thread, before the runtime
 * exists, and under a fuzzer.
 *
 * A value is an integer, a byte string (binary-safe; also NUL-terminated for
 * convenience), a list, or a dictionary. Dictionaries keep one entry per key
 * (setting a key again replaces it: "last duplicate wins") and are written
 * with keys sorted bytewise, as bencode requires. Lengths are byte counts, so
 * UTF-8 text round-trips untouched.
 *
 * The decoder takes bytes as they arrive (partial reads, several messages in
 * one read) and finds message boundaries with a small state machine before it
 * builds anything, so a message split into thousands of reads is scanned once.
 * Each message has a size limit; going past it, nesting deeper than
 * KILN_BENC_MAX_DEPTH, or bytes that cannot be bencode are fatal for the
 * stream (the caller replies with the error and closes that connection). A
 * complete message that is well formed but is not a dictionary, or whose
 * dictionary has a non-string key, is consumed and reported as a recoverable
 * error: the stream goes on.
 *
 * Ownership: every kiln_benc returned by a constructor or the decoder belongs
 * to the caller, who frees it with kiln_benc_free. Adding a value to a list or
 * dictionary gives it to the container.
 */
#ifndef KILN_BENCODE_H
#define KILN_BENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum kiln_benc_type {
  KILN_BENC_INT,
  KILN_BENC_STR,
  KILN_BENC_LIST,
  KILN_BENC_DICT,
} kiln_benc_type;

typedef struct kiln_benc {
  kiln_benc_type type;
  int64_t i;                /* INT */
  char *s;                  /* STR: [len] bytes plus a NUL */
  size_t len;
  struct kiln_benc **items; /* LIST: n items; DICT: n pairs, items[2k] key (STR), items[2k+1] value */
  size_t n, cap;
} kiln_benc;

#define KILN_BENC_MAX_DEPTH 64
#define KILN_BENC_DEFAULT_MAX (64u << 20) /* bytes per message */

/* ---- building ---- */
kiln_benc *kiln_benc_int(int64_t i);
kiln_benc *kiln_benc_str(const char *s);
kiln_benc *kiln_benc_strn(const void *s, size_t n);
kiln_benc *kiln_benc_list(void);
kiln_benc *kiln_benc_dict(void);
/* Appends [item] (taken) to list [l]. Returns [l]. */
kiln_benc *kiln_benc_push(kiln_benc *l, kiln_benc *item);
/* Sets [key] of dict [d] to [value] (taken), replacing and freeing an old value. */
kiln_benc *kiln_benc_set(kiln_benc *d, const char *key, kiln_benc *value);
kiln_benc *kiln_benc_set_str(kiln_benc *d, const char *key, const char *s);
kiln_benc *kiln_benc_set_strn(kiln_benc *d, const char *key, const void *s, size_t n);
kiln_benc *kiln_benc_set_int(kiln_benc *d, const char *key, int64_t i);
/* A list of the given C strings (NULL-terminated argument list). */
kiln_benc *kiln_benc_strs(const char *first, ...) __attribute__((sentinel));
/* A deep copy. */
kiln_benc *kiln_benc_copy(const kiln_benc *v);
void kiln_benc_free(kiln_benc *v);

/* ---- reading dictionaries ---- */
/* The value of [key], or NULL when absent or an empty list ("le" reads as nil). */
const kiln_benc *kiln_benc_get(const kiln_benc *d, const char *key);
/* The string value of [key] (NUL-terminated), or NULL when absent or not a
 * string; *len gets its byte length when [len] is not NULL. */
const char *kiln_benc_get_str(const kiln_benc *d, const char *key, size_t *len);
/* An integer value, or a string holding a decimal integer; [dflt] otherwise. */
int64_t kiln_benc_get_int(const kiln_benc *d, const char *key, int64_t dflt);
/* Clients send booleans as i1e/i0e, some as "true"/"false". */
bool kiln_benc_get_bool(const kiln_benc *d, const char *key);

/* ---- encoding ---- */
typedef struct kiln_bbuf {
  char *p;
  size_t len, cap;
} kiln_bbuf;
void kiln_bbuf_put(kiln_bbuf *b, const void *s, size_t n);
void kiln_bbuf_free(kiln_bbuf *b);
/* Appends the encoding of [v] to [b]. */
void kiln_benc_encode(kiln_bbuf *b, const kiln_benc *v);

/* ---- decoding ---- */
typedef enum kiln_benc_status {
  KILN_BENC_MORE = 0,         /* need more bytes */
  KILN_BENC_MESSAGE = 1,      /* *out holds a dictionary */
  KILN_BENC_SKIPPED = 2,      /* a complete message was not a dictionary; go on */
  KILN_BENC_FATAL = -1,       /* the stream is broken (syntax, size, depth): close it */
} kiln_benc_status;

typedef struct kiln_benc_decoder {
  char *buf;
  size_t start, len, cap;  /* pending bytes are buf[start..len) */
  size_t scanned;          /* bytes of the current message already scanned */
  size_t max_size;
  /* the scanner's state */
  int state, depth;
  uint64_t num;
  int digits;
  bool failed;
  char error[160];
} kiln_benc_decoder;

void kiln_benc_decoder_init(kiln_benc_decoder *d, size_t max_size);
void kiln_benc_decoder_free(kiln_benc_decoder *d);
/* Appends [n] bytes that arrived. */
void kiln_benc_feed(kiln_benc_decoder *d, const void *data, size_t n);
/* Extracts the next message; call until it returns KILN_BENC_MORE. After
 * SKIPPED or FATAL, d->error says what was wrong. */
kiln_benc_status kiln_benc_next(kiln_benc_decoder *d, kiln_benc **out);
/* Decodes exactly one complete value from [s] (tests, tools); NULL if malformed. */
kiln_benc *kiln_benc_decode(const void *s, size_t n);

#endif
