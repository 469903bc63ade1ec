# aarch64 Linux: libkiln and the patch tests cross-built with clang and run
# under qemu-aarch64-static (skipped, with the reason, when the arm64
# libraries are not installed). Not registered inside the cross build itself.
if(NOT CMAKE_CROSSCOMPILING)
  add_test(NAME cross/aarch64-patch
    COMMAND ${CMAKE_SOURCE_DIR}/tests/cross/run.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  # Labelled cross: `make test` leaves it out (the patch tests do not finish
  # under qemu-user yet); `make test-cross` runs it.
  set_tests_properties(cross/aarch64-patch PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 1500 LABELS cross)
endif()
