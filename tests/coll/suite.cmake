# The collection unit tests (tests/unit/test_{vector,map,set,sorted,seq}.c)
# also run under ASan+UBSan (`make sanitize`). tests/coll/order.txt is the
# JVM oracle they read; tests/coll/gen.sh regenerates it.
set_tests_properties(unit/test_vector unit/test_map unit/test_set unit/test_sorted unit/test_seq
                     PROPERTIES LABELS sanitize)
include(${CMAKE_SOURCE_DIR}/bench/collections/bench.cmake)
# Collection behaviour through the language, against JVM results (exprs.expected).
add_test(NAME coll/jvm-exprs COMMAND ${CMAKE_SOURCE_DIR}/tests/coll/check_exprs.sh $<TARGET_FILE:kiln_cli> --interp)
