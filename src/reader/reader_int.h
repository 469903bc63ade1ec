/*
 * reader_int.h — what the reader's files share: the reader state, the
 * constants (symbols and keywords the expansions use), and the error helper.
 *
 * reader.c reads characters and builds forms; syntax_quote.c expands a form
 * read after ` into the code that builds it, as LispReader.syntaxQuote does;
 * tagged.c holds the #inst and #uuid values.
 */
#ifndef KILN_READER_INT_H
#define KILN_READER_INT_H

#include "runtime/rt.h"

struct kiln_reader {
  const char *src;
  size_t n, pos;          /* the UTF-8 text and the offset of the next byte */
  int line, col;          /* position of the next character (1-based) */
  const char *file;
  kiln_val features;      /* a set of keywords, or nil for #{:kiln} */
  bool allow_cond;
  bool positions;         /* :line/:column metadata on lists */
  int depth;              /* nesting of read calls, bounded */
  int suppress;           /* > 0 inside an unselected #? branch */
  int tok_line, tok_col;  /* start of the token being read, for errors */
  int form_line, form_col;
  size_t form_off;        /* start of the last top-level form */
  struct kiln_argenv *args; /* the #() being read, or NULL */
  kiln_val gensyms;       /* auto-gensyms of the ` being expanded, or nil */
  int64_t sq_budget;      /* syntax-quote expansion steps left for this form */
};

/* Nested syntax-quotes grow exponentially; one top-level form may take at
 * most this many expansion steps (real macros take hundreds). */
#define KILN_READ_SQ_BUDGET 100000

/* The symbols and keywords the reader builds forms with, made once. */
typedef struct kiln_reader_consts {
  kiln_val quote, syntax_quote, unquote, unquote_splicing, deref, var, fn_star, amp;
  kiln_val seq, concat, list, apply, vector, hash_map, hash_set, with_meta;
  kiln_val kw_line, kw_column, kw_tag, kw_type, kw_reader_exception, kw_file, kw_kiln,
      kw_default, kw_else, kw_none;
} kiln_reader_consts;

const kiln_reader_consts *kiln_reader_k(void);

/* Throws a reader exception at [line]:[col] of [r]'s input. */
KILN_NORETURN void kiln_reader_fail(kiln_reader *r, int line, int col, const char *fmt, ...)
    KILN_PRINTF(4, 5);

/* The current namespace (*ns*), or nil before the runtime has one. */
kiln_val kiln_reader_current_ns(void);

/* Expands the form that followed a syntax-quote. */
kiln_val kiln_syntax_quote(kiln_reader *r, kiln_val form);

#endif
