/* Unit tests for the bencode codec (src/device/bencode.c). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "device/bencode.h"

static char *enc(const kiln_benc *v) {
  kiln_bbuf b = {0};
  kiln_benc_encode(&b, v);
  return b.p; /* caller frees */
}

/* Feeds [s] in chunks of [chunk] bytes; returns the messages' encodings
 * joined by '|', with "SKIP" for skipped and "FATAL" on a fatal error. */
static char *feed_all(const char *s, size_t n, size_t chunk, size_t max) {
  kiln_benc_decoder d;
  kiln_benc_decoder_init(&d, max);
  kiln_bbuf out = {0};
  kiln_bbuf_put(&out, "", 0);
  for (size_t i = 0; i < n || i == 0; i += chunk) {
    size_t k = n - i < chunk ? n - i : chunk;
    kiln_benc_feed(&d, s + i, k);
    for (;;) {
      kiln_benc *m;
      kiln_benc_status st = kiln_benc_next(&d, &m);
      if (st == KILN_BENC_MORE) break;
      if (out.len) kiln_bbuf_put(&out, "|", 1);
      if (st == KILN_BENC_FATAL) {
        kiln_bbuf_put(&out, "FATAL", 5);
        kiln_benc_decoder_free(&d);
        return out.p;
      }
      if (st == KILN_BENC_SKIPPED) {
        kiln_bbuf_put(&out, "SKIP", 4);
        continue;
      }
      char *e = enc(m);
      kiln_bbuf_put(&out, e, strlen(e));
      free(e);
      kiln_benc_free(m);
    }
    if (n == 0) break;
  }
  kiln_benc_decoder_free(&d);
  return out.p;
}

static void check_feed(const char *in, size_t chunk, const char *want) {
  char *got = feed_all(in, strlen(in), chunk, 0);
  CHECK_STR(got, want);
  free(got);
}

static void test_encode(void) {
  kiln_benc *d = kiln_benc_dict();
  kiln_benc_set_str(d, "op", "eval");
  kiln_benc_set_str(d, "code", "(+ 1 2)");
  kiln_benc_set_int(d, "id", -7);
  kiln_benc_set(d, "status", kiln_benc_strs("done", "error", NULL));
  kiln_benc_set(d, "empty", kiln_benc_dict());
  char *e = enc(d);
  /* Keys sorted bytewise. */
  CHECK_STR(e, "d4:code7:(+ 1 2)5:emptyde2:idi-7e2:op4:eval6:statusl4:done5:erroree");
  free(e);
  /* Setting a key again replaces it. */
  kiln_benc_set_str(d, "op", "clone");
  CHECK_STR(kiln_benc_get_str(d, "op", NULL), "clone");
  CHECK(d->n == 10);
  kiln_benc_free(d);

  /* Byte lengths count UTF-8 bytes; strings are binary-safe. */
  kiln_benc *u = kiln_benc_dict();
  kiln_benc_set_str(u, "v", "\"h\xc3\xa9\xe2\x82\xac\"");
  e = enc(u);
  CHECK_STR(e, "d1:v8:\"h\xc3\xa9\xe2\x82\xac\"e");
  free(e);
  kiln_benc_free(u);
  kiln_benc *bin = kiln_benc_strn("a\0b\xff", 4);
  kiln_bbuf b = {0};
  kiln_benc_encode(&b, bin);
  CHECK(b.len == 6 && memcmp(b.p, "4:a\0b\xff", 6) == 0);
  kiln_benc *back = kiln_benc_decode(b.p, b.len);
  CHECK(back && back->type == KILN_BENC_STR && back->len == 4 && memcmp(back->s, "a\0b\xff", 4) == 0);
  kiln_benc_free(back);
  kiln_bbuf_free(&b);
  kiln_benc_free(bin);

  /* Sorting compares bytes, shorter prefix first. */
  kiln_benc *s = kiln_benc_dict();
  kiln_benc_set_int(s, "ab", 1);
  kiln_benc_set_int(s, "a", 2);
  kiln_benc_set_int(s, "B", 3);
  kiln_benc_set_int(s, "\xc3\xa9", 4);
  e = enc(s);
  CHECK_STR(e, "d1:Bi3e1:ai2e2:abi1e2:\xc3\xa9i4ee");
  free(e);
  kiln_benc_free(s);

  /* INT64 extremes round-trip. */
  kiln_benc *big = kiln_benc_int(INT64_MIN);
  e = enc(big);
  CHECK_STR(e, "i-9223372036854775808e");
  kiln_benc *bb = kiln_benc_decode(e, strlen(e));
  CHECK(bb && bb->i == INT64_MIN);
  kiln_benc_free(bb);
  free(e);
  kiln_benc_free(big);
  CHECK(kiln_benc_decode("i9223372036854775808e", 21) == NULL);
}

