# Runs a docs/examples program and compares its standard output, byte for byte, with a kept file. Run by
# ctest (tests/CMakeLists.txt) with -DPROGRAM=<exe> -DARGS=<;-list> -DEXPECTED=<file> -DACTUAL=<scratch file>.
execute_process(COMMAND ${PROGRAM} ${ARGS} OUTPUT_FILE ${ACTUAL} ERROR_VARIABLE err RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} failed (${result}): ${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${ACTUAL} ${EXPECTED} RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  message(FATAL_ERROR "${ACTUAL} differs from ${EXPECTED}")
endif()
