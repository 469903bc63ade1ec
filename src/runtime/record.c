/*
 * record.c — instances of defrecord and deftype.
 *
 * Both are one object: a type tag (the symbol naming the type, such as
 * demo.core.Point, which is also what (class x) and instance? see), the
 * basis (the declared fields as keywords, in order) and a map holding the
 * field values. A record (KILN_T_RECORD) is a persistent map to the language:
 * get, assoc, count, seq and = work on it; assoc keeps it a record, and
 * dissoc of a basis field turns it into a plain map, as on the JVM. It is
 * equal only to a record of the same type with equal entries, hashes as
 * (bit-xor (hash tag) (hash-unordered-coll entries)) and prints as
 * #demo.core.Point{:x 1, :y 2}. A deftype instance (KILN_T_TYPE) is not a
 * map: its fields are read with (.-field x) and it prints as #object[...].
 *
 * Protocols and the defrecord/deftype macros are written in the dialect
 * (lib/clojure/core_types.clj) on the natives below.
 */
#include <string.h>

#include "runtime/rt.h"

static kiln_record *as_record(kiln_val r) { return (kiln_record *)r; }

kiln_val kiln_record_new(kiln_type type, kiln_val tag, kiln_val basis, kiln_val map) {
  kiln_record *r = kiln_obj_new(type, sizeof *r);
  r->tag = tag;
  r->basis = basis;
  r->map = map == KILN_NIL ? kiln_empty_map : map;
  r->meta = KILN_NIL;
  return (kiln_val)r;
}

bool kiln_is_record(kiln_val v) { return KILN_HAS_TYPE(v, KILN_T_RECORD); }

kiln_val kiln_record_map(kiln_val r) { return as_record(r)->map; }
kiln_val kiln_record_tag(kiln_val r) { return as_record(r)->tag; }

static kiln_val with_map(kiln_val r, kiln_val map) {
  kiln_record *old = as_record(r);
  kiln_record *n = (kiln_record *)kiln_record_new((kiln_type)KILN_OBJ_TYPE(r), old->tag,
                                                   old->basis, map);
  n->meta = old->meta;
  return (kiln_val)n;
}

static bool in_basis(kiln_val r, kiln_val k) {
  for (kiln_val s = kiln_seq(as_record(r)->basis); s != KILN_NIL; s = kiln_next(s))
    if (kiln_first(s) == k) return true;
  return false;
}

kiln_val kiln_record_assoc(kiln_val r, kiln_val k, kiln_val v) {
  return with_map(r, kiln_assoc(as_record(r)->map, k, v));
}

kiln_val kiln_record_dissoc(kiln_val r, kiln_val k) {
  kiln_val m = kiln_dissoc(as_record(r)->map, k);
  if (in_basis(r, k)) return kiln_with_meta(m, as_record(r)->meta);
  return with_map(r, m);
}

kiln_val kiln_record_with_meta(kiln_val r, kiln_val meta) {
  kiln_val n = with_map(r, as_record(r)->map);
  as_record(n)->meta = meta;
  return n;
}

kiln_val kiln_record_meta(kiln_val r) { return as_record(r)->meta; }

bool kiln_record_equiv(kiln_val a, kiln_val b) {
  if (a == b) return true;
  if (!KILN_IS_PTR(b) || KILN_OBJ_TYPE(a) != KILN_OBJ_TYPE(b)) return false;
  return kiln_equiv(as_record(a)->tag, as_record(b)->tag) &&
         kiln_equiv(as_record(a)->map, as_record(b)->map);
}

int32_t kiln_record_hash(kiln_val r) {
  kiln_record *rec = as_record(r);
  if (KILN_HAS_TYPE(r, KILN_T_TYPE)) return (int32_t)(((uintptr_t)r >> 4) * 2654435761u);
  if (rec->hash == 0) rec->hash = kiln_hash(rec->tag) ^ kiln_hash(rec->map);
  return rec->hash;
}

