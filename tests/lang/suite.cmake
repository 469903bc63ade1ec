# The language tests: every tests/lang/*.clj is a clojure.test namespace run
# through `kiln test`, once per evaluation mode. Both back ends must give the
# same results (DESIGN §4), so a mode is one kiln_lang_mode() line: its name,
# the tests it skips (a list, may be empty) and the flags that select it.
file(GLOB KILN_LANG_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/lang/*.clj)

function(kiln_lang_mode mode skip)
  foreach(src ${KILN_LANG_TESTS})
    get_filename_component(name ${src} NAME_WE)
    if(NOT name IN_LIST skip)
      add_test(NAME lang/${mode}/${name}
               COMMAND kiln_cli test ${ARGN} -I ${CMAKE_SOURCE_DIR}/tests/lang ${src}
               WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
      set_tests_properties(lang/${mode}/${name} PROPERTIES TIMEOUT 300)
      if(mode STREQUAL "interp")
        set_tests_properties(lang/${mode}/${name} PROPERTIES LABELS sanitize)
      endif()
    endif()
  endforeach()
endfunction()

kiln_lang_mode(interp "" --interp)
kiln_lang_mode(compiled "")

# The same files in JVM Clojure, where it is installed: the tests are the spec.
if(EXISTS /usr/share/java/clojure.jar)
  find_program(KILN_JAVA java)
  if(KILN_JAVA)
    add_test(NAME lang/jvm COMMAND ${CMAKE_SOURCE_DIR}/tests/lang/jvm.sh)
    set_tests_properties(lang/jvm PROPERTIES TIMEOUT 600)
  endif()
endif()
