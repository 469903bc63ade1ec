# Patches: structure of every target's libraries (llvm-nm/llvm-objdump on
# `kiln compile` output), and the C host examples loading patches.
add_test(NAME patch/symbols
  COMMAND ${CMAKE_SOURCE_DIR}/tests/patch/check-symbols.sh ${CMAKE_BINARY_DIR}
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
add_test(NAME patch/host-example-c
  COMMAND ${CMAKE_SOURCE_DIR}/tests/patch/host-example.sh ${CMAKE_BINARY_DIR}
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(patch/host-example-c PROPERTIES
  PASS_REGULAR_EXPRESSION "\\(user/add1 41\\) => 42.*\\(user/six-times 5\\) => 30")
# The same host loading add1 compiled from Clojure (reader, analyzer, C emitter, toolchain).
add_test(NAME patch/host-example-clj
  COMMAND ${CMAKE_SOURCE_DIR}/tests/patch/host-example.sh ${CMAKE_BINARY_DIR} clj
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(patch/host-example-clj PROPERTIES
  PASS_REGULAR_EXPRESSION "user/answer => 42.*user/answer => 42")
if(TARGET unit/test_sha256 OR TEST unit/test_sha256)
  set_tests_properties(unit/test_sha256 unit/test_patch_load PROPERTIES LABELS sanitize)
endif()
