/*
 * bencode.c — see bencode.h. Building, reading, encoding with sorted keys,
 * and the incremental decoder: a scanner that finds where a message ends,
 * then a recursive parser over the complete message.
 */
#include "device/bencode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fputs("kiln: out of memory in bencode\n", stderr);
    abort();
  }
  return p;
}

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) {
    fputs("kiln: out of memory in bencode\n", stderr);
    abort();
  }
  return p;
}

static kiln_benc *node(kiln_benc_type t) {
  kiln_benc *v = xmalloc(sizeof *v);
  memset(v, 0, sizeof *v);
  v->type = t;
  return v;
}

/* ---- building ---- */

kiln_benc *kiln_benc_int(int64_t i) {
  kiln_benc *v = node(KILN_BENC_INT);
  v->i = i;
  return v;
}

kiln_benc *kiln_benc_strn(const void *s, size_t n) {
  kiln_benc *v = node(KILN_BENC_STR);
  v->s = xmalloc(n + 1);
  if (n) memcpy(v->s, s, n);
  v->s[n] = 0;
  v->len = n;
  return v;
}

kiln_benc *kiln_benc_str(const char *s) { return kiln_benc_strn(s, s ? strlen(s) : 0); }
kiln_benc *kiln_benc_list(void) { return node(KILN_BENC_LIST); }
kiln_benc *kiln_benc_dict(void) { return node(KILN_BENC_DICT); }

static void append_item(kiln_benc *c, kiln_benc *item) {
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 8;
    c->items = xrealloc(c->items, c->cap * sizeof *c->items);
  }
  c->items[c->n++] = item;
}

kiln_benc *kiln_benc_push(kiln_benc *l, kiln_benc *item) {
  append_item(l, item);
  return l;
}

static long find_key(const kiln_benc *d, const char *key, size_t klen) {
  for (size_t k = 0; k + 1 < d->n; k += 2)
    if (d->items[k]->len == klen && memcmp(d->items[k]->s, key, klen) == 0) return (long)k;
  return -1;
}

/* Sets a key given as a string node (taken). */
static void set_node(kiln_benc *d, kiln_benc *key, kiln_benc *value) {
  long k = find_key(d, key->s, key->len);
  if (k >= 0) {
    kiln_benc_free(key);
    kiln_benc_free(d->items[k + 1]);
    d->items[k + 1] = value;
    return;
  }
  append_item(d, key);
  append_item(d, value);
}

kiln_benc *kiln_benc_set(kiln_benc *d, const char *key, kiln_benc *value) {
  set_node(d, kiln_benc_str(key), value);
  return d;
}

kiln_benc *kiln_benc_set_str(kiln_benc *d, const char *key, const char *s) {
  return kiln_benc_set(d, key, kiln_benc_str(s));
}

kiln_benc *kiln_benc_set_strn(kiln_benc *d, const char *key, const void *s, size_t n) {
  return kiln_benc_set(d, key, kiln_benc_strn(s, n));
}

kiln_benc *kiln_benc_set_int(kiln_benc *d, const char *key, int64_t i) {
  return kiln_benc_set(d, key, kiln_benc_int(i));
}

kiln_benc *kiln_benc_strs(const char *first, ...) {
  kiln_benc *l = kiln_benc_list();
  va_list ap;
  va_start(ap, first);
  for (const char *s = first; s; s = va_arg(ap, const char *)) append_item(l, kiln_benc_str(s));
  va_end(ap);
  return l;
}

kiln_benc *kiln_benc_copy(const kiln_benc *v) {
  if (!v) return NULL;
  switch (v->type) {
  case KILN_BENC_INT: return kiln_benc_int(v->i);
  case KILN_BENC_STR: return kiln_benc_strn(v->s, v->len);
  default: {
    kiln_benc *c = node(v->type);
    for (size_t k = 0; k < v->n; k++) append_item(c, kiln_benc_copy(v->items[k]));
    return c;
  }
  }
}

