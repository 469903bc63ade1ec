/*
 * regex.c — regular expressions on PCRE2, with java.util.regex's behaviour
 * where the two differ in ways programs notice:
 *
 * - A pattern is compiled with UTF, newline convention ANY (Java's line
 *   terminators for ".", "^" and "$"), and ALT_BSUX plus EXTRA_ALT_BSUX so
 *   \uXXXX, \xhh and \x{h..h} mean what they mean in Java.
 * - Java's POSIX classes \p{Alpha}, \p{Digit}, \p{Punct}, ... (ASCII-only in
 *   Java) and \p{javaLowerCase}-style names are rewritten to PCRE2 syntax
 *   before compiling.
 * - Successive finds follow Matcher.find: after an empty match the next
 *   search starts one character further on.
 * - Replacement strings follow Matcher.appendReplacement: $n, ${name} and
 *   backslash escapes.
 * - Java's class union [a-c[x-z]] is flattened to [a-cx-z], and "[:" is two
 *   literal characters (Java has no POSIX bracket classes).
 *
 * Not supported (PCRE2 has no equivalent): class intersection [a-z&&[^b]]
 * and negated classes nested in a class (both raise PatternSyntaxException
 * rather than match differently), the inline flags (?u) (?U) (?d), and
 * \p{InBlock} names. Two differences remain silent: (?i) folds case for all
 * of Unicode (Java: ASCII only unless (?u)), and a lone surrogate in the
 * subject matches as U+FFFD.
 *
 * A matcher (re-matcher) is a KILN_T_REGEX object with KILN_REGEX_MATCHER in
 * its flags: it holds the pattern, the input and the last match.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <gc.h>
#include <pcre2.h>
#include <string.h>

#include "runtime/rt.h"

typedef struct kiln_matcher {
  kiln_regex re;      /* the pattern's fields, copied; h.flags has KILN_REGEX_MATCHER */
  kiln_val pattern;   /* keeps the pattern (and so its compiled code) alive */
  kiln_val input;     /* the string being searched */
  size_t *ov;         /* the last match's byte offsets (2 per group), or NULL */
  size_t next;        /* byte offset the next find starts at */
  bool done;          /* no further find can succeed */
} kiln_matcher;

static const kiln_regex *as_re(kiln_val v) { return (const kiln_regex *)v; }

bool kiln_regex_is_pattern(kiln_val v) {
  return KILN_HAS_TYPE(v, KILN_T_REGEX) && !(as_re(v)->h.flags & KILN_REGEX_MATCHER);
}

kiln_val kiln_regex_source(kiln_val re) { return as_re(re)->source; }

/* ==== compiling ======================================================== */

/* Java's ASCII POSIX classes, as the inside of a PCRE2 character class. */
static const struct {
  const char *name, *set;
} posix_classes[] = {
    {"Lower", "a-z"},
    {"Upper", "A-Z"},
    {"ASCII", "\\x00-\\x7F"},
    {"Alpha", "a-zA-Z"},
    {"Digit", "0-9"},
    {"Alnum", "a-zA-Z0-9"},
    {"Punct", "!-\\/:-@\\[-`{-~"},
    {"Graph", "!-~"},
    {"Print", " -~"},
    {"Blank", " \\t"},
    {"Cntrl", "\\x00-\\x1F\\x7F"},
    {"XDigit", "0-9a-fA-F"},
    {"Space", " \\t\\n\\x0B\\f\\r"},
    {"javaLowerCase", "\\p{Ll}"},
    {"javaUpperCase", "\\p{Lu}"},
    {"javaWhitespace", "\\s"},
    {"javaDigit", "\\p{Nd}"},
    {"javaLetter", "\\p{L}"},
    {"javaLetterOrDigit", "\\p{L}\\p{Nd}"},
    {"IsAlphabetic", "\\p{L}\\p{Nl}"},
    {"IsLetter", "\\p{L}"},
    {"IsDigit", "\\p{Nd}"},
    {"IsUppercase", "\\p{Lu}"},
    {"IsLowercase", "\\p{Ll}"},
    {"IsWhite_Space", "\\s"},
    {"IsPunctuation", "\\p{P}"},
};

