# bench/collections: the collections benchmark executable (built on demand:
# `cmake --build BUILD --target bench_collections`; bench/collections/run.sh
# does it). Included from tests/coll/suite.cmake.
add_executable(bench_collections EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/bench/collections/bench_collections.c)
target_include_directories(bench_collections PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_compile_options(bench_collections PRIVATE ${KILN_WARNINGS} -O2)
target_link_libraries(bench_collections PRIVATE kiln)
