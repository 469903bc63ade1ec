# The core runtime's unit tests (vars, calls, references, embedding) also run
# under ASan+UBSan. test_gc is left out: its 100 million allocations measure
# the collector, which the sanitizers' allocator would only slow down.
set_tests_properties(unit/test_var unit/test_fn unit/test_ref unit/test_embed
  PROPERTIES LABELS sanitize)

# A stand-in for compiled patch code, for the stack guard's test in test_fn.
add_library(kiln_test_deep MODULE ${CMAKE_SOURCE_DIR}/tests/core/deep.c)
target_include_directories(kiln_test_deep PRIVATE ${CMAKE_SOURCE_DIR}/include)
target_compile_options(kiln_test_deep PRIVATE -O1 -fvisibility=hidden)
add_dependencies(test_fn kiln_test_deep)
target_compile_definitions(test_fn PRIVATE KILN_TEST_DEEP_SO="$<TARGET_FILE:kiln_test_deep>")
