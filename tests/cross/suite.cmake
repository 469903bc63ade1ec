# aarch64 Linux: libkiln and the patch tests cross-built with clang and run
# under qemu-aarch64-static (skipped, with the reason, when the arm64
# libraries are not installed), loading patches built by the host's
# `kiln compile --target linux-aarch64`. tests/cross/run.sh drives it.
if(NOT CMAKE_CROSSCOMPILING)
  add_test(NAME cross/aarch64-patch
    COMMAND ${CMAKE_SOURCE_DIR}/tests/cross/run.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(cross/aarch64-patch PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 LABELS cross)
else()
  # Inside the cross build: the C host example (kiln/jank_compat.h only),
  # for a patch compiled from Clojure on the host.
  add_executable(cross_host_example ${CMAKE_SOURCE_DIR}/examples/host-c/host.c)
  target_link_libraries(cross_host_example PRIVATE kiln)
endif()
