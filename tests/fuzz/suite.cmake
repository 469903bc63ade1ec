# libFuzzer targets: every tests/fuzz/fuzz_*.c becomes an executable when
# configured with -DKILN_FUZZ=ON and clang (tests/fuzz/run.sh does both).
# libkiln itself is then built with coverage instrumentation and ASan, so the
# fuzzer is guided by the code under test.
option(KILN_FUZZ "Build the libFuzzer targets in tests/fuzz (needs clang)" OFF)
if(KILN_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "KILN_FUZZ needs clang: configure with -DCMAKE_C_COMPILER=clang")
  endif()
  # Warnings stay warnings here: the normal build enforces them, and a
  # fuzzing run should not stop at a clang-only one.
  if(TARGET kiln_objs)
    set(KILN_FUZZ_LIB kiln_objs)
  else()
    set(KILN_FUZZ_LIB kiln)
  endif()
  target_compile_options(${KILN_FUZZ_LIB} PRIVATE -fsanitize=fuzzer-no-link,address
                         -fno-omit-frame-pointer -Wno-error)
  target_link_options(${KILN_FUZZ_LIB} INTERFACE -fsanitize=address)
  target_link_options(kiln INTERFACE -fsanitize=address)
  file(GLOB KILN_FUZZ_TARGETS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
  foreach(src ${KILN_FUZZ_TARGETS})
    get_filename_component(name ${src} NAME_WE)
    # The runtime without the compiled standard library (clojure.core loads
    # interpreted): fuzzing needs no kiln_libgen step.
    add_executable(${name} ${src} ${CMAKE_BINARY_DIR}/gen/lib_compiled_none.c)
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src)
    target_compile_options(${name} PRIVATE ${KILN_WARNINGS} -Wno-error -fsanitize=fuzzer,address)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address)
    target_link_libraries(${name} PRIVATE kiln_objs)
  endforeach()
endif()
