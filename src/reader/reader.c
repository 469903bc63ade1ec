/*
 * reader.c — turns UTF-8 text into forms, following clojure.lang.LispReader
 * character for character: the same token grammar, the same dispatch macros,
 * the same expansions and the same error messages. Where the JVM reports a
 * position after the offending text, Kiln reports where it starts.
 *
 * The reader works on code points (decoding UTF-8 as it goes; "\r\n" and "\r"
 * read as "\n", as through java.io.LineNumberReader) and keeps the line and
 * column of the next character. Every read is one call of read_form, which
 * returns a form, the end of input, or the closing delimiter its caller
 * waits for; macros that produce nothing (comments, #_, an unmatched #?, a
 * spliced #?@) make it loop. Forms spliced by #?@ wait in a `pending` list
 * that the enclosing collection reads next, as LispReader's pendingForms.
 *
 * Nesting is bounded (KILN_READ_MAX_DEPTH) so no input can exhaust the C
 * stack. Transient state (#() arguments, auto-gensyms, suppression inside
 * unselected #? branches) lives in the reader and is reset by each
 * kiln_reader_next, since a throw can leave it anywhere.
 *
 * Where Kiln differs from the JVM, on purpose:
 *  - error positions are where the offending token or construct starts (the
 *    end of input for EOF errors); errors are ex-info with {:type
 *    :reader-exception :file :line :column} rather than ReaderException;
 *  - the platform feature is :kiln (not :clj); :default always matches;
 *  - inside an unselected #? branch, ::alias/kw and #::alias{} with an alias
 *    this namespace lacks still read (another platform may have it);
 *  - \<one non-BMP character> is a character (Kiln's chars are code points);
 *  - forms nest at most KILN_READ_MAX_DEPTH deep, and one form's
 *    syntax-quote expansion is bounded (KILN_READ_SQ_BUDGET), so no input
 *    can exhaust the stack or memory;
 *  - #= and record literals (#my.Rec{}) are refused, as with *read-eval*
 *    false; symbol and keyword names cannot hold NUL; only ASCII digits
 *    start numbers.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "reader/reader_int.h"

#define KILN_READ_MAX_DEPTH 1000
#define KILN_READ_MAX_ARG 1000

enum { RD_FORM, RD_EOF, RD_DONE };

/* Forms spliced by #?@, read before the rest of the input. */
typedef struct pending {
  kiln_val items; /* a seq, or nil */
} pending;

/* A growable array of forms (GC memory, scanned). */
typedef struct formbuf {
  kiln_val *items;
  uint32_t n, cap;
} formbuf;

/* The arguments of the #() being read. */
struct kiln_argenv {
  kiln_val syms; /* map: long -> symbol */
  int64_t high;  /* highest positional argument used */
  kiln_val rest; /* the %& symbol or nil */
};

static int read_form(kiln_reader *r, int32_t delim, pending *pend, kiln_val *out);

/* ==== constants ======================================================== */

static kiln_reader_consts *consts;

const kiln_reader_consts *kiln_reader_k(void) {
  kiln_reader_consts *k = __atomic_load_n(&consts, __ATOMIC_ACQUIRE);
  if (k) return k;
  k = kiln_alloc_root(sizeof *k);
  k->quote = kiln_sym(NULL, "quote");
  k->syntax_quote = kiln_sym("clojure.core", "syntax-quote");
  k->unquote = kiln_sym("clojure.core", "unquote");
  k->unquote_splicing = kiln_sym("clojure.core", "unquote-splicing");
  k->deref = kiln_sym("clojure.core", "deref");
  k->var = kiln_sym(NULL, "var");
  k->fn_star = kiln_sym(NULL, "fn*");
  k->amp = kiln_sym(NULL, "&");
  k->seq = kiln_sym("clojure.core", "seq");
  k->concat = kiln_sym("clojure.core", "concat");
  k->list = kiln_sym("clojure.core", "list");
  k->apply = kiln_sym("clojure.core", "apply");
  k->vector = kiln_sym("clojure.core", "vector");
  k->hash_map = kiln_sym("clojure.core", "hash-map");
  k->hash_set = kiln_sym("clojure.core", "hash-set");
  k->with_meta = kiln_sym("clojure.core", "with-meta");
  k->kw_line = kiln_kw(NULL, "line");
  k->kw_column = kiln_kw(NULL, "column");
  k->kw_tag = kiln_kw(NULL, "tag");
  k->kw_type = kiln_kw(NULL, "type");
  k->kw_reader_exception = kiln_kw(NULL, "reader-exception");
  k->kw_file = kiln_kw(NULL, "file");
  k->kw_kiln = kiln_kw(NULL, "kiln");
  k->kw_default = kiln_kw(NULL, "default");
  k->kw_else = kiln_kw(NULL, "else");
  k->kw_none = kiln_kw(NULL, "none");
  __atomic_store_n(&consts, k, __ATOMIC_RELEASE);
  return k;
}

/* ==== errors =========================================================== */

static kiln_val error_data(kiln_reader *r, int line, int col) {
  const kiln_reader_consts *k = kiln_reader_k();
  kiln_val kvs[8] = {k->kw_type,      k->kw_reader_exception,     k->kw_file,
                     kiln_str_cstr(r->file), k->kw_line, KILN_FIXNUM(line),
                     k->kw_column,    KILN_FIXNUM(col)};
  return kiln_map_from(8, kvs);
}

void kiln_reader_fail(kiln_reader *r, int line, int col, const char *fmt, ...) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  va_list ap;
  va_start(ap, fmt);
  char small[256];
  int len = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (len >= (int)sizeof small) {
    char *big = kiln_alloc_atomic((size_t)len + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)len + 1, fmt, ap);
    va_end(ap);
    kiln_sb_puts(&sb, big);
  } else {
    kiln_sb_puts(&sb, small);
  }
  kiln_throw(kiln_ex_info(kiln_sb_to_string(&sb), error_data(r, line, col), KILN_NIL));
}

/* Fails at the start of the current token. */
#define FAIL(r, ...) kiln_reader_fail((r), (r)->tok_line, (r)->tok_col, __VA_ARGS__)
/* Fails at the current position (end-of-input errors). */
#define FAIL_HERE(r, ...) kiln_reader_fail((r), (r)->line, (r)->col, __VA_ARGS__)

