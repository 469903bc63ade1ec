# The core runtime's unit tests (vars, calls, references, embedding) also run
# under ASan+UBSan. test_gc is left out: its 100 million allocations measure
# the collector, which the sanitizers' allocator would only slow down.
set_tests_properties(unit/test_var unit/test_fn unit/test_ref unit/test_embed
  PROPERTIES LABELS sanitize)