void kiln_benc_free(kiln_benc *v) {
  if (!v) return;
  for (size_t k = 0; k < v->n; k++) kiln_benc_free(v->items[k]);
  free(v->items);
  free(v->s);
  free(v);
}

/* ---- reading ---- */

const kiln_benc *kiln_benc_get(const kiln_benc *d, const char *key) {
  if (!d || d->type != KILN_BENC_DICT) return NULL;
  long k = find_key(d, key, strlen(key));
  if (k < 0) return NULL;
  const kiln_benc *v = d->items[k + 1];
  if (v->type == KILN_BENC_LIST && v->n == 0) return NULL;
  return v;
}

const char *kiln_benc_get_str(const kiln_benc *d, const char *key, size_t *len) {
  const kiln_benc *v = kiln_benc_get(d, key);
  if (!v || v->type != KILN_BENC_STR) return NULL;
  if (len) *len = v->len;
  return v->s;
}

int64_t kiln_benc_get_int(const kiln_benc *d, const char *key, int64_t dflt) {
  const kiln_benc *v = kiln_benc_get(d, key);
  if (!v) return dflt;
  if (v->type == KILN_BENC_INT) return v->i;
  if (v->type == KILN_BENC_STR && v->len > 0 && v->len < 20) {
    char *end;
    long long i = strtoll(v->s, &end, 10);
    if (*end == 0) return i;
  }
  return dflt;
}

bool kiln_benc_get_bool(const kiln_benc *d, const char *key) {
  const kiln_benc *v = kiln_benc_get(d, key);
  if (!v) return false;
  if (v->type == KILN_BENC_INT) return v->i != 0;
  if (v->type == KILN_BENC_STR)
    return v->len > 0 && strcmp(v->s, "false") != 0 && strcmp(v->s, "nil") != 0 &&
           strcmp(v->s, "0") != 0;
  return true;
}

/* ---- encoding ---- */

void kiln_bbuf_put(kiln_bbuf *b, const void *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
  }
  if (n) memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

void kiln_bbuf_free(kiln_bbuf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

static void put_fmt(kiln_bbuf *b, const char *fmt, long long x) {
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, fmt, x);
  kiln_bbuf_put(b, tmp, (size_t)n);
}

static int key_cmp(const void *a, const void *b) {
  const kiln_benc *x = *(kiln_benc *const *)a, *y = *(kiln_benc *const *)b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->s, y->s, n);
  if (c) return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

void kiln_benc_encode(kiln_bbuf *b, const kiln_benc *v) {
  switch (v->type) {
  case KILN_BENC_INT: put_fmt(b, "i%llde", (long long)v->i); break;
  case KILN_BENC_STR:
    put_fmt(b, "%lld:", (long long)v->len);
    kiln_bbuf_put(b, v->s, v->len);
    break;
  case KILN_BENC_LIST:
    kiln_bbuf_put(b, "l", 1);
    for (size_t k = 0; k < v->n; k++) kiln_benc_encode(b, v->items[k]);
    kiln_bbuf_put(b, "e", 1);
    break;
  case KILN_BENC_DICT: {
    /* Sort the keys; a key's value is the item right after it in items[]. */
    size_t npairs = v->n / 2;
    kiln_benc **keys = xmalloc(npairs * sizeof *keys);
    for (size_t k = 0; k < npairs; k++) keys[k] = v->items[2 * k];
    qsort(keys, npairs, sizeof *keys, key_cmp);
    kiln_bbuf_put(b, "d", 1);
    for (size_t k = 0; k < npairs; k++) {
      kiln_benc_encode(b, keys[k]);
      for (size_t j = 0; j < npairs; j++)
        if (v->items[2 * j] == keys[k]) {
          kiln_benc_encode(b, v->items[2 * j + 1]);
          break;
        }
    }
    kiln_bbuf_put(b, "e", 1);
    free(keys);
    break;
  }
  }
}

/* ---- the decoder ---- */