/* Rewrites the Java-only parts of [src] into PCRE2 syntax. */
KILN_NORETURN static void unsupported(const char *what, const char *s, size_t at) {
  kiln_throwf("java.util.regex.PatternSyntaxException",
              "%s is not supported by Kiln's regular expressions near index %zu\n%s", what, at, s);
}

static void translate(kiln_sb *out, const char *s, size_t n) {
  int depth = 0; /* inside a character class */
  /* Java's union [a-c[x-z]] flattens to [a-cx-z]: which brackets were dropped */
  bool dropped[64] = {false};
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '\\' && i + 1 < n) {
      char e = s[i + 1];
      if (e == 'Q') { /* copy \Q...\E verbatim */
        const char *end = memmem(s + i + 2, n - i - 2, "\\E", 2);
        size_t stop = end ? (size_t)(end - s) + 2 : n;
        kiln_sb_putn(out, s + i, stop - i);
        i = stop - 1;
        continue;
      }
      if ((e == 'p' || e == 'P') && i + 2 < n && s[i + 2] == '{') {
        const char *close = memchr(s + i + 3, '}', n - i - 3);
        if (close) {
          size_t len = (size_t)(close - (s + i + 3));
          const char *name = s + i + 3;
          if (len > 2 && name[0] == 'I' && name[1] == 's' && (name[2] < 'a' || name[2] > 'z')) {
            /* \p{IsLatin} is a script in Java; PCRE2 spells it \p{Latin} */
            bool known = false;
            for (size_t k = 0; k < KILN_ARRAY_LEN(posix_classes); k++)
              if (strlen(posix_classes[k].name) == len && memcmp(posix_classes[k].name, name, len) == 0)
                known = true;
            if (!known) {
              kiln_sb_putc(out, '\\');
              kiln_sb_putc(out, e);
              kiln_sb_putc(out, '{');
              kiln_sb_putn(out, name + 2, len - 2);
              kiln_sb_putc(out, '}');
              i = (size_t)(close - s);
              continue;
            }
          }
          for (size_t k = 0; k < KILN_ARRAY_LEN(posix_classes); k++) {
            if (strlen(posix_classes[k].name) != len || memcmp(posix_classes[k].name, name, len) != 0)
              continue;
            if (depth == 0 || e == 'P') {
              kiln_sb_puts(out, e == 'P' ? "[^" : "[");
              kiln_sb_puts(out, posix_classes[k].set);
              kiln_sb_putc(out, ']');
            } else {
              kiln_sb_puts(out, posix_classes[k].set);
            }
            i = (size_t)(close - s);
            goto next;
          }
        }
      }
      kiln_sb_putc(out, c);
      kiln_sb_putc(out, e);
      i++;
      continue;
    }
    if (c == '&' && depth > 0 && i + 1 < n && s[i + 1] == '&')
      unsupported("Character class intersection (&&)", s, i);
    if (c == '[' && depth > 0) {
      if (i + 1 < n && s[i + 1] == '^') unsupported("A negated class inside a class", s, i);
      if (depth >= (int)KILN_ARRAY_LEN(dropped)) unsupported("Nesting this deep", s, i);
      dropped[depth++] = true;
      /* Java has no [:alpha:] classes: [[:alpha:]] is the set of : a l p h */
      if (i + 1 < n && s[i + 1] == ':') kiln_sb_puts(out, "\\:"), i++;
      continue;
    }
    if (c == '[') {
      if (depth < (int)KILN_ARRAY_LEN(dropped)) dropped[depth] = false;
      depth++;
      kiln_sb_putc(out, c);
      /* a ']' right after '[' or '[^' is a literal; so is ':' (no POSIX classes in Java) */
      if (i + 1 < n && s[i + 1] == '^') kiln_sb_putc(out, s[++i]);
      if (i + 1 < n && s[i + 1] == ':') kiln_sb_puts(out, "\\:"), i++;
      if (i + 1 < n && s[i + 1] == ']') kiln_sb_puts(out, "\\]"), i++;
      continue;
    }
    if (c == ']' && depth > 0) {
      depth--;
      if (depth < (int)KILN_ARRAY_LEN(dropped) && dropped[depth]) continue;
    }
    kiln_sb_putc(out, c);
  next:;
  }
}

