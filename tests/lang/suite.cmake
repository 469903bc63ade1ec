# The language tests: every tests/lang/*.clj is a clojure.test namespace run
# through `kiln test`, once per evaluation mode. Both back ends must give the
# same results (DESIGN §4), so a mode is one kiln_lang_mode() line: its name
# and the flags that select it.
file(GLOB KILN_LANG_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/lang/*.clj)

function(kiln_lang_mode mode)
  foreach(src ${KILN_LANG_TESTS})
    get_filename_component(name ${src} NAME_WE)
    add_test(NAME lang/${mode}/${name}
             COMMAND kiln_cli test ${ARGN} -I ${CMAKE_SOURCE_DIR}/tests/lang ${src}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
    set_tests_properties(lang/${mode}/${name} PROPERTIES LABELS sanitize TIMEOUT 120)
  endforeach()
endfunction()

kiln_lang_mode(interp --interp)
# kiln_lang_mode(compiled)   # the C emitter's mode, once it runs the suite
