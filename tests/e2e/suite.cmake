# End-to-end tests of `kiln serve`, `kiln device` and `kiln repl` with real
# clients (python3 drivers, nREPL's own JVM clients) and the reference nREPL
# server as the oracle. They need python3; the JVM parts need clojure and
# nrepl jars (Debian clojure, libnrepl-clojure).
find_program(KILN_PYTHON3 python3)
if(KILN_PYTHON3)
  set(_e2e ${CMAKE_SOURCE_DIR}/tests/e2e)
  add_test(NAME e2e/protocol COMMAND ${KILN_PYTHON3} ${_e2e}/test_protocol.py $<TARGET_FILE:kiln_cli>)
  add_test(NAME e2e/clients COMMAND ${KILN_PYTHON3} ${_e2e}/test_clients.py $<TARGET_FILE:kiln_cli>)
  add_test(NAME e2e/devices COMMAND ${KILN_PYTHON3} ${_e2e}/test_devices.py $<TARGET_FILE:kiln_cli>)
  set_tests_properties(e2e/protocol e2e/clients e2e/devices PROPERTIES TIMEOUT 900)
endif()

# The bencode codec's unit test runs under ASan+UBSan too (make sanitize).
if(TEST unit/test_bencode)
  set_tests_properties(unit/test_bencode PROPERTIES LABELS sanitize)
endif()