bool kiln_reader_error_pos(kiln_val ex, const char **file, int *line, int *column) {
  if (!KILN_HAS_TYPE(ex, KILN_T_EXCEPTION)) return false;
  kiln_val data = ((const kiln_exception *)ex)->data;
  if (!kiln_is_map(data)) return false;
  const kiln_reader_consts *k = kiln_reader_k();
  if (kiln_map_get(data, k->kw_type, KILN_NIL) != k->kw_reader_exception) return false;
  kiln_val f = kiln_map_get(data, k->kw_file, KILN_NIL);
  kiln_val l = kiln_map_get(data, k->kw_line, KILN_NIL);
  kiln_val c = kiln_map_get(data, k->kw_column, KILN_NIL);
  if (file) *file = KILN_HAS_TYPE(f, KILN_T_STRING) ? kiln_str_data(f) : "NO_SOURCE_PATH";
  if (line) *line = KILN_IS_FIXNUM(l) ? (int)KILN_FIXNUM_VALUE(l) : 0;
  if (column) *column = KILN_IS_FIXNUM(c) ? (int)KILN_FIXNUM_VALUE(c) : 0;
  return true;
}

/* ==== characters ======================================================= */

static int32_t peekc(kiln_reader *r) {
  if (r->pos >= r->n) return -1;
  unsigned char c = (unsigned char)r->src[r->pos];
  if (c < 0x80) return c == '\r' ? '\n' : c;
  size_t i = r->pos;
  return (int32_t)kiln_utf8_decode(r->src, r->n, &i);
}

static int32_t nextc(kiln_reader *r) {
  if (r->pos >= r->n) return -1;
  unsigned char c = (unsigned char)r->src[r->pos];
  int32_t cp;
  if (c < 0x80) {
    r->pos++;
    cp = c;
    if (c == '\r') {
      if (r->pos < r->n && r->src[r->pos] == '\n') r->pos++;
      cp = '\n';
    }
  } else {
    size_t before = r->pos;
    cp = (int32_t)kiln_utf8_decode(r->src, r->n, &r->pos);
    if (r->pos <= before) r->pos = before + 1;
  }
  if (cp == '\n') {
    r->line++;
    r->col = 1;
  } else {
    r->col += cp >= 0x10000 ? 2 : 1;
  }
  return cp;
}

/* Character.isWhitespace, or a comma. */
static bool is_ws(int32_t c) {
  if (c == ' ' || c == ',' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)) return true;
  if (c < 0x1680) return false;
  return c == 0x1680 || (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200a) ||
         c == 0x2028 || c == 0x2029 || c == 0x205f || c == 0x3000;
}

static bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }

static bool is_macro(int32_t c) {
  return c >= 0 && c < 128 && c != 0 && strchr("\";'@^`~()[]{}\\%#", (int)c) != NULL;
}

static bool is_terminating(int32_t c) { return c != '#' && c != '\'' && c != '%' && is_macro(c); }

static void fb_push(formbuf *b, kiln_val x) {
  if (b->n == b->cap) {
    uint32_t cap = b->cap ? b->cap * 2 : 8;
    kiln_val *items = kiln_alloc(cap * sizeof *items);
    if (b->n) memcpy(items, b->items, b->n * sizeof *items);
    b->items = items;
    b->cap = cap;
  }
  b->items[b->n++] = x;
}

/* Reads a token starting with [first] up to whitespace or a terminating
 * macro character; *ncp gets its length in code points. */
static const char *read_token(kiln_reader *r, int32_t first, size_t *nbytes, size_t *ncp) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_put_utf8(&sb, (uint32_t)first);
  size_t count = 1;
  for (;;) {
    int32_t c = peekc(r);
    if (c < 0 || is_ws(c) || is_terminating(c)) break;
    nextc(r);
    kiln_sb_put_utf8(&sb, (uint32_t)c);
    count++;
  }
  if (ncp) *ncp = count;
  *nbytes = sb.len;
  return kiln_sb_cstr(&sb);
}

/* ==== helpers ========================================================== */

static pending *ensure(pending *p, pending *local) {
  if (p) return p;
  local->items = KILN_NIL;
  return local;
}

static kiln_val read_req(kiln_reader *r, pending *pend) {
  kiln_val out = KILN_NIL;
  int st = read_form(r, -1, pend, &out);
  if (st == RD_EOF) FAIL_HERE(r, "EOF while reading");
  return out;
}

static kiln_val list2(kiln_val a, kiln_val b) {
  kiln_val items[2] = {a, b};
  return kiln_list_from(2, items);
}

static bool can_have_meta(kiln_val x) {
  switch (kiln_type_of(x)) {
  case KILN_T_SYMBOL: case KILN_T_LIST: case KILN_T_EMPTY_LIST: case KILN_T_CONS:
  case KILN_T_LAZY_SEQ: case KILN_T_SEQ: case KILN_T_VECTOR: case KILN_T_MAP_ENTRY:
  case KILN_T_ARRAY_MAP: case KILN_T_HASH_MAP: case KILN_T_HASH_SET: case KILN_T_SORTED_MAP:
  case KILN_T_SORTED_SET:
    return true;
  default:
    return false;
  }
}

kiln_val kiln_reader_current_ns(void) {
  if (!kiln_v_ns) return KILN_NIL;
  kiln_val ns = kiln_v_ns->h.flags & (KILN_VAR_BOUND | KILN_VAR_THREAD_BOUND)
                    ? kiln_var_get(kiln_v_ns)
                    : KILN_NIL;
  return KILN_HAS_TYPE(ns, KILN_T_NAMESPACE) ? ns : KILN_NIL;
}

static const char *ns_name(kiln_val ns) {
  return ns == KILN_NIL ? "user" : kiln_sym_name(((const kiln_ns *)ns)->name);
}

/* The namespace [alias] names in the current namespace, or nil. */
static kiln_val lookup_alias(kiln_val alias) {
  kiln_val ns = kiln_reader_current_ns();
  if (ns == KILN_NIL) return KILN_NIL;
  kiln_val aliases = ((const kiln_ns *)ns)->aliases;
  if (!kiln_is_map(aliases)) return KILN_NIL;
  return kiln_map_get(aliases, alias, KILN_NIL);
}

/* [x] as Java's toString gives it in a message: (str x), "null" for nil. */
static const char *str_of(kiln_val x) {
  if (x == KILN_NIL) return "null";
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_str_to(&sb, x);
  return kiln_sb_cstr(&sb);
}

/* Builds a map from [n] alternating keys and values, failing on a
 * duplicate key as RT.map's createWithCheck does. */
