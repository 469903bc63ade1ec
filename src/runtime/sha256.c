/*
 * sha256.c — SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), in plain C.
 *
 * Kiln needs both on every platform it runs on, iOS included, so they are
 * written here rather than taken from a crypto library: the patch cache keys
 * patches by the SHA-256 of their inputs, the registry records each patch's
 * content hash, and the device channel authenticates every patch with an
 * HMAC keyed by the server's token. Nothing here allocates or throws.
 */
#include <string.h>

#include "runtime/rt.h"

static const uint32_t kiln_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static inline uint32_t kiln_sha256_rotr(uint32_t x, unsigned n) {
  return (x >> n) | (x << (32 - n));
}

/* Processes one 64-byte block into the state. */
static void kiln_sha256_block(kiln_sha256_ctx *c, const uint8_t *p) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
           (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = kiln_sha256_rotr(w[i - 15], 7) ^ kiln_sha256_rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = kiln_sha256_rotr(w[i - 2], 17) ^ kiln_sha256_rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
  uint32_t e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t S1 = kiln_sha256_rotr(e, 6) ^ kiln_sha256_rotr(e, 11) ^ kiln_sha256_rotr(e, 25);
    uint32_t ch = (e & f) ^ (~e & g);
    uint32_t t1 = h + S1 + ch + kiln_sha256_k[i] + w[i];
    uint32_t S0 = kiln_sha256_rotr(a, 2) ^ kiln_sha256_rotr(a, 13) ^ kiln_sha256_rotr(a, 22);
    uint32_t maj = (a & b) ^ (a & cc) ^ (b & cc);
    uint32_t t2 = S0 + maj;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = cc;
    cc = b;
    b = a;
    a = t1 + t2;
  }
  c->h[0] += a;
  c->h[1] += b;
  c->h[2] += cc;
  c->h[3] += d;
  c->h[4] += e;
  c->h[5] += f;
  c->h[6] += g;
  c->h[7] += h;
}

void kiln_sha256_init(kiln_sha256_ctx *c) {
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(c->h, iv, sizeof iv);
  c->nbytes = 0;
  c->fill = 0;
}

void kiln_sha256_update(kiln_sha256_ctx *c, const void *data, size_t n) {
  const uint8_t *p = data;
  c->nbytes += n;
  if (c->fill) {
    size_t take = 64 - c->fill < n ? 64 - c->fill : n;
    memcpy(c->buf + c->fill, p, take);
    c->fill += (uint32_t)take;
    p += take;
    n -= take;
    if (c->fill < 64) return;
    kiln_sha256_block(c, c->buf);
    c->fill = 0;
  }
  for (; n >= 64; p += 64, n -= 64) kiln_sha256_block(c, p);
  memcpy(c->buf, p, n);
  c->fill = (uint32_t)n;
}

void kiln_sha256_final(kiln_sha256_ctx *c, uint8_t out[KILN_SHA256_LEN]) {
  uint64_t bits = c->nbytes * 8;
  uint8_t pad[72] = {0x80};
  size_t padlen = (c->fill < 56 ? 56 : 120) - c->fill;
  for (int i = 0; i < 8; i++) pad[padlen + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
  kiln_sha256_update(c, pad, padlen + 8);
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(c->h[i] >> 24);
    out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
    out[4 * i + 3] = (uint8_t)c->h[i];
  }
}

void kiln_sha256(const void *data, size_t n, uint8_t out[KILN_SHA256_LEN]) {
  kiln_sha256_ctx c;
  kiln_sha256_init(&c);
  kiln_sha256_update(&c, data, n);
  kiln_sha256_final(&c, out);
}

void kiln_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                      uint8_t out[KILN_SHA256_LEN]) {
  uint8_t k[64] = {0}, pad[64], inner[KILN_SHA256_LEN];
  if (keylen > 64) kiln_sha256(key, keylen, k);
  else if (keylen) memcpy(k, key, keylen);
  kiln_sha256_ctx c;
  for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x36;
  kiln_sha256_init(&c);
  kiln_sha256_update(&c, pad, 64);
  kiln_sha256_update(&c, data, n);
  kiln_sha256_final(&c, inner);
  for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x5c;
  kiln_sha256_init(&c);
  kiln_sha256_update(&c, pad, 64);
  kiln_sha256_update(&c, inner, sizeof inner);
  kiln_sha256_final(&c, out);
}

void kiln_hex_encode(const uint8_t *bytes, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  out[2 * n] = 0;
}

bool kiln_digest_equal(const uint8_t *a, const uint8_t *b, size_t n) {
  uint8_t diff = 0;
  for (size_t i = 0; i < n; i++) diff |= (uint8_t)(a[i] ^ b[i]);
  return diff == 0;
}
