# Memory (tests/memory): walking a long lazy seq keeps no passed cell alive,
# in both back ends.
add_test(NAME memory/compiled COMMAND ${CMAKE_SOURCE_DIR}/tests/memory/run.sh $<TARGET_FILE:kiln_cli>)
add_test(NAME memory/interp COMMAND ${CMAKE_SOURCE_DIR}/tests/memory/run.sh $<TARGET_FILE:kiln_cli> --interp)
set_tests_properties(memory/compiled memory/interp PROPERTIES TIMEOUT 300)