static kiln_val make_map(kiln_reader *r, const kiln_val *kvs, uint32_t n, int line, int col) {
  kiln_val m = kiln_map_from(n, kvs);
  if ((int64_t)kiln_map_count(m) * 2 == (int64_t)n) return m;
  for (uint32_t i = 0; i < n; i += 2)
    for (uint32_t j = 0; j < n; j += 2) {
      if (i == j || !kiln_equiv(kvs[i], kvs[j])) continue;
      /* An array map names the first of the two keys, a hash map the second. */
      if (n <= 16 ? j > i : j < i)
        kiln_reader_fail(r, line, col, "Duplicate key: %s", str_of(kvs[i]));
    }
  return m;
}

static kiln_val make_set(kiln_reader *r, const kiln_val *items, uint32_t n, int line, int col) {
  kiln_val s = kiln_set_from(n, items);
  if (kiln_count_int(s) == (int64_t)n) return s;
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t j = 0; j < i; j++)
      if (kiln_equiv(items[i], items[j]))
        kiln_reader_fail(r, line, col, "Duplicate key: %s", str_of(items[i]));
  return s;
}

/* ==== numbers, symbols, keywords ====================================== */

static kiln_val read_number(kiln_reader *r, int32_t first) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_put_utf8(&sb, (uint32_t)first);
  for (;;) {
    int32_t c = peekc(r);
    if (c < 0 || is_ws(c) || is_macro(c)) break;
    kiln_sb_put_utf8(&sb, (uint32_t)nextc(r));
  }
  const char *s = kiln_sb_cstr(&sb);
  kiln_val v = KILN_NIL;
  if (!kiln_num_parse(s, sb.len, &v)) FAIL(r, "Invalid number: %s", s);
  return v;
}

static bool valid_name(const char *p, size_t n) {
  return n > 0 && !is_digit((unsigned char)p[0]) && memchr(p, '/', n) == NULL;
}

/* Matches LispReader's symbolPat against p[0..n): an optional namespace
 * group (a non-digit, non-slash character, anything, then a slash) and a
 * name ("/" alone, or a non-digit, non-slash character then no slashes).
 * Sets *nslen to the length of the namespace group (0 if none). */
static bool match_core(const char *p, size_t n, size_t *nslen) {
  if (n == 0) return false;
  if (p[0] != '/' && !is_digit((unsigned char)p[0])) {
    for (size_t k = n; k >= 2; k--) {
      if (p[k - 1] != '/') continue;
      if ((n - k == 1 && p[k] == '/') || valid_name(p + k, n - k)) {
        *nslen = k;
        return true;
      }
    }
  }
  *nslen = 0;
  return (n == 1 && p[0] == '/') || valid_name(p, n);
}

/* The symbol Symbol.intern(s) gives: split at the first '/' unless s is "/". */
static kiln_val intern_sym(const char *s, size_t n, bool keyword) {
  const char *slash = memchr(s, '/', n);
  if (!slash || (n == 1 && s[0] == '/'))
    return keyword ? kiln_kw(NULL, s) : kiln_sym(NULL, s);
  size_t nl = (size_t)(slash - s);
  char *ns = kiln_alloc_atomic(nl + 1);
  memcpy(ns, s, nl);
  ns[nl] = 0;
  return keyword ? kiln_kw(ns, slash + 1) : kiln_sym(ns, slash + 1);
}

static kiln_val interpret_token(kiln_reader *r, const char *s, size_t n) {
  if (strcmp(s, "nil") == 0) return KILN_NIL;
  if (strcmp(s, "true") == 0) return KILN_TRUE;
  if (strcmp(s, "false") == 0) return KILN_FALSE;
  size_t nslen = 0;
  const char *core = s;
  size_t corelen = n;
  bool ok = false;
  if (memchr(s, 0, n) == NULL) {
    if (s[0] == ':' && match_core(s + 1, n - 1, &nslen)) {
      core = s + 1;
      corelen = n - 1;
      ok = true;
    } else if (match_core(s, n, &nslen)) {
      ok = true;
    }
  }
  if (ok) {
    const char *name = core + nslen;
    size_t namelen = corelen - nslen;
    if ((nslen >= 2 && core[nslen - 2] == ':') || name[namelen - 1] == ':') ok = false;
    for (size_t i = 1; ok && i + 1 < n; i++)
      if (s[i] == ':' && s[i + 1] == ':') ok = false;
  }
  if (!ok) FAIL(r, "Invalid token: %s", s);
  if (s[0] == ':' && s[1] == ':') {
    const char *rest = s + 2;
    const char *slash = strchr(rest, '/');
    if (slash && strcmp(rest, "/") != 0) {
      size_t nl = (size_t)(slash - rest);
      char *alias = kiln_alloc_atomic(nl + 1);
      memcpy(alias, rest, nl);
      alias[nl] = 0;
      kiln_val target = lookup_alias(kiln_sym(NULL, alias));
      if (target != KILN_NIL) return kiln_kw(ns_name(target), slash + 1);
      /* An unselected #? branch may name an alias only its platform has. */
      if (r->suppress) return kiln_kw(alias, slash + 1);
      FAIL(r, "Invalid token: %s", s);
    }
    return kiln_kw(ns_name(kiln_reader_current_ns()), rest);
  }
  if (s[0] == ':') return intern_sym(s + 1, n - 1, true);
  return intern_sym(s, n, false);
}

/* ==== strings and characters ========================================== */

static int digit_val(int32_t c, int base) {
  int d = -1;
  if (c >= '0' && c <= '9') d = c - '0';
  else if (c >= 'a' && c <= 'z') d = c - 'a' + 10;
  else if (c >= 'A' && c <= 'Z') d = c - 'A' + 10;
  return d < base ? d : -1;
}

/* Starts [sb] with the one character [c], for messages. */
static void put_char(kiln_sb *sb, int32_t c) {
  kiln_sb_init(sb);
  kiln_sb_put_utf8(sb, (uint32_t)c);
}

/* Reads up to [length] digits in [base] after [first] (a string escape). */
static int32_t read_escape_digits(kiln_reader *r, int32_t first, int base, int length, bool exact,
                                  int line, int col) {
  int32_t uc = digit_val(first, base);
  if (uc < 0) {
    kiln_sb sb;
    put_char(&sb, first);
    kiln_reader_fail(r, line, col, "Invalid digit: %s", kiln_sb_cstr(&sb));
  }
  int i = 1;
  for (; i < length; i++) {
    int32_t c = peekc(r);
    if (c < 0 || is_ws(c) || is_macro(c)) break;
    nextc(r);
    int d = digit_val(c, base);
    if (d < 0) {
      kiln_sb sb;
      put_char(&sb, c);
      kiln_reader_fail(r, line, col, "Invalid digit: %s", kiln_sb_cstr(&sb));
    }
    uc = uc * base + d;
  }
  if (i != length && exact)
    kiln_reader_fail(r, line, col, "Invalid character length: %d, should be: %d", i, length);
  return uc;
}

