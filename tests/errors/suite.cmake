# Error reports (tests/errors): runtime errors name the source position and
# the chain of calls in both back ends, in `kiln run`, Throwable->map,
# clojure.test's ERROR report and the nREPL server's eval errors.
add_test(NAME errors/compiled COMMAND ${CMAKE_SOURCE_DIR}/tests/errors/run.sh $<TARGET_FILE:kiln_cli>)
add_test(NAME errors/interp COMMAND ${CMAKE_SOURCE_DIR}/tests/errors/run.sh $<TARGET_FILE:kiln_cli> --interp)
set_tests_properties(errors/compiled errors/interp PROPERTIES TIMEOUT 300)
find_program(KILN_PYTHON3 python3)
if(KILN_PYTHON3)
  add_test(NAME errors/nrepl COMMAND ${KILN_PYTHON3} ${CMAKE_SOURCE_DIR}/tests/errors/nrepl_errors.py $<TARGET_FILE:kiln_cli>)
  set_tests_properties(errors/nrepl PROPERTIES TIMEOUT 300)
endif()
