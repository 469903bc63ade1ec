/*
 * objcheck.h — structural checks of patch libraries, written from the
 * Mach-O and ELF formats (no system headers, so it runs on any host):
 *
 * Mach-O (objcheck_macho): a 64-bit MH_DYLIB for the expected CPU with
 * LC_BUILD_VERSION (platform, minos), LC_ID_DYLIB, LC_UUID, LC_LOAD_DYLIB
 * /usr/lib/libSystem.B.dylib, exactly one exported _kiln_patch_* symbol, no
 * undefined symbols but memcpy/memset (and bzero, clang's arm64 Apple
 * spelling of memset 0, and dyld_stub_binder, which ld64 binds lazy calls
 * through), and a code signature: LC_CODE_SIGNATURE -> SuperBlob ->
 * CodeDirectory whose SHA-256 page hashes are recomputed over the file.
 *
 * ELF (objcheck_elf): a 64-bit little-endian ET_DYN for the expected
 * machine, exactly one exported kiln_patch_* function, no undefined symbols
 * but memcpy/memset, and a non-executable stack.
 *
 * Each returns true, or false with a reason in [why].
 */
#ifndef KILN_OBJCHECK_H
#define KILN_OBJCHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "runtime/rt.h" /* kiln_sha256 */

static uint32_t oc_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t oc_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint64_t oc_le64(const uint8_t *p) { return oc_le32(p) | (uint64_t)oc_le32(p + 4) << 32; }
static uint32_t oc_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
static bool oc_in(uint64_t off, uint64_t len, size_t size) { return off <= size && len <= size - off; }

#define OC_FAIL(...) \
  do { snprintf(why, whyn, __VA_ARGS__); return false; } while (0)

static bool oc_allowed_undefined(const char *name, bool macho) {
  static const char *const elf_ok[] = {"memcpy", "memset", NULL};
  static const char *const macho_ok[] = {"_memcpy", "_memset", "_bzero", "dyld_stub_binder", NULL};
  const char *const *ok = macho ? macho_ok : elf_ok;
  for (int i = 0; ok[i]; i++)
    if (strcmp(name, ok[i]) == 0) return true;
  return false;
}

/* Verifies the code signature's CodeDirectory page hashes. */
static bool oc_macho_signature(const uint8_t *b, size_t size, uint32_t dataoff, uint32_t datasize,
                               char *why, size_t whyn) {
  if (!oc_in(dataoff, datasize, size) || datasize < 12) OC_FAIL("code signature out of bounds");
  const uint8_t *sb = b + dataoff;
  if (oc_be32(sb) != 0xfade0cc0u) OC_FAIL("signature is not a SuperBlob (magic 0x%08x)", oc_be32(sb));
  uint32_t count = oc_be32(sb + 8);
  const uint8_t *cd = NULL;
  for (uint32_t i = 0; i < count && 12 + 8 * (uint64_t)(i + 1) <= datasize; i++) {
    uint32_t type = oc_be32(sb + 12 + 8 * i), off = oc_be32(sb + 16 + 8 * i);
    if (type == 0 && off + 44u <= datasize) cd = sb + off;
  }
  if (!cd) OC_FAIL("SuperBlob has no CodeDirectory");
  if (oc_be32(cd) != 0xfade0c02u) OC_FAIL("CodeDirectory magic 0x%08x", oc_be32(cd));
  uint32_t hash_offset = oc_be32(cd + 16), ncode = oc_be32(cd + 28), code_limit = oc_be32(cd + 32);
  uint8_t hash_size = cd[36], hash_type = cd[37], page_log2 = cd[39];
  if (hash_type != 2 || hash_size != 32) OC_FAIL("CodeDirectory hash type %u size %u, not SHA-256", hash_type, hash_size);
  if (code_limit != dataoff) OC_FAIL("codeLimit %u is not the signature offset %u", code_limit, dataoff);
  uint32_t page = 1u << page_log2;
  if (ncode != (code_limit + page - 1) / page) OC_FAIL("%u code slots for %u bytes in %u-byte pages", ncode, code_limit, page);
  if ((uint64_t)(cd - b) + hash_offset + (uint64_t)ncode * 32 > size) OC_FAIL("page hashes out of bounds");
  for (uint32_t i = 0; i < ncode; i++) {
    uint32_t start = i * page, len = code_limit - start < page ? code_limit - start : page;
    uint8_t d[32];
    kiln_sha256(b + start, len, d);
    if (memcmp(d, cd + hash_offset + 32 * i, 32) != 0) OC_FAIL("page %u's hash does not match the file", i);
  }
  return true;
}