static void flush_surrogate(kiln_sb *sb, int32_t *hi) {
  if (*hi) kiln_sb_put_utf8(sb, (uint32_t)*hi);
  *hi = 0;
}

/* Appends one UTF-16 unit or code point, pairing surrogates from \u escapes. */
static void put_unit(kiln_sb *sb, int32_t *hi, int32_t c) {
  if (c >= 0xdc00 && c <= 0xdfff && *hi) {
    kiln_sb_put_utf8(sb, (uint32_t)(0x10000 + ((*hi - 0xd800) << 10) + (c - 0xdc00)));
    *hi = 0;
    return;
  }
  flush_surrogate(sb, hi);
  if (c >= 0xd800 && c <= 0xdbff) *hi = c;
  else kiln_sb_put_utf8(sb, (uint32_t)c);
}

static kiln_val read_string(kiln_reader *r) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  int32_t hi = 0;
  for (;;) {
    int line = r->line, col = r->col;
    int32_t c = nextc(r);
    if (c < 0) FAIL_HERE(r, "EOF while reading string");
    if (c == '"') break;
    if (c == '\\') {
      c = nextc(r);
      if (c < 0) FAIL_HERE(r, "EOF while reading string");
      switch (c) {
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      case 'n': c = '\n'; break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case '\\': case '"': break;
      case 'u': {
        c = nextc(r);
        if (c < 0) FAIL_HERE(r, "EOF while reading string");
        if (digit_val(c, 16) < 0) {
          kiln_sb e;
          put_char(&e, c);
          kiln_reader_fail(r, line, col, "Invalid unicode escape: \\u%s", kiln_sb_cstr(&e));
        }
        c = read_escape_digits(r, c, 16, 4, true, line, col);
        break;
      }
      default:
        if (is_digit(c)) {
          c = read_escape_digits(r, c, 8, 3, false, line, col);
          if (c > 0377)
            kiln_reader_fail(r, line, col, "Octal escape sequence must be in range [0, 377].");
        } else {
          kiln_sb e;
          put_char(&e, c);
          kiln_reader_fail(r, line, col, "Unsupported escape character: \\%s", kiln_sb_cstr(&e));
        }
      }
    }
    put_unit(&sb, &hi, c);
  }
  flush_surrogate(&sb, &hi);
  return kiln_sb_to_string(&sb);
}

static int32_t token_digits(kiln_reader *r, const char *tok, size_t from, int base) {
  int32_t uc = 0;
  for (size_t i = from; tok[i]; i++) {
    int d = digit_val((unsigned char)tok[i], base);
    if (d < 0) {
      size_t j = i;
      uint32_t cp = kiln_utf8_decode(tok, strlen(tok), &j);
      kiln_sb e;
      put_char(&e, (int32_t)cp);
      FAIL(r, "Invalid digit: %s", kiln_sb_cstr(&e));
    }
    uc = uc * base + d;
  }
  return uc;
}

static kiln_val read_char(kiln_reader *r) {
  int32_t c = nextc(r);
  if (c < 0) FAIL_HERE(r, "EOF while reading character");
  size_t nbytes, ncp;
  const char *tok = read_token(r, c, &nbytes, &ncp);
  if (ncp == 1) return KILN_CHAR((uint32_t)c);
  static const struct { const char *name; uint32_t cp; } names[] = {
      {"newline", '\n'}, {"space", ' '}, {"tab", '\t'},
      {"backspace", '\b'}, {"formfeed", '\f'}, {"return", '\r'}};
  for (size_t i = 0; i < KILN_ARRAY_LEN(names); i++)
    if (strcmp(tok, names[i].name) == 0) return KILN_CHAR(names[i].cp);
  if (tok[0] == 'u') {
    if (ncp != 5) FAIL(r, "Invalid unicode character: \\%s", tok);
    int32_t cp = token_digits(r, tok, 1, 16);
    if (cp >= 0xd800 && cp <= 0xdfff) FAIL(r, "Invalid character constant: \\u%x", (unsigned)cp);
    return KILN_CHAR((uint32_t)cp);
  }
  if (tok[0] == 'o') {
    size_t len = ncp - 1;
    if (len > 3) FAIL(r, "Invalid octal escape sequence length: %zu", len);
    int32_t cp = token_digits(r, tok, 1, 8);
    if (cp > 0377) FAIL(r, "Octal escape sequence must be in range [0, 377].");
    return KILN_CHAR((uint32_t)cp);
  }
  FAIL(r, "Unsupported character: \\%s", tok);
}

static kiln_val read_regex(kiln_reader *r) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  for (;;) {
    int32_t c = nextc(r);
    if (c < 0) FAIL_HERE(r, "EOF while reading regex");
    if (c == '"') break;
    kiln_sb_put_utf8(&sb, (uint32_t)c);
    if (c == '\\') {
      c = nextc(r);
      if (c < 0) FAIL_HERE(r, "EOF while reading regex");
      kiln_sb_put_utf8(&sb, (uint32_t)c);
    }
  }
  const char *pattern = kiln_sb_cstr(&sb);
  return kiln_regex_new(kiln_str_new(pattern, sb.len));
}

/* ==== collections ====================================================== */

/* Reads forms up to [close]; [line] is where the collection starts. */
static void read_delimited(kiln_reader *r, int32_t close, int line, pending *pend, formbuf *out) {
  pending local;
  pend = ensure(pend, &local);
  for (;;) {
    kiln_val form = KILN_NIL;
    int st = read_form(r, close, pend, &form);
    if (st == RD_DONE) return;
    if (st == RD_EOF) FAIL_HERE(r, "EOF while reading, starting at line %d", line);
    fb_push(out, form);
  }
}

static kiln_val read_list(kiln_reader *r, int line, int col, pending *pend) {
  formbuf b = {0};
  read_delimited(r, ')', line, pend, &b);
  if (b.n == 0) return kiln_empty_list;
  kiln_val list = kiln_list_from(b.n, b.items);
  if (!r->positions) return list;
  const kiln_reader_consts *k = kiln_reader_k();
  kiln_val kvs[4] = {k->kw_line, KILN_FIXNUM(line), k->kw_column, KILN_FIXNUM(col)};
  return kiln_with_meta(list, kiln_map_from(4, kvs));
}