enum { S_VALUE, S_INT_START, S_INT, S_LEN, S_STR };

void kiln_benc_decoder_init(kiln_benc_decoder *d, size_t max_size) {
  memset(d, 0, sizeof *d);
  d->max_size = max_size ? max_size : KILN_BENC_DEFAULT_MAX;
}

void kiln_benc_decoder_free(kiln_benc_decoder *d) {
  free(d->buf);
  d->buf = NULL;
  d->start = d->len = d->cap = 0;
}

void kiln_benc_feed(kiln_benc_decoder *d, const void *data, size_t n) {
  if (d->start > 0 && (d->start == d->len || d->start > d->cap / 2)) {
    memmove(d->buf, d->buf + d->start, d->len - d->start);
    d->len -= d->start;
    d->start = 0;
  }
  if (d->len + n > d->cap) {
    size_t cap = d->cap ? d->cap : 4096;
    while (cap < d->len + n) cap *= 2;
    d->buf = xrealloc(d->buf, cap);
    d->cap = cap;
  }
  memcpy(d->buf + d->len, data, n);
  d->len += n;
}

static kiln_benc_status fail(kiln_benc_decoder *d, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(d->error, sizeof d->error, fmt, ap);
  va_end(ap);
  d->failed = true;
  return KILN_BENC_FATAL;
}

/*
 * Advances the scanner over the pending bytes. Returns MESSAGE when the
 * current message is complete (its length is d->scanned), MORE when the bytes
 * run out, FATAL on malformed input.
 */
static kiln_benc_status scan(kiln_benc_decoder *d) {
  const unsigned char *p = (const unsigned char *)d->buf + d->start;
  size_t avail = d->len - d->start;
  while (d->scanned < avail) {
    if (d->scanned > d->max_size)
      return fail(d, "message larger than the limit of %zu bytes", d->max_size);
    unsigned char c = p[d->scanned];
    switch (d->state) {
    case S_VALUE:
      d->scanned++;
      if (c == 'd' || c == 'l') {
        if (++d->depth > KILN_BENC_MAX_DEPTH)
          return fail(d, "bencode nested deeper than %d levels", KILN_BENC_MAX_DEPTH);
      } else if (c == 'e') {
        if (d->depth == 0) return fail(d, "unexpected 'e' in bencode");
        if (--d->depth == 0) return KILN_BENC_MESSAGE;
      } else if (c == 'i') {
        d->state = S_INT_START;
      } else if (c >= '0' && c <= '9') {
        d->num = c - '0';
        d->digits = 1;
        d->state = S_LEN;
      } else {
        return fail(d, "bytes that are not bencode (0x%02x)", c);
      }
      break;
    case S_INT_START:
      d->scanned++;
      d->digits = 0;
      if (c == '-') {
        d->state = S_INT;
      } else if (c >= '0' && c <= '9') {
        d->digits = 1;
        d->state = S_INT;
      } else {
        return fail(d, "malformed bencode integer");
      }
      break;
    case S_INT:
      d->scanned++;
      if (c >= '0' && c <= '9') {
        if (++d->digits > 19) return fail(d, "bencode integer too long");
      } else if (c == 'e' && d->digits > 0) {
        d->state = S_VALUE;
        if (d->depth == 0) return KILN_BENC_MESSAGE;
      } else {
        return fail(d, "malformed bencode integer");
      }
      break;
    case S_LEN:
      d->scanned++;
      if (c >= '0' && c <= '9') {
        d->num = d->num * 10 + (c - '0');
        if (++d->digits > 12 || d->num > d->max_size)
          return fail(d, "message larger than the limit of %zu bytes", d->max_size);
      } else if (c == ':') {
        d->state = S_STR;
        if (d->num == 0) {
          d->state = S_VALUE;
          if (d->depth == 0) return KILN_BENC_MESSAGE;
        }
      } else {
        return fail(d, "malformed bencode string length");
      }
      break;
    case S_STR: {
      size_t take = avail - d->scanned;
      if (take > d->num) take = (size_t)d->num;
      d->scanned += take;
      d->num -= take;
      if (d->num == 0) {
        d->state = S_VALUE;
        if (d->depth == 0) return KILN_BENC_MESSAGE;
      }
      break;
    }
    }
  }
  if (d->scanned > d->max_size)
    return fail(d, "message larger than the limit of %zu bytes", d->max_size);
  return KILN_BENC_MORE;
}