static void regex_finalize(void *obj, void *data) {
  KILN_UNUSED(data);
  kiln_regex *re = obj;
  if (re->code) pcre2_code_free((pcre2_code *)re->code);
  re->code = NULL;
}

static pcre2_compile_context *compile_context(void) {
  static pcre2_compile_context *ctx;
  if (!__atomic_load_n(&ctx, __ATOMIC_ACQUIRE)) {
    pcre2_compile_context *c = pcre2_compile_context_create(NULL);
    pcre2_set_newline(c, PCRE2_NEWLINE_ANY);
    pcre2_set_compile_extra_options(c, PCRE2_EXTRA_ALT_BSUX);
    pcre2_compile_context *expected = NULL;
    if (!__atomic_compare_exchange_n(&ctx, &expected, c, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
      pcre2_compile_context_free(c);
  }
  return ctx;
}

kiln_val kiln_regex_new(kiln_val source) {
  if (!KILN_HAS_TYPE(source, KILN_T_STRING)) kiln_throw_class_cast(source, "java.lang.String");
  kiln_sb sb;
  kiln_sb_init(&sb);
  translate(&sb, kiln_str_data(source), kiln_str_nbytes(source));
  int err;
  PCRE2_SIZE off;
  pcre2_code *code = pcre2_compile((PCRE2_SPTR)(sb.buf ? sb.buf : ""), sb.len,
                                   PCRE2_UTF | PCRE2_ALT_BSUX,
                                   &err, &off, compile_context());
  if (!code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    kiln_throwf("java.util.regex.PatternSyntaxException", "%s near index %zu\n%s", (char *)msg,
                (size_t)off, kiln_str_data(source));
  }
  kiln_regex *re = kiln_obj_new(KILN_T_REGEX, sizeof *re);
  re->source = source;
  re->code = code;
  uint32_t ncap = 0;
  pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &ncap);
  re->ngroups = ncap;
  GC_register_finalizer(re, regex_finalize, NULL, NULL, NULL);
  return (kiln_val)re;
}

/* ==== matching ========================================================= */

/*
 * Strings are valid UTF-8 except for lone surrogates (WTF-8), so matching
 * skips PCRE2's UTF check, which would cost a pass over the whole subject on
 * every search. A string holding a lone surrogate is matched as a copy in
 * which each one is U+FFFD: the same three bytes long, so offsets agree.
 */
static const char *subject_bytes(kiln_val s) {
  const kiln_string *str = (const kiln_string *)s;
  if (!(str->h.flags & KILN_STR_SURROGATES)) return str->data;
  char *copy = kiln_alloc_atomic(str->nbytes + 1);
  memcpy(copy, str->data, str->nbytes + 1);
  for (size_t i = 0; i + 2 < str->nbytes; i++)
    if ((unsigned char)copy[i] == 0xED && (unsigned char)copy[i + 1] >= 0xA0) {
      copy[i] = (char)0xEF, copy[i + 1] = (char)0xBF, copy[i + 2] = (char)0xBD;
      i += 2;
    }
  return copy;
}

/*
 * Searches [s] from byte [start]; on success fills ov[0 .. 2*(ngroups+1)) with
 * byte offsets (unset groups as SIZE_MAX). [whole] anchors at both ends.
 */
static bool re_search(const kiln_regex *re, kiln_val s, size_t start, bool whole, size_t *ov) {
  pcre2_code *code = re->code;
  pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
  if (!md) kiln_throwf(KILN_EX_OOM, "Kiln could not allocate regex match data");
  uint32_t opts = (whole ? (PCRE2_ANCHORED | PCRE2_ENDANCHORED) : 0) | PCRE2_NO_UTF_CHECK;
  int rc = pcre2_match(code, (PCRE2_SPTR)subject_bytes(s), kiln_str_nbytes(s), start, opts, md, NULL);
  bool ok = rc >= 0;
  if (ok) {
    PCRE2_SIZE *v = pcre2_get_ovector_pointer(md);
    uint32_t count = pcre2_get_ovector_count(md);
    for (uint32_t g = 0; g <= re->ngroups; g++) {
      bool set = g < count && g < (uint32_t)(rc == 0 ? count : (uint32_t)rc) && v[2 * g] != PCRE2_UNSET;
      ov[2 * g] = set ? v[2 * g] : SIZE_MAX;
      ov[2 * g + 1] = set ? v[2 * g + 1] : SIZE_MAX;
    }
  }
  pcre2_match_data_free(md);
  if (!ok && rc != PCRE2_ERROR_NOMATCH && rc != PCRE2_ERROR_PARTIAL)
    kiln_throwf(KILN_EX_RUNTIME, "Regex match failed (PCRE2 error %d) for pattern %s", rc,
                kiln_str_data(re->source));
  return ok;
}

static size_t *ov_new(const kiln_regex *re) {
  return kiln_alloc_atomic(sizeof(size_t) * 2 * (re->ngroups + 1));
}

/* Where the search after a match [ms, me) starts, as Matcher.find does. */
static size_t after_match(kiln_val s, size_t ms, size_t me, bool *done) {
  if (me != ms) return me;
  size_t n = kiln_str_nbytes(s);
  if (me >= n) {
    *done = true;
    return me;
  }
  size_t i = me;
  kiln_utf8_decode(kiln_str_data(s), n, &i);
  return i;
}

static kiln_val group_str(kiln_val s, const size_t *ov, uint32_t g) {
  if (ov[2 * g] == SIZE_MAX) return KILN_NIL;
  return kiln_str_new(kiln_str_data(s) + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

/* re-groups of a match: the string, or [whole g1 g2 ...] when there are groups. */
static kiln_val groups_of(const kiln_regex *re, kiln_val s, const size_t *ov) {
  if (re->ngroups == 0) return group_str(s, ov, 0);
  kiln_val *items = kiln_alloc(sizeof(kiln_val) * (re->ngroups + 1));
  for (uint32_t g = 0; g <= re->ngroups; g++) items[g] = group_str(s, ov, g);
  return kiln_vec_from(re->ngroups + 1, items);
}

static const kiln_regex *want_pattern(kiln_val re) {
  if (!kiln_regex_is_pattern(re)) {
    if (re == KILN_NIL) kiln_throwf(KILN_EX_NULL, "Cannot match against a nil pattern");
    kiln_throw_class_cast(re, "java.util.regex.Pattern");
  }
  return as_re(re);
}

static kiln_val want_str(kiln_val s) {
  if (KILN_HAS_TYPE(s, KILN_T_STRING)) return s;
  if (s == KILN_NIL)
    kiln_throwf(KILN_EX_NULL,
                "Cannot invoke \"java.lang.CharSequence.length()\" because \"this.text\" is null");
  kiln_throw_class_cast(s, "java.lang.CharSequence");
}

kiln_val kiln_regex_matcher(kiln_val re, kiln_val s) {
  const kiln_regex *r = want_pattern(re);
  kiln_matcher *m = kiln_obj_new(KILN_T_REGEX, sizeof *m);
  m->re = *r;
  m->re.h.flags |= KILN_REGEX_MATCHER;
  m->pattern = re;
  m->input = want_str(s);
  return (kiln_val)m;
}

static kiln_matcher *want_matcher(kiln_val m) {
  if (!KILN_HAS_TYPE(m, KILN_T_REGEX) || !(as_re(m)->h.flags & KILN_REGEX_MATCHER))
    kiln_throw_class_cast(m, "java.util.regex.Matcher");
  return (kiln_matcher *)m;
}

/* Matcher.find: advances [m]; true when a match was found. */
static bool matcher_find(kiln_matcher *m) {
  if (m->done) return false;
  size_t *ov = ov_new(&m->re);
  if (!re_search(&m->re, m->input, m->next, false, ov)) {
    m->done = true;
    m->ov = NULL;
    return false;
  }
  m->ov = ov;
  m->next = after_match(m->input, ov[0], ov[1], &m->done);
  return true;
}

kiln_val kiln_regex_find(kiln_val re, kiln_val s) {
  const kiln_regex *r = want_pattern(re);
  s = want_str(s);
  size_t *ov = ov_new(r);
  return re_search(r, s, 0, false, ov) ? groups_of(r, s, ov) : KILN_NIL;
}

kiln_val kiln_regex_matches(kiln_val re, kiln_val s) {
  const kiln_regex *r = want_pattern(re);
  s = want_str(s);
  size_t *ov = ov_new(r);
  return re_search(r, s, 0, true, ov) ? groups_of(r, s, ov) : KILN_NIL;
}

/* ==== natives ========================================================== */

KILN_NATIVE(n_re_pattern) {
  KILN_ARITY("clojure.core/re-pattern", argc == 1);
  if (kiln_regex_is_pattern(argv[0])) return argv[0];
  return kiln_regex_new(argv[0]);
}

KILN_NATIVE(n_re_matcher) {
  KILN_ARITY("clojure.core/re-matcher", argc == 2);
  return kiln_regex_matcher(argv[0], argv[1]);
}

KILN_NATIVE(n_re_groups) {
  KILN_ARITY("clojure.core/re-groups", argc == 1);
  kiln_matcher *m = want_matcher(argv[0]);
  if (!m->ov) kiln_throwf(KILN_EX_ILLEGAL_STATE, "No match found");
  return groups_of(&m->re, m->input, m->ov);
}

KILN_NATIVE(n_re_find) {
  KILN_ARITY("clojure.core/re-find", argc == 1 || argc == 2);
  if (argc == 2) return kiln_regex_find(argv[0], argv[1]);
  kiln_matcher *m = want_matcher(argv[0]);
  return matcher_find(m) ? groups_of(&m->re, m->input, m->ov) : KILN_NIL;
}

KILN_NATIVE(n_re_matches) {
  KILN_ARITY("clojure.core/re-matches", argc == 2);
  return kiln_regex_matches(argv[0], argv[1]);
}

/* All matches' groups, in order, as a list (nil when there is none). */
KILN_NATIVE(n_re_seq) {
  KILN_ARITY("clojure.core/re-seq", argc == 2);
  kiln_matcher *m = (kiln_matcher *)kiln_regex_matcher(argv[0], argv[1]);
  size_t cap = 16, n = 0;
  kiln_val *items = kiln_alloc(cap * sizeof *items);
  while (matcher_find(m)) {
    if (n == cap) {
      kiln_val *bigger = kiln_alloc(2 * cap * sizeof *bigger);
      memcpy(bigger, items, n * sizeof *items);
      items = bigger;
      cap *= 2;
    }
    items[n++] = groups_of(&m->re, m->input, m->ov);
  }
  return n ? kiln_list_from((uint32_t)n, items) : KILN_NIL;
}

/* ---- clojure.string with patterns ------------------------------------ */

static kiln_val substr_bytes(kiln_val s, size_t from, size_t to) {
  return kiln_str_new(kiln_str_data(s) + from, to - from);
}

/* Pattern.split with Java's limit rules. */
static kiln_val split(kiln_val s, const kiln_regex *re, int64_t limit) {
  size_t cap = 16, n = 0;
  kiln_val *parts = kiln_alloc(cap * sizeof *parts);
  size_t index = 0, next = 0, len = kiln_str_nbytes(s);
  bool done = false, matched_any = false;
  size_t *ov = ov_new(re);
#define PUSH(v)                                                             \
  do {                                                                      \
    if (n == cap) {                                                         \
      kiln_val *b_ = kiln_alloc(2 * cap * sizeof *b_);                      \
      memcpy(b_, parts, n * sizeof *parts);                                 \
      parts = b_;                                                           \
      cap *= 2;                                                             \
    }                                                                       \
    parts[n++] = (v);                                                       \
  } while (0)
  while (!done && re_search(re, s, next, false, ov)) {
    size_t ms = ov[0], me = ov[1];
    next = after_match(s, ms, me, &done);
    if (limit <= 0 || (int64_t)n < limit - 1) {
      if (index == 0 && ms == 0 && me == 0) continue; /* no leading empty string */
      PUSH(substr_bytes(s, index, ms));
      index = me;
      matched_any = true;
    } else if ((int64_t)n == limit - 1) {
      PUSH(substr_bytes(s, index, len));
      index = me;
      matched_any = true;
      break;
    }
  }
  if (!matched_any && index == 0) return kiln_vec_from(1, &s);
  if (limit <= 0 || (int64_t)n < limit) PUSH(substr_bytes(s, index, len));
#undef PUSH
  if (limit == 0)
    while (n > 0 && kiln_str_nbytes(parts[n - 1]) == 0) n--;
  return kiln_vec_from((uint32_t)n, parts);
}

KILN_NATIVE(n_split) {
  KILN_ARITY("clojure.string/split", argc == 2 || argc == 3);
  kiln_val s = want_str(argv[0]);
  int64_t limit = argc == 3 ? kiln_to_long(argv[2], "split") : 0;
  return split(s, want_pattern(argv[1]), limit);
}

KILN_NATIVE(n_split_lines) {
  KILN_ARITY("clojure.string/split-lines", argc == 1);
  static kiln_val *lines_re;
  if (!lines_re) {
    kiln_val *slot = kiln_alloc_root(sizeof *slot);
    *slot = kiln_regex_new(kiln_str_cstr("\\r?\\n"));
    lines_re = slot;
  }
  return split(want_str(argv[0]), as_re(*lines_re), 0);
}

/* Matcher.appendReplacement's expansion of [rep] for the match [ov]. */
static void expand_replacement(kiln_sb *out, const kiln_regex *re, kiln_val s, const size_t *ov,
                               kiln_val rep) {
  const char *r = kiln_str_data(rep);
  size_t n = kiln_str_nbytes(rep);
  for (size_t i = 0; i < n; i++) {
    char c = r[i];
    if (c == '\\') {
      if (++i >= n)
        kiln_throwf(KILN_EX_ILLEGAL_ARG, "character to be escaped is missing");
      kiln_sb_putc(out, r[i]);
    } else if (c == '$') {
      if (++i >= n)
        kiln_throwf(KILN_EX_ILLEGAL_ARG, "Illegal group reference: group index is missing");
      int64_t g;
      if (r[i] == '{') {
        const char *close = memchr(r + i + 1, '}', n - i - 1);
        if (!close) kiln_throwf(KILN_EX_ILLEGAL_ARG, "named capturing group is missing trailing '}'");
        size_t len = (size_t)(close - (r + i + 1));
        char *name = kiln_alloc_atomic(len + 1);
        memcpy(name, r + i + 1, len);
        name[len] = 0;
        int num = pcre2_substring_number_from_name((pcre2_code *)re->code, (PCRE2_SPTR)name);
        if (num < 0) kiln_throwf(KILN_EX_ILLEGAL_ARG, "No group with name {%s}", name);
        g = num;
        i = (size_t)(close - r);
      } else {
        if (r[i] < '0' || r[i] > '9')
          kiln_throwf(KILN_EX_ILLEGAL_ARG, "Illegal group reference");
        g = r[i] - '0';
        while (i + 1 < n && r[i + 1] >= '0' && r[i + 1] <= '9') {
          int64_t g2 = g * 10 + (r[i + 1] - '0');
          if (g2 > re->ngroups) break;
          g = g2;
          i++;
        }
        if (g > re->ngroups) kiln_throwf(KILN_EX_INDEX, "No group %lld", (long long)g);
      }
      if (ov[2 * g] != SIZE_MAX)
        kiln_sb_putn(out, kiln_str_data(s) + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
    } else {
      kiln_sb_putc(out, c);
    }
  }
}

/* Replaces the first or every match of [re] in [s] by [rep] (a string with
 * $n references, or a fn of the match's groups). */
static kiln_val replace_re(kiln_val s, const kiln_regex *re, kiln_val rep, bool first_only) {
  bool is_fn = !KILN_HAS_TYPE(rep, KILN_T_STRING);
  size_t *ov = ov_new(re);
  size_t next = 0, tail = 0;
  bool done = false, any = false;
  kiln_sb out;
  kiln_sb_init(&out);
  while (!done && re_search(re, s, next, false, ov)) {
    any = true;
    kiln_sb_putn(&out, kiln_str_data(s) + tail, ov[0] - tail);
    if (is_fn) {
      kiln_val r = kiln_call1(rep, groups_of(re, s, ov));
      if (!KILN_HAS_TYPE(r, KILN_T_STRING)) kiln_throw_class_cast(r, "java.lang.String");
      kiln_sb_putn(&out, kiln_str_data(r), kiln_str_nbytes(r));
    } else {
      expand_replacement(&out, re, s, ov, rep);
    }
    tail = ov[1];
    next = after_match(s, ov[0], ov[1], &done);
    if (first_only) break;
  }
  if (!any) return s;
  kiln_sb_putn(&out, kiln_str_data(s) + tail, kiln_str_nbytes(s) - tail);
  return kiln_sb_to_string(&out);
}

static kiln_val char_string(kiln_val c) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  kiln_sb_put_utf8(&sb, KILN_CHAR_VALUE(c));
  return kiln_sb_to_string(&sb);
}

static kiln_val replace_impl(uint32_t argc, const kiln_val *argv, bool first_only) {
  if (argv[0] == KILN_NIL)
    kiln_throwf(KILN_EX_NULL, "Cannot invoke \"Object.toString()\" because \"s\" is null");
  kiln_val s = want_str(argv[0]), match = argv[1], rep = argv[2];
  if (KILN_IS_CHAR(match)) {
    if (!KILN_IS_CHAR(rep)) kiln_throw_class_cast(rep, "java.lang.Character");
    return kiln_str_replace_literal(s, char_string(match), char_string(rep), first_only);
  }
  if (KILN_HAS_TYPE(match, KILN_T_STRING)) {
    kiln_sb sb;
    kiln_sb_init(&sb);
    kiln_str_to(&sb, rep);
    return kiln_str_replace_literal(s, match, kiln_sb_to_string(&sb), first_only);
  }
  if (kiln_regex_is_pattern(match)) {
    if (KILN_HAS_TYPE(rep, KILN_T_STRING) || kiln_is_fn(rep) || KILN_IS_PTR(rep))
      return replace_re(s, as_re(match), rep, first_only);
  }
  KILN_UNUSED(argc);
  kiln_throwf(KILN_EX_ILLEGAL_ARG, "Invalid match arg: %s", kiln_pr_str(match));
}

KILN_NATIVE(n_replace) {
  KILN_ARITY("clojure.string/replace", argc == 3);
  return replace_impl(argc, argv, false);
}

KILN_NATIVE(n_replace_first) {
  KILN_ARITY("clojure.string/replace-first", argc == 3);
  return replace_impl(argc, argv, true);
}

static const kiln_native_def regex_natives[] = {
    {"re-pattern", "([s])",
     "Compiles the string s into a regex (the value a #\"...\" literal gives); a\n  regex passed in comes back unchanged. Kiln's regexes run on PCRE2 with\n  Java's syntax and matching rules, apart from the few constructs listed\n  atop src/runtime/regex.c. A malformed pattern throws\n  PatternSyntaxException.",
     n_re_pattern, 0},
    {"re-matcher", "([re s])",
     "A matcher over the string s for the regex re: a stateful object that each\n  re-find advances to the next match, and whose latest match re-groups\n  reports.",
     n_re_matcher, 0},
    {"re-groups", "([m])",
     "The latest match of the matcher m: the matched string when the pattern has\n  no capturing groups, otherwise a vector of the whole match followed by\n  each group (nil for a group that took no part). Throws\n  IllegalStateException when m has not matched.",
     n_re_groups, 0},
    {"re-find", "([m] [re s])",
     "Searches for the next match. With a matcher m, continues from where its\n  previous find stopped; with re and s, searches s from its start. Returns\n  the match in re-groups form, or nil when there is none left.",
     n_re_find, 0},
    {"re-matches", "([re s])",
     "Matches re against the whole of s (not a part of it). Returns the match in\n  re-groups form when all of s matches, nil otherwise.",
     n_re_matches, 0},
    {"re-seq", "([re s])",
     "A lazy seq of every successive non-overlapping match of re in s, each in\n  re-groups form; nil when there is none. After an empty match the search\n  moves on one character.",
     n_re_seq, 0},
};

KILN_NATIVE(n_re_quote_replacement) {
  KILN_ARITY("clojure.string/re-quote-replacement", argc == 1);
  kiln_val s = want_str(argv[0]);
  const char *d = kiln_str_data(s);
  size_t n = kiln_str_nbytes(s);
  if (!memchr(d, '\\', n) && !memchr(d, '$', n)) return s;
  kiln_sb sb;
  kiln_sb_init(&sb);
  for (size_t i = 0; i < n; i++) {
    if (d[i] == '\\' || d[i] == '$') kiln_sb_putc(&sb, '\\');
    kiln_sb_putc(&sb, d[i]);
  }
  return kiln_sb_to_string(&sb);
}

static const kiln_native_def string_regex_natives[] = {
    {"re-quote-replacement", "([replacement])",
     "Escapes the backslashes and dollar signs of replacement, so that replace\n  or replace-first with a regex inserts it literally instead of reading $1\n  or \\ as group references and escapes.",
     n_re_quote_replacement, 0},
    {"split", "([s re] [s re limit])",
     "A vector of the pieces of s between matches of the regex re. Empty strings\n  at the end are dropped unless limit is negative; a positive limit stops\n  after that many pieces, the last keeping the rest of s. Splitting \"\" gives\n  [\"\"].",
     n_split, 0},
    {"split-lines", "([s])", "A vector of the lines of s, breaking at each \\n or \\r\\n; empty lines at\n  the end are dropped.",
     n_split_lines, 0},
    {"replace", "([s match replacement])",
     "s with every match replaced. The match and its replacement may be a string\n  and a string (both literal), a char and a char, or a regex and either a\n  string (where $1, ${name} and \\ escapes refer to groups) or a function\n  called with each match in re-groups form whose result, made a string, is\n  inserted.",
     n_replace, 0},
    {"replace-first", "([s match replacement])",
     "s with only the first match replaced; match and replacement may take the\n  same forms as for replace (string and string, char and char, regex and\n  string or function).",
     n_replace_first, 0},
};

void kiln_regex_init(void) {
  kiln_natives_register("clojure.core", regex_natives, KILN_ARRAY_LEN(regex_natives));
  kiln_natives_register("clojure.string", string_regex_natives,
                        KILN_ARRAY_LEN(string_regex_natives));
}