static kiln_val read_vector(kiln_reader *r, int line, pending *pend) {
  formbuf b = {0};
  read_delimited(r, ']', line, pend, &b);
  return kiln_vec_from(b.n, b.items);
}

static kiln_val read_map(kiln_reader *r, int line, int col, pending *pend) {
  formbuf b = {0};
  read_delimited(r, '}', line, pend, &b);
  if (b.n & 1) kiln_reader_fail(r, line, col, "Map literal must contain an even number of forms");
  return make_map(r, b.items, b.n, line, col);
}

static kiln_val read_set(kiln_reader *r, int line, int col, pending *pend) {
  formbuf b = {0};
  read_delimited(r, '}', line, pend, &b);
  return make_set(r, b.items, b.n, line, col);
}

/* ==== metadata ========================================================= */

static kiln_val read_meta(kiln_reader *r, int line, int col, pending *pend) {
  const kiln_reader_consts *k = kiln_reader_k();
  pending local;
  pend = ensure(pend, &local);
  kiln_val meta = read_req(r, pend);
  if (KILN_HAS_TYPE(meta, KILN_T_SYMBOL) || KILN_HAS_TYPE(meta, KILN_T_STRING)) {
    kiln_val kvs[2] = {k->kw_tag, meta};
    meta = kiln_map_from(2, kvs);
  } else if (KILN_HAS_TYPE(meta, KILN_T_KEYWORD)) {
    kiln_val kvs[2] = {meta, KILN_TRUE};
    meta = kiln_map_from(2, kvs);
  } else if (!kiln_is_map(meta)) {
    kiln_reader_fail(r, line, col, "Metadata must be Symbol,Keyword,String or Map");
  }
  kiln_val o = read_req(r, pend);
  if (!can_have_meta(o)) kiln_reader_fail(r, line, col, "Metadata can only be applied to IMetas");
  if (r->positions && kiln_is_seq(o)) {
    meta = kiln_map_assoc(meta, k->kw_line, KILN_FIXNUM(line));
    meta = kiln_map_assoc(meta, k->kw_column, KILN_FIXNUM(col));
  }
  kiln_val ometa = kiln_meta(o);
  if (ometa == KILN_NIL) ometa = kiln_empty_map;
  for (kiln_val s = kiln_seq(meta); s != KILN_NIL; s = kiln_next(s)) {
    kiln_val e = kiln_first(s);
    ometa = kiln_map_assoc(ometa, kiln_nth(e, 0, KILN_NIL, false), kiln_nth(e, 1, KILN_NIL, false));
  }
  return kiln_with_meta(o, ometa);
}

/* ==== #() and its arguments =========================================== */

static kiln_val arg_sym(int64_t n) {
  char prefix[32];
  if (n == -1) snprintf(prefix, sizeof prefix, "rest__");
  else snprintf(prefix, sizeof prefix, "p%lld__", (long long)n);
  kiln_val g = kiln_gensym(prefix);
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_puts(&sb, kiln_sym_name(g));
  kiln_sb_putc(&sb, '#');
  return kiln_sym(NULL, kiln_sb_cstr(&sb));
}

static kiln_val register_arg(kiln_reader *r, int64_t n) {
  struct kiln_argenv *env = r->args;
  if (n == -1) {
    if (env->rest == KILN_NIL) env->rest = arg_sym(-1);
    return env->rest;
  }
  if (n > KILN_READ_MAX_ARG) FAIL(r, "Arg literal %%%lld is too large", (long long)n);
  kiln_val key = kiln_long(n);
  kiln_val sym = kiln_map_get(env->syms, key, KILN_NIL);
  if (sym != KILN_NIL) return sym;
  sym = arg_sym(n);
  env->syms = kiln_map_assoc(env->syms, key, sym);
  if (n > env->high) env->high = n;
  return sym;
}

static kiln_val read_arg(kiln_reader *r, pending *pend) {
  int line = r->tok_line, col = r->tok_col;
  if (!r->args) {
    size_t n;
    const char *tok = read_token(r, '%', &n, NULL);
    return interpret_token(r, tok, n);
  }
  int32_t c = peekc(r);
  if (c < 0 || is_ws(c) || is_terminating(c)) return register_arg(r, 1);
  pending local;
  kiln_val n = read_req(r, ensure(pend, &local));
  if (kiln_equiv(n, kiln_reader_k()->amp)) return register_arg(r, -1);
  if (!kiln_is_number(n)) kiln_reader_fail(r, line, col, "arg literal must be %%, %%& or %%integer");
  /* Number.intValue, as the JVM: %1.5 is %1. */
  double d = kiln_is_long(n) ? 0 : kiln_double_value(n);
  if (!kiln_is_long(n) && !(d > -1e9 && d < 1e9)) FAIL(r, "Arg literal %%%s is too large", str_of(n));
  return register_arg(r, kiln_is_long(n) ? kiln_long_value(n) : (int64_t)d);
}

static kiln_val read_fn(kiln_reader *r, int line, int col, pending *pend) {
  if (r->args) FAIL(r, "Nested #()s are not allowed");
  struct kiln_argenv env = {kiln_empty_map, 0, KILN_NIL};
  r->args = &env;
  pending local;
  kiln_val body = read_list(r, line, col, ensure(pend, &local));
  r->args = NULL;
  formbuf params = {0};
  for (int64_t i = 1; i <= env.high; i++) {
    kiln_val sym = kiln_map_get(env.syms, kiln_long(i), KILN_NIL);
    fb_push(&params, sym != KILN_NIL ? sym : arg_sym(i));
  }
  if (env.rest != KILN_NIL) {
    fb_push(&params, kiln_reader_k()->amp);
    fb_push(&params, env.rest);
  }
  kiln_val items[3] = {kiln_reader_k()->fn_star, kiln_vec_from(params.n, params.items), body};
  return kiln_list_from(3, items);
}

/* ==== reader conditionals ============================================= */

static bool has_feature(kiln_reader *r, kiln_val kw) {
  const kiln_reader_consts *k = kiln_reader_k();
  if (kw == k->kw_default) return true;
  if (r->features == KILN_NIL) return kw == k->kw_kiln;
  return kiln_is_set(r->features) && kiln_set_contains(r->features, kw);
}