static void print_record(kiln_printer *p, kiln_val x) {
  kiln_record *r = as_record(x);
  if (KILN_HAS_TYPE(x, KILN_T_RECORD)) {
    kiln_sb prefix;
    kiln_sb_init(&prefix);
    kiln_sb_putc(&prefix, '#');
    kiln_sb_puts(&prefix, kiln_sym_name(r->tag));
    kiln_print_map_body(p, kiln_sb_cstr(&prefix), r->map);
  } else {
    const char *tag = kiln_pr_str(r->tag);
    unsigned id = (unsigned)((uintptr_t)x >> 4);
    kiln_sb_printf(p->sb, "#object[%s 0x%x \"%s@%x\"]", tag, id, tag, id);
  }
}

static kiln_val record_field(kiln_val obj, kiln_val kw) {
  if (KILN_HAS_TYPE(obj, KILN_T_RECORD) || KILN_HAS_TYPE(obj, KILN_T_TYPE)) {
    static const kiln_val missing = KILN_NO_VALUE;
    kiln_val v = kiln_get(as_record(obj)->map, kw, missing);
    if (v != missing) return v;
    kiln_throwf(KILN_EX_ILLEGAL_ARG, "No matching field found: %s for class %s", kiln_kw_name(kw),
                kiln_pr_str(as_record(obj)->tag));
  }
  if (kiln_is_map(obj)) return kiln_get(obj, kw, KILN_NIL);
  kiln_throwf(KILN_EX_ILLEGAL_ARG, "No matching field found: %s for class %s", kiln_kw_name(kw),
              kiln_class_name(obj));
}

/* ---- natives ---- */

KILN_NATIVE(n_record_new) {
  KILN_ARITY("record*", argc == 3);
  return kiln_record_new(KILN_T_RECORD, argv[0], argv[1], argv[2]);
}

KILN_NATIVE(n_type_new) {
  KILN_ARITY("type*", argc == 3);
  return kiln_record_new(KILN_T_TYPE, argv[0], argv[1], argv[2]);
}

KILN_NATIVE(n_field) {
  KILN_ARITY("-field", argc == 2);
  return kiln_field(argv[0], argv[1]);
}

KILN_NATIVE(n_record_p) {
  KILN_ARITY("record?", argc == 1);
  return KILN_BOOL(KILN_HAS_TYPE(argv[0], KILN_T_RECORD));
}

KILN_NATIVE(n_type_tag) {
  KILN_ARITY("-type-tag", argc == 1);
  kiln_val x = argv[0];
  if (KILN_HAS_TYPE(x, KILN_T_RECORD) || KILN_HAS_TYPE(x, KILN_T_TYPE)) return as_record(x)->tag;
  return KILN_NIL;
}

static const kiln_native_def record_natives[] = {
    {"record*", "([tag basis m])", "A record of type tag (a symbol) with basis fields and entries m.",
     n_record_new, 0},
    {"type*", "([tag fields m])", "A deftype instance of type tag with field values in m.",
     n_type_new, 0},
    {"-field", "([x k])",
     "Reads field k (a keyword) of x, a record, deftype instance or map, as (.-k x) does; "
     "the bodies of defrecord and deftype methods read their fields with it.",
     n_field, 0},
    {"record?", "([x])", "True when x is an instance of a type made by defrecord (not deftype).", n_record_p, 0},
    {"-type-tag", "([x])", "The type symbol of a record or deftype instance, else nil.", n_type_tag,
     0},
};

void kiln_record_init(void) {
  kiln_natives_register("clojure.core", record_natives, KILN_ARRAY_LEN(record_natives));
  kiln_hash_set_method(KILN_T_RECORD, kiln_record_hash);
  kiln_hash_set_method(KILN_T_TYPE, kiln_record_hash);
  kiln_equiv_set_method(KILN_T_RECORD, kiln_record_equiv);
  kiln_print_set_method(KILN_T_RECORD, print_record);
  kiln_print_set_method(KILN_T_TYPE, print_record);
  kiln_fn_set_field_hook(record_field);
}
