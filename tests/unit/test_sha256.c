/* SHA-256 against FIPS 180-4 examples, HMAC-SHA256 against RFC 4231. */
#include <stdlib.h>

#include "check.h"
#include "runtime/rt.h"

static const char *hex_of_sha(const void *data, size_t n) {
  static char hex[65];
  uint8_t d[32];
  kiln_sha256(data, n, d);
  kiln_hex_encode(d, 32, hex);
  return hex;
}

static const char *hex_of_hmac(const void *key, size_t kn, const void *data, size_t n) {
  static char hex[65];
  uint8_t d[32];
  kiln_hmac_sha256(key, kn, data, n, d);
  kiln_hex_encode(d, 32, hex);
  return hex;
}

static void test_sha256_vectors(void) {
  CHECK_STR(hex_of_sha("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK_STR(hex_of_sha("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  CHECK_STR(hex_of_sha(two, strlen(two)),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  /* A million 'a's, fed in uneven pieces to exercise the buffering. */
  char *m = malloc(1000000);
  memset(m, 'a', 1000000);
  CHECK_STR(hex_of_sha(m, 1000000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  kiln_sha256_ctx c;
  kiln_sha256_init(&c);
  size_t off = 0, step = 1;
  while (off < 1000000) {
    size_t take = step < 1000000 - off ? step : 1000000 - off;
    kiln_sha256_update(&c, m + off, take);
    off += take;
    step = step * 3 % 997 + 1;
  }
  uint8_t d[32];
  char hex[65];
  kiln_sha256_final(&c, d);
  kiln_hex_encode(d, 32, hex);
  CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  free(m);
  /* Lengths around the padding boundary (55, 56, 63, 64 bytes) against
   * values computed with an independent implementation (coreutils sha256sum). */
  char buf[64];
  memset(buf, 'x', sizeof buf);
  CHECK_STR(hex_of_sha(buf, 55), "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072");
  CHECK_STR(hex_of_sha(buf, 56), "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e");
  CHECK_STR(hex_of_sha(buf, 64), "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
}

static void test_hmac_vectors(void) {
  uint8_t key1[20];
  memset(key1, 0x0b, sizeof key1);
  CHECK_STR(hex_of_hmac(key1, 20, "Hi There", 8),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  const char *d2 = "what do ya want for nothing?";
  CHECK_STR(hex_of_hmac("Jefe", 4, d2, strlen(d2)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  uint8_t key3[20], data3[50];
  memset(key3, 0xaa, sizeof key3);
  memset(data3, 0xdd, sizeof data3);
  CHECK_STR(hex_of_hmac(key3, 20, data3, 50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  /* A key longer than the block size is hashed first (RFC 4231 case 6). */
  uint8_t key6[131];
  memset(key6, 0xaa, sizeof key6);
  const char *d6 = "Test Using Larger Than Block-Size Key - Hash Key First";
  CHECK_STR(hex_of_hmac(key6, 131, d6, strlen(d6)),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_digest_equal(void) {
  uint8_t a[32] = {1, 2, 3}, b[32] = {1, 2, 3};
  CHECK(kiln_digest_equal(a, b, 32));
  b[31] = 9;
  CHECK(!kiln_digest_equal(a, b, 32));
}

int main(void) {
  test_sha256_vectors();
  test_hmac_vectors();
  test_digest_equal();
  return check_summary();
}
