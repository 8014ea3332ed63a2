# Installs the built library into a scratch prefix, then configures, builds and runs tests/consumer against
# it with find_package(carerules). Run by ctest (tests/CMakeLists.txt) with:
#   -DSOURCE_DIR=<project source> -DBUILD_DIR=<project build> -DWORK_DIR=<scratch dir> -DGENERATOR=<generator>
foreach(var SOURCE_DIR BUILD_DIR WORK_DIR GENERATOR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer_test.cmake needs -D${var}=...")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/build)
# Start clean: a stale prefix or cache could hide a broken install.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(step name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "consumer test: ${name} failed (${result})\n${out}\n${err}")
  endif()
  message(STATUS "consumer test: ${name}: ok")
endfunction()

step("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
step("configure" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${consumer_build} -G ${GENERATOR}
     -DCMAKE_PREFIX_PATH=${prefix})
step("build" ${CMAKE_COMMAND} --build ${consumer_build})

# Multi-config generators put the program in a per-configuration folder.
set(app ${consumer_build}/app)
if(NOT EXISTS ${app})
  file(GLOB_RECURSE candidates ${consumer_build}/app ${consumer_build}/*/app ${consumer_build}/app.exe
       ${consumer_build}/*/app.exe)
  list(GET candidates 0 app)
endif()
step("run" ${app})