static void test_decode_stream(void) {
  /* Keys in any order come back sorted; last duplicate wins. */
  check_feed("d2:op4:eval4:code1:12:op5:clonee", 1000, "d4:code1:12:op5:clonee");
  /* Several messages in one read, and every split point. */
  const char *two = "d2:id1:1e" "d2:id1:2e" "d1:xli1ei-2e0:ee";
  const char *want = "d2:id1:1e|d2:id1:2e|d1:xli1ei-2e0:ee";
  for (size_t chunk = 1; chunk <= strlen(two); chunk++) check_feed(two, chunk, want);
  /* A partial message waits. */
  check_feed("d2:op4:ev", 3, "");
  /* A top level that is not a dictionary is skipped; the stream goes on. */
  check_feed("i42e" "d1:ai1ee", 1, "SKIP|d1:ai1ee");
  check_feed("3:abcl1:xed1:ai1ee", 100, "SKIP|SKIP|d1:ai1ee");
  /* A dictionary key that is not a string is skipped as a message. */
  check_feed("di1ei2eed1:bi2ee", 100, "SKIP|d1:bi2ee");
  /* Garbage is fatal for the stream. */
  check_feed("GET / HTTP/1.1\r\n", 100, "FATAL");
  check_feed("d1:ai1eed1:a?", 2, "d1:ai1ee|FATAL");
  check_feed("e", 1, "FATAL");
  check_feed("d1:ai1x", 1, "FATAL");
  check_feed("d1:ai-e", 1, "FATAL");
  check_feed("d1:a2x", 1, "FATAL");
  /* Nesting deeper than the limit is fatal. */
  char deep[400];
  memset(deep, 'l', sizeof deep - 1);
  deep[0] = 'd';
  deep[1] = '1', deep[2] = ':', deep[3] = 'a';
  deep[sizeof deep - 1] = 0;
  check_feed(deep, 50, "FATAL");
}

static void test_size_limit(void) {
  /* The message size limit: a string longer than the limit is refused as soon
   * as its length is read; a message growing past it, as soon as it does. */
  char *got = feed_all("d1:a99999:", 10, 4, 1000);
  CHECK_STR(got, "FATAL");
  free(got);
  char msg[3000];
  strcpy(msg, "d1:al");
  for (int i = 0; i < 400; i++) strcat(msg, "i1e");
  strcat(msg, "ee");
  got = feed_all(msg, strlen(msg), 7, 1000);
  CHECK_STR(got, "FATAL");
  free(got);
  got = feed_all(msg, strlen(msg), 7, 2000);
  CHECK(strncmp(got, "d1:al", 5) == 0);
  free(got);
  /* Messages before the oversize one are delivered. */
  got = feed_all("d1:ai1eed1:b5000:", 17, 3, 1000);
  CHECK_STR(got, "d1:ai1ee|FATAL");
  free(got);
}

static void test_accessors(void) {
  const char *s = "d4:codele2:idi12e1:ni0e1:ti1e2:ts4:true2:fs5:false2:nid1:xi1eee";
  kiln_benc *m = kiln_benc_decode(s, strlen(s));
  CHECK(m != NULL);
  /* le reads as nil. */
  CHECK(kiln_benc_get(m, "code") == NULL);
  CHECK(kiln_benc_get_str(m, "code", NULL) == NULL);
  CHECK(kiln_benc_get_int(m, "id", 0) == 12);
  CHECK(kiln_benc_get_bool(m, "t"));
  CHECK(!kiln_benc_get_bool(m, "n"));
  CHECK(kiln_benc_get_bool(m, "ts"));
  CHECK(!kiln_benc_get_bool(m, "fs"));
  CHECK(!kiln_benc_get_bool(m, "absent"));
  CHECK(kiln_benc_get_int(m, "absent", -1) == -1);
  CHECK(kiln_benc_get_str(m, "ni", NULL) == NULL);
  const kiln_benc *ni = kiln_benc_get(m, "ni");
  CHECK(ni && ni->type == KILN_BENC_DICT && kiln_benc_get_int(ni, "x", 0) == 1);
  kiln_benc *c = kiln_benc_copy(m);
  char *a = enc(m), *b = enc(c);
  CHECK_STR(a, b);
  free(a);
  free(b);
  kiln_benc_free(c);
  kiln_benc_free(m);
  /* String integers (some clients send line numbers as strings). */
  kiln_benc *d = kiln_benc_dict();
  kiln_benc_set_str(d, "line", "42");
  kiln_benc_set_str(d, "bad", "4x");
  CHECK(kiln_benc_get_int(d, "line", 0) == 42);
  CHECK(kiln_benc_get_int(d, "bad", 7) == 7);
  kiln_benc_free(d);
  /* kiln_benc_decode refuses trailing bytes and truncation. */
  CHECK(kiln_benc_decode("i1ei2e", 6) == NULL);
  CHECK(kiln_benc_decode("5:abc", 5) == NULL);
  CHECK(kiln_benc_decode("d1:a", 4) == NULL);
}

int main(void) {
  test_encode();
  test_decode_stream();
  test_size_limit();
  test_accessors();
  return check_summary();
}
