/*
 * fuzz_bencode.c — libFuzzer target for the bencode decoder. The first byte
 * picks a chunk size, so partial reads are fuzzed too; every message decoded
 * must re-encode to bytes that decode to the same encoding.
 * Build: clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_bencode.c src/device/bencode.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device/bencode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = (size_t)data[0] % 17 + 1;
  data++, size--;
  kiln_benc_decoder d;
  kiln_benc_decoder_init(&d, 4096);
  for (size_t i = 0; i < size; i += chunk) {
    size_t k = size - i < chunk ? size - i : chunk;
    kiln_benc_feed(&d, data + i, k);
    for (;;) {
      kiln_benc *m;
      kiln_benc_status st = kiln_benc_next(&d, &m);
      if (st == KILN_BENC_MORE) break;
      if (st == KILN_BENC_FATAL) goto out;
      if (st == KILN_BENC_SKIPPED) continue;
      if (m->type != KILN_BENC_DICT) abort();
      kiln_bbuf a = {0}, b = {0};
      kiln_benc_encode(&a, m);
      kiln_benc *again = kiln_benc_decode(a.p, a.len);
      if (!again) abort();
      kiln_benc_encode(&b, again);
      if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0) abort();
      kiln_bbuf_free(&a);
      kiln_bbuf_free(&b);
      kiln_benc_free(again);
      kiln_benc_free(m);
    }
  }
out:
  kiln_benc_decoder_free(&d);
  return 0;
}