static bool objcheck_macho(const uint8_t *b, size_t size, uint32_t cputype, uint32_t platform,
                           uint32_t minos, char *entry, size_t entryn, char *why, size_t whyn) {
  if (size < 32 || oc_le32(b) != 0xfeedfacfu) OC_FAIL("not a 64-bit Mach-O file");
  if (oc_le32(b + 4) != cputype) OC_FAIL("cputype 0x%x, want 0x%x", oc_le32(b + 4), cputype);
  if (oc_le32(b + 12) != 6) OC_FAIL("filetype %u, want MH_DYLIB (6)", oc_le32(b + 12));
  uint32_t ncmds = oc_le32(b + 16);
  bool build = false, id = false, uuid = false, libsystem = false, sig = false;
  uint32_t symoff = 0, nsyms = 0, stroff = 0, strsize = 0, sigoff = 0, sigsize = 0;
  uint64_t off = 32;
  for (uint32_t i = 0; i < ncmds; i++) {
    if (!oc_in(off, 8, size)) OC_FAIL("load commands out of bounds");
    uint32_t cmd = oc_le32(b + off), cmdsize = oc_le32(b + off + 4);
    if (cmdsize < 8 || !oc_in(off, cmdsize, size)) OC_FAIL("bad load command size");
    const uint8_t *lc = b + off;
    switch (cmd) {
    case 0x32: /* LC_BUILD_VERSION */
      if (oc_le32(lc + 8) != platform) OC_FAIL("LC_BUILD_VERSION platform %u, want %u", oc_le32(lc + 8), platform);
      if (oc_le32(lc + 12) != minos) OC_FAIL("LC_BUILD_VERSION minos 0x%x, want 0x%x", oc_le32(lc + 12), minos);
      build = true;
      break;
    case 0xd: id = true; break;    /* LC_ID_DYLIB */
    case 0x1b: uuid = true; break; /* LC_UUID */
    case 0xc: {                    /* LC_LOAD_DYLIB */
      uint32_t name = oc_le32(lc + 8);
      if (name < cmdsize && strncmp((const char *)lc + name, "/usr/lib/libSystem.B.dylib", cmdsize - name) == 0)
        libsystem = true;
      break;
    }
    case 0x2: /* LC_SYMTAB */
      symoff = oc_le32(lc + 8), nsyms = oc_le32(lc + 12), stroff = oc_le32(lc + 16), strsize = oc_le32(lc + 20);
      break;
    case 0x1d: /* LC_CODE_SIGNATURE */
      sig = true, sigoff = oc_le32(lc + 8), sigsize = oc_le32(lc + 12);
      break;
    }
    off += cmdsize;
  }
  if (!build) OC_FAIL("no LC_BUILD_VERSION");
  if (!id) OC_FAIL("no LC_ID_DYLIB");
  if (!uuid) OC_FAIL("no LC_UUID");
  if (!libsystem) OC_FAIL("no LC_LOAD_DYLIB /usr/lib/libSystem.B.dylib");
  if (!sig) OC_FAIL("no LC_CODE_SIGNATURE");
  if (!oc_in(symoff, (uint64_t)nsyms * 16, size) || !oc_in(stroff, strsize, size)) OC_FAIL("symbol table out of bounds");
  int exported = 0;
  for (uint32_t i = 0; i < nsyms; i++) {
    const uint8_t *nl = b + symoff + 16 * (uint64_t)i;
    uint32_t strx = oc_le32(nl);
    uint8_t type = nl[4];
    if (strx >= strsize || !(type & 0x01) || (type & 0xe0)) continue; /* external, not a stab */
    const char *name = (const char *)b + stroff + strx;
    if ((type & 0x0e) == 0x0e) { /* N_SECT: defined and exported */
      if (strncmp(name, "_kiln_patch_", 12) != 0) OC_FAIL("exports %s besides the entry point", name);
      if (++exported == 1) snprintf(entry, entryn, "%s", name + 1);
    } else if ((type & 0x0e) == 0 && !oc_allowed_undefined(name, true)) {
      OC_FAIL("undefined symbol %s", name);
    }
  }
  if (exported != 1) OC_FAIL("%d exported kiln_patch_* symbols, want exactly 1", exported);
  return oc_macho_signature(b, size, sigoff, sigsize, why, whyn);
}