/* Parses one value of a message the scanner has checked; NULL on a
 * non-string dictionary key or (for kiln_benc_decode) malformed input. */
static kiln_benc *parse(const char *s, size_t n, size_t *i, int depth) {
  if (*i >= n || depth > KILN_BENC_MAX_DEPTH) return NULL;
  char c = s[*i];
  if (c == 'i') {
    size_t j = *i + 1;
    bool neg = false;
    if (j < n && s[j] == '-') neg = true, j++;
    uint64_t x = 0;
    size_t digits = 0;
    while (j < n && s[j] >= '0' && s[j] <= '9') {
      if (++digits > 19) return NULL;
      x = x * 10 + (uint64_t)(s[j++] - '0');
    }
    if (j >= n || s[j] != 'e' || digits == 0) return NULL;
    if (x > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) return NULL;
    *i = j + 1;
    return kiln_benc_int(neg ? (int64_t)(0 - x) : (int64_t)x);
  }
  if (c >= '0' && c <= '9') {
    size_t j = *i;
    uint64_t len = 0;
    while (j < n && s[j] >= '0' && s[j] <= '9') {
      len = len * 10 + (uint64_t)(s[j++] - '0');
      if (len > n) return NULL;
    }
    if (j >= n || s[j] != ':' || len > n - j - 1) return NULL;
    *i = j + 1 + len;
    return kiln_benc_strn(s + j + 1, len);
  }
  if (c == 'l' || c == 'd') {
    kiln_benc *v = node(c == 'l' ? KILN_BENC_LIST : KILN_BENC_DICT);
    (*i)++;
    for (;;) {
      if (*i >= n) goto bad;
      if (s[*i] == 'e') {
        (*i)++;
        return v;
      }
      kiln_benc *item = parse(s, n, i, depth + 1);
      if (!item) goto bad;
      if (c == 'l') {
        append_item(v, item);
        continue;
      }
      if (item->type != KILN_BENC_STR) {
        kiln_benc_free(item);
        goto bad;
      }
      kiln_benc *value = parse(s, n, i, depth + 1);
      if (!value) {
        kiln_benc_free(item);
        goto bad;
      }
      set_node(v, item, value);
    }
  bad:
    kiln_benc_free(v);
    return NULL;
  }
  return NULL;
}

kiln_benc_status kiln_benc_next(kiln_benc_decoder *d, kiln_benc **out) {
  *out = NULL;
  if (d->failed) return KILN_BENC_FATAL;
  kiln_benc_status st = scan(d);
  if (st != KILN_BENC_MESSAGE) return st;
  const char *msg = d->buf + d->start;
  size_t n = d->scanned;
  d->start += n;
  d->scanned = 0;
  d->state = S_VALUE;
  d->depth = 0;
  if (msg[0] != 'd') {
    snprintf(d->error, sizeof d->error, "a message must be a bencode dictionary");
    return KILN_BENC_SKIPPED;
  }
  size_t i = 0;
  kiln_benc *v = parse(msg, n, &i, 0);
  if (!v || i != n) {
    kiln_benc_free(v);
    snprintf(d->error, sizeof d->error, "a dictionary key must be a string");
    return KILN_BENC_SKIPPED;
  }
  *out = v;
  return KILN_BENC_MESSAGE;
}

kiln_benc *kiln_benc_decode(const void *s, size_t n) {
  size_t i = 0;
  kiln_benc *v = parse(s, n, &i, 0);
  if (v && i != n) {
    kiln_benc_free(v);
    return NULL;
  }
  return v;
}
