# The differential corpus against JVM Clojure's output, in both back ends.
add_test(NAME diff/interp COMMAND ${CMAKE_SOURCE_DIR}/tests/diff/run.sh $<TARGET_FILE:kiln_cli> --interp)
add_test(NAME diff/compiled COMMAND ${CMAKE_SOURCE_DIR}/tests/diff/run.sh $<TARGET_FILE:kiln_cli>)
set_tests_properties(diff/interp PROPERTIES LABELS sanitize)