/* Returns true and sets *out when the conditional produced a form. */
static bool read_cond(kiln_reader *r, int line, int col, pending *pend, kiln_val *out) {
  const kiln_reader_consts *k = kiln_reader_k();
  if (!r->allow_cond) FAIL(r, "Conditional read not allowed");
  int32_t c = nextc(r);
  if (c < 0) FAIL_HERE(r, "EOF while reading character");
  bool splicing = false;
  if (c == '@') {
    splicing = true;
    c = nextc(r);
  }
  while (c >= 0 && is_ws(c)) c = nextc(r);
  if (c < 0) FAIL_HERE(r, "EOF while reading character");
  if (c != '(') FAIL(r, "read-cond body must be a list");
  bool toplevel = pend == NULL;
  pending local;
  pend = ensure(pend, &local);
  bool have = false;
  kiln_val result = KILN_NIL;
  for (;;) {
    kiln_val form = KILN_NIL;
    int st;
    if (!have) {
      st = read_form(r, ')', pend, &form);
      if (st == RD_EOF) FAIL_HERE(r, "EOF while reading, starting at line %d", line);
      if (st == RD_DONE) break;
      if (form == k->kw_else || form == k->kw_none)
        FAIL(r, "Feature name %s is reserved.", kiln_pr_str(form));
      if (!KILN_HAS_TYPE(form, KILN_T_KEYWORD))
        FAIL(r, "Feature should be a keyword: %s", str_of(form));
      if (has_feature(r, form)) {
        st = read_form(r, ')', pend, &form);
        if (st == RD_EOF) FAIL_HERE(r, "EOF while reading, starting at line %d", line);
        if (st == RD_DONE)
          FAIL(r, "read-cond starting on line %d requires an even number of forms", line);
        result = form;
        have = true;
      }
    }
    r->suppress++;
    st = read_form(r, ')', pend, &form);
    r->suppress--;
    if (st == RD_EOF) FAIL_HERE(r, "EOF while reading, starting at line %d", line);
    if (st == RD_DONE) break;
  }
  if (!have) return false;
  if (!splicing) {
    *out = result;
    return true;
  }
  if (!kiln_is_sequential(result))
    kiln_reader_fail(r, line, col,
                     "Spliced form list in read-cond-splicing must implement java.util.List");
  if (toplevel)
    kiln_reader_fail(r, line, col, "Reader conditional splicing not allowed at the top level.");
  formbuf b = {0};
  for (kiln_val s = kiln_seq(result); s != KILN_NIL; s = kiln_next(s)) fb_push(&b, kiln_first(s));
  kiln_val items = pend->items;
  for (uint32_t i = b.n; i-- > 0;) items = kiln_cons(b.items[i], items);
  pend->items = items;
  return false;
}

/* ==== namespaced maps ================================================= */

static kiln_val read_ns_map(kiln_reader *r, int line, int col, pending *pend) {
  bool autons = false;
  if (peekc(r) == ':') {
    nextc(r);
    autons = true;
  }
  kiln_val sym = KILN_NIL;
  bool have_sym = false;
  int32_t c = peekc(r);
  if (c >= 0 && is_ws(c)) {
    if (!autons) FAIL(r, "Namespaced map must specify a namespace");
    while (c >= 0 && is_ws(c)) {
      nextc(r);
      c = peekc(r);
    }
    if (c != '{') FAIL(r, "Namespaced map must specify a namespace");
  } else if (c != '{') {
    sym = read_req(r, pend);
    have_sym = true;
    while ((c = peekc(r)) >= 0 && is_ws(c)) nextc(r);
  }
  if (peekc(r) != '{') kiln_reader_fail(r, line, col, "Namespaced map must specify a map");
  nextc(r);
  const char *ns;
  bool plain_sym = KILN_HAS_TYPE(sym, KILN_T_SYMBOL) && kiln_sym_ns(sym) == NULL;
  if (autons && !have_sym) {
    ns = ns_name(kiln_reader_current_ns());
  } else if (!plain_sym) {
    kiln_reader_fail(r, line, col, "Namespaced map must specify a valid namespace: %s",
                     str_of(sym));
  } else if (autons) {
    kiln_val target = lookup_alias(sym);
    if (target != KILN_NIL) ns = ns_name(target);
    else if (r->suppress) ns = kiln_sym_name(sym);
    else kiln_reader_fail(r, line, col, "Unknown auto-resolved namespace alias: %s", str_of(sym));
  } else {
    ns = kiln_sym_name(sym);
  }
  formbuf b = {0};
  pending local;
  read_delimited(r, '}', line, ensure(pend, &local), &b);
  if (b.n & 1)
    kiln_reader_fail(r, line, col, "Namespaced map literal must contain an even number of forms");
  for (uint32_t i = 0; i < b.n; i += 2) {
    kiln_val key = b.items[i];
    if (KILN_HAS_TYPE(key, KILN_T_KEYWORD)) {
      const char *kns = kiln_kw_ns(key);
      if (!kns) b.items[i] = kiln_kw(ns, kiln_kw_name(key));
      else if (strcmp(kns, "_") == 0) b.items[i] = kiln_kw(NULL, kiln_kw_name(key));
    } else if (KILN_HAS_TYPE(key, KILN_T_SYMBOL)) {
      const char *sns = kiln_sym_ns(key);
      if (!sns) b.items[i] = kiln_sym(ns, kiln_sym_name(key));
      else if (strcmp(sns, "_") == 0) b.items[i] = kiln_sym(NULL, kiln_sym_name(key));
    }
  }
  return make_map(r, b.items, b.n, line, col);
}

/* ==== tagged literals ================================================= */

static kiln_val var_value(kiln_var *v) {
  if (!v || !(v->h.flags & (KILN_VAR_BOUND | KILN_VAR_THREAD_BOUND))) return KILN_NIL;
  return kiln_var_get(v);
}

static kiln_val core_var_value(const char *name) {
  if (kiln_ns_core == KILN_NIL) return KILN_NIL;
  kiln_val v = kiln_ns_resolve(kiln_ns_core, kiln_sym(NULL, name));
  return KILN_HAS_TYPE(v, KILN_T_VAR) ? var_value((kiln_var *)v) : KILN_NIL;
}

