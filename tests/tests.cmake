# Every tests/unit/test_*.c is one executable and one test.
file(GLOB KILN_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src ${KILN_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests/unit)
  target_compile_options(${name} PRIVATE ${KILN_WARNINGS} -Wno-missing-prototypes)
  target_link_libraries(${name} PRIVATE kiln)
  add_test(NAME unit/${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endforeach()

# Further suites (reader corpus, language tests, patches, nREPL) register
# themselves from tests/*/suite.cmake.
file(GLOB KILN_SUITES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/*/suite.cmake)
foreach(suite ${KILN_SUITES})
  include(${suite})
endforeach()