static bool objcheck_elf(const uint8_t *b, size_t size, uint16_t machine, char *entry,
                         size_t entryn, char *why, size_t whyn) {
  if (size < 64 || memcmp(b, "\177ELF", 4) != 0 || b[4] != 2 || b[5] != 1) OC_FAIL("not a 64-bit little-endian ELF file");
  if (oc_le16(b + 16) != 3) OC_FAIL("e_type %u, want ET_DYN", oc_le16(b + 16));
  if (oc_le16(b + 18) != machine) OC_FAIL("e_machine %u, want %u", oc_le16(b + 18), machine);
  uint64_t phoff = oc_le64(b + 32), shoff = oc_le64(b + 40);
  uint16_t phnum = oc_le16(b + 56), shnum = oc_le16(b + 60);
  if (!oc_in(phoff, 56ull * phnum, size) || !oc_in(shoff, 64ull * shnum, size)) OC_FAIL("headers out of bounds");
  bool stack = false;
  for (uint16_t i = 0; i < phnum; i++) {
    const uint8_t *ph = b + phoff + 56ull * i;
    if (oc_le32(ph) == 0x6474e551u) { /* PT_GNU_STACK */
      stack = true;
      if (oc_le32(ph + 4) & 1) OC_FAIL("executable stack");
    }
  }
  if (!stack) OC_FAIL("no PT_GNU_STACK");
  int exported = 0, dynsyms = 0;
  for (uint16_t i = 0; i < shnum; i++) {
    const uint8_t *sh = b + shoff + 64ull * i;
    if (oc_le32(sh + 4) != 11) continue; /* SHT_DYNSYM */
    dynsyms++;
    uint64_t off = oc_le64(sh + 24), len = oc_le64(sh + 32);
    uint32_t link = oc_le32(sh + 40);
    if (link >= shnum || !oc_in(off, len, size)) OC_FAIL("bad .dynsym");
    const uint8_t *strsh = b + shoff + 64ull * link;
    uint64_t stroff = oc_le64(strsh + 24), strsize = oc_le64(strsh + 32);
    if (!oc_in(stroff, strsize, size)) OC_FAIL("bad .dynstr");
    for (uint64_t s = 24; s + 24 <= len; s += 24) {
      const uint8_t *sym = b + off + s;
      uint32_t strx = oc_le32(sym);
      if (strx >= strsize) OC_FAIL("bad symbol name");
      const char *name = (const char *)b + stroff + strx;
      int bind = sym[4] >> 4, type = sym[4] & 15;
      if (bind == 0) continue; /* local */
      if (oc_le16(sym + 6) == 0) {
        if (!oc_allowed_undefined(name, false)) OC_FAIL("undefined symbol %s", name);
      } else {
        if (strncmp(name, "kiln_patch_", 11) != 0) OC_FAIL("exports %s besides the entry point", name);
        if (type != 2) OC_FAIL("%s is not a function", name);
        if (++exported == 1) snprintf(entry, entryn, "%s", name);
      }
    }
  }
  if (dynsyms != 1) OC_FAIL("%d .dynsym sections", dynsyms);
  if (exported != 1) OC_FAIL("%d exported kiln_patch_* symbols, want exactly 1", exported);
  return true;
}

#endif /* KILN_OBJCHECK_H */