static kiln_val read_tagged(kiln_reader *r, int32_t dispatch, int line, int col, pending *pend) {
  kiln_val tag = read_req(r, pend);
  if (!KILN_HAS_TYPE(tag, KILN_T_SYMBOL))
    kiln_reader_fail(r, line, col, "Reader tag must be a symbol");
  kiln_val form = read_req(r, pend);
  if (r->suppress) return form;
  const char *name = kiln_sym_name(tag);
  if (kiln_sym_ns(tag) == NULL && strchr(name, '.'))
    kiln_reader_fail(r, line, col,
                     "Record construction syntax can only be used when *read-eval* == true");
  kiln_val result;
  kiln_val readers = var_value(kiln_v_data_readers);
  kiln_val fn = kiln_is_map(readers) ? kiln_map_get(readers, tag, KILN_NIL) : KILN_NIL;
  bool plain = kiln_sym_ns(tag) == NULL;
  if (fn != KILN_NIL) {
    result = kiln_call1(fn, form);
  } else if (plain && strcmp(name, "inst") == 0) {
    int64_t ms;
    const char *why = NULL;
    if (!KILN_HAS_TYPE(form, KILN_T_STRING))
      kiln_reader_fail(r, line, col, "#inst data reader expects a string, got: %s", str_of(form));
    if (!kiln_inst_parse(kiln_str_data(form), kiln_str_nbytes(form), &ms, &why))
      kiln_reader_fail(r, line, col, "%s", why);
    result = kiln_inst_new(ms);
  } else if (plain && strcmp(name, "uuid") == 0) {
    if (!KILN_HAS_TYPE(form, KILN_T_STRING))
      kiln_reader_fail(r, line, col, "#uuid data reader expects a string, got: %s", str_of(form));
    if (kiln_str_nbytes(form) > 36) kiln_reader_fail(r, line, col, "UUID string too large");
    if (!kiln_uuid_parse(kiln_str_data(form), kiln_str_nbytes(form), &result))
      kiln_reader_fail(r, line, col, "Invalid UUID string: %s", kiln_str_data(form));
  } else {
    kiln_val dflt = core_var_value("*default-data-reader-fn*");
    if (dflt == KILN_NIL)
      kiln_reader_fail(r, line, col, "No reader function for tag %s", kiln_pr_str(tag));
    result = kiln_call2(dflt, tag, form);
  }
  if (result == KILN_NIL) {
    kiln_sb e;
    put_char(&e, dispatch);
    kiln_reader_fail(r, line, col, "No dispatch macro for: %s", kiln_sb_cstr(&e));
  }
  return result;
}

static kiln_val read_symbolic(kiln_reader *r, int line, int col, pending *pend) {
  pending local;
  kiln_val o = read_req(r, ensure(pend, &local));
  if (!KILN_HAS_TYPE(o, KILN_T_SYMBOL)) kiln_reader_fail(r, line, col, "Invalid token: ##%s", str_of(o));
  if (kiln_sym_ns(o) == NULL) {
    const char *name = kiln_sym_name(o);
    if (strcmp(name, "Inf") == 0) return kiln_double(INFINITY);
    if (strcmp(name, "-Inf") == 0) return kiln_double(-INFINITY);
    if (strcmp(name, "NaN") == 0) return kiln_double(NAN);
  }
  kiln_reader_fail(r, line, col, "Unknown symbolic value: ##%s", str_of(o));
}

/* ==== macro dispatch ================================================== */

static void skip_line(kiln_reader *r) {
  int32_t c;
  while ((c = peekc(r)) >= 0 && c != '\n') nextc(r);
}

/* The # dispatch table. Returns true and sets *out when a form was read. */
static bool read_dispatch(kiln_reader *r, int line, int col, pending *pend, kiln_val *out) {
  const kiln_reader_consts *k = kiln_reader_k();
  pending local;
  int32_t c = peekc(r);
  if (c < 0) FAIL_HERE(r, "EOF while reading character");
  switch (c) {
  case '^': nextc(r); *out = read_meta(r, line, col, pend); return true;
  case '\'': nextc(r); *out = list2(k->var, read_req(r, ensure(pend, &local))); return true;
  case '"': nextc(r); *out = read_regex(r); return true;
  case '(': nextc(r); *out = read_fn(r, r->line, r->col - 1, pend); return true;
  case '{': nextc(r); *out = read_set(r, line, col, pend); return true;
  case '!': skip_line(r); return false;
  case '_': nextc(r); read_req(r, ensure(pend, &local)); return false;
  case '?': nextc(r); return read_cond(r, line, col, pend, out);
  case ':': nextc(r); *out = read_ns_map(r, line, col, pend); return true;
  case '#': nextc(r); *out = read_symbolic(r, line, col, pend); return true;
  case '=': FAIL(r, "EvalReader not allowed when *read-eval* is false.");
  case '<': FAIL(r, "Unreadable form");
  default: *out = read_tagged(r, c, line, col, ensure(pend, &local)); return true;
  }
}

/* Reads the macro form introduced by [c] (already consumed). Returns true
 * and sets *out when it produced a form, false when it produced nothing. */
static bool read_macro(kiln_reader *r, int32_t c, pending *pend, kiln_val *out) {
  const kiln_reader_consts *k = kiln_reader_k();
  int line = r->tok_line, col = r->tok_col;
  pending local;
  switch (c) {
  case '"': *out = read_string(r); return true;
  case ';': skip_line(r); return false;
  case '\'': *out = list2(k->quote, read_req(r, ensure(pend, &local))); return true;
  case '@': *out = list2(k->deref, read_req(r, ensure(pend, &local))); return true;
  case '^': *out = read_meta(r, line, col, pend); return true;
  case '`': {
    kiln_val saved = r->gensyms;
    r->gensyms = kiln_empty_map;
    kiln_val form = read_req(r, ensure(pend, &local));
    r->tok_line = line;
    r->tok_col = col;
    *out = kiln_syntax_quote(r, form);
    r->gensyms = saved;
    return true;
  }
  case '~': {
    int32_t d = peekc(r);
    if (d < 0) FAIL_HERE(r, "EOF while reading character");
    if (d == '@') {
      nextc(r);
      *out = list2(k->unquote_splicing, read_req(r, ensure(pend, &local)));
    } else {
      *out = list2(k->unquote, read_req(r, ensure(pend, &local)));
    }
    return true;
  }
  case '(': *out = read_list(r, line, col, pend); return true;
  case '[': *out = read_vector(r, line, pend); return true;
  case '{': *out = read_map(r, line, col, pend); return true;
  case ')': case ']': case '}': FAIL(r, "Unmatched delimiter: %c", (char)c);
  case '\\': *out = read_char(r); return true;
  case '%': *out = read_arg(r, pend); return true;
  case '#': return read_dispatch(r, line, col, pend, out);
  default: FAIL(r, "Unsupported macro character");
  }
}

static int read_form(kiln_reader *r, int32_t delim, pending *pend, kiln_val *out) {
  if (++r->depth > KILN_READ_MAX_DEPTH) FAIL_HERE(r, "Forms nested too deeply (over %d levels)", KILN_READ_MAX_DEPTH);
  for (;;) {
    if (pend && pend->items != KILN_NIL) {
      *out = kiln_first(pend->items);
      pend->items = kiln_next(pend->items);
      r->depth--;
      return RD_FORM;
    }
    int32_t c;
    while ((c = peekc(r)) >= 0 && is_ws(c)) nextc(r);
    if (c < 0) {
      r->depth--;
      return RD_EOF;
    }
    r->tok_line = r->line;
    r->tok_col = r->col;
    if (r->depth == 1) {
      r->form_line = r->line;
      r->form_col = r->col;
      r->form_off = r->pos;
    }
    nextc(r);
    if (c == delim) {
      r->depth--;
      return RD_DONE;
    }
    if (is_digit(c)) {
      *out = read_number(r, c);
      break;
    }
    if (is_macro(c)) {
      if (read_macro(r, c, pend, out)) break;
      continue;
    }
    if ((c == '+' || c == '-') && is_digit(peekc(r))) {
      *out = read_number(r, c);
      break;
    }
    size_t n;
    const char *tok = read_token(r, c, &n, NULL);
    *out = interpret_token(r, tok, n);
    break;
  }
  r->depth--;
  return RD_FORM;
}

/* ==== the interface =================================================== */

kiln_reader *kiln_reader_new(const char *text, size_t n, const kiln_read_opts *opts) {
  kiln_reader *r = kiln_alloc(sizeof *r);
  r->src = text;
  r->n = n;
  r->file = opts && opts->file ? opts->file : "NO_SOURCE_PATH";
  r->line = opts && opts->line > 0 ? opts->line : 1;
  r->col = opts && opts->column > 0 ? opts->column : 1;
  r->features = opts ? opts->features : KILN_NIL;
  r->allow_cond = opts && opts->allow_cond;
  r->positions = !(opts && opts->no_positions);
  r->form_line = r->line;
  r->form_col = r->col;
  r->gensyms = KILN_NIL;
  /* Skip a UTF-8 byte order mark. */
  if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
  return r;
}

bool kiln_reader_next(kiln_reader *r, kiln_val *form) {
  r->depth = 0;
  r->suppress = 0;
  r->args = NULL;
  r->gensyms = KILN_NIL;
  r->sq_budget = KILN_READ_SQ_BUDGET;
  r->tok_line = r->line;
  r->tok_col = r->col;
  kiln_try t;
  volatile int st = RD_EOF;
  volatile kiln_val result = KILN_NIL;
  KILN_TRY(t) {
    kiln_val f = KILN_NIL;
    st = read_form(r, -1, NULL, &f);
    result = f;
  }
  KILN_CATCH(t) {
    kiln_val ex = t.exception;
    if (kiln_reader_error_pos(ex, NULL, NULL, NULL)) kiln_throw(ex);
    /* An exception from elsewhere (a data reader, a number, a regex):
     * keep it as the cause of a reader exception at the token. */
    kiln_throw(kiln_ex_info(kiln_str_cstr(kiln_ex_message(ex)),
                            error_data(r, r->tok_line, r->tok_col), ex));
  }
  KILN_END(t);
  r->args = NULL;
  if (st == RD_EOF) return false;
  *form = result;
  return true;
}

void kiln_reader_pos(kiln_reader *r, int *line, int *column, size_t *offset) {
  if (line) *line = r->line;
  if (column) *column = r->col;
  if (offset) *offset = r->pos;
}

void kiln_reader_form_start(kiln_reader *r, int *line, int *column, size_t *offset) {
  if (line) *line = r->form_line;
  if (column) *column = r->form_col;
  if (offset) *offset = r->form_off;
}

kiln_val kiln_read_string(const char *text, size_t n) {
  kiln_read_opts opts = {.no_positions = true};
  kiln_reader *r = kiln_reader_new(text, n, &opts);
  kiln_val form = KILN_NIL;
  if (!kiln_reader_next(r, &form)) kiln_reader_fail(r, r->line, r->col, "EOF while reading");
  return form;
}

/* ==== natives ========================================================= */

/* (read-string s) or (read-string opts s): opts as clojure.core/read's
 * (:read-cond :allow, :features, :eof). */
KILN_NATIVE(n_read_string) {
  KILN_ARITY("clojure.core/read-string", argc == 1 || argc == 2);
  kiln_val s = argv[argc - 1];
  if (!KILN_HAS_TYPE(s, KILN_T_STRING))
    kiln_throwf(KILN_EX_CLASS_CAST, "class %s cannot be cast to class java.lang.String",
                kiln_class_name(s));
  kiln_read_opts opts = {.no_positions = true};
  bool has_eof = false;
  kiln_val eof = KILN_NIL;
  if (argc == 2 && kiln_is_map(argv[0])) {
    kiln_val o = argv[0];
    kiln_val rc = kiln_map_get(o, kiln_kw(NULL, "read-cond"), KILN_NIL);
    opts.allow_cond = rc == kiln_kw(NULL, "allow") || rc == kiln_kw(NULL, "preserve");
    kiln_val feats = kiln_map_get(o, kiln_kw(NULL, "features"), KILN_NIL);
    if (kiln_is_set(feats)) opts.features = kiln_set_conj(feats, kiln_reader_k()->kw_kiln);
    kiln_val eof_kw = kiln_kw(NULL, "eof");
    if (kiln_map_contains(o, eof_kw)) {
      has_eof = true;
      eof = kiln_map_get(o, eof_kw, KILN_NIL);
    }
  }
  kiln_reader *r = kiln_reader_new(kiln_str_data(s), kiln_str_nbytes(s), &opts);
  kiln_val form = KILN_NIL;
  if (kiln_reader_next(r, &form)) return form;
  if (has_eof) return eof;
  kiln_reader_fail(r, r->line, r->col, "EOF while reading");
}

static const kiln_native_def reader_natives[] = {
    {"read-string", "([s] [opts s])",
     "Parses the first form in the string s and returns it as data, without\n  evaluating it; the rest of s is ignored. An empty string throws unless\n  opts, a map, has :eof, whose value is then returned. Other options:\n  :read-cond :allow (or :preserve, treated the same) accepts reader\n  conditionals, choosing the :kiln branch or :default, plus any keywords in\n  the set :features. Use clojure.edn/read-string for data from untrusted\n  sources.",
     n_read_string, 0},
};

void kiln_reader_init(void) {
  kiln_reader_k();
  kiln_natives_register("clojure.core", reader_natives, KILN_ARRAY_LEN(reader_natives));
}
