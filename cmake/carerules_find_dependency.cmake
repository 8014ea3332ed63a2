# carerules_find_dependency(<package> DEBIAN <debian package> WHAT <what it is> [VERSION <minimum>] [COMPONENTS ...])
#
# find_package(), and when the package is missing an error that says what to install, instead of CMake's
# generic "Could not find a package configuration file" page. A macro, so that <package>_FOUND and the
# package's variables are set where it is called, as find_package() sets them.
macro(carerules_find_dependency carerules_dep_package)
  cmake_parse_arguments(carerules_dep "" "DEBIAN;WHAT;VERSION" "COMPONENTS" ${ARGN})
  if(carerules_dep_COMPONENTS)
    find_package(${carerules_dep_package} ${carerules_dep_VERSION} QUIET COMPONENTS ${carerules_dep_COMPONENTS})
  else()
    find_package(${carerules_dep_package} ${carerules_dep_VERSION} QUIET)
  endif()
  if(NOT ${carerules_dep_package}_FOUND)
    if(carerules_dep_VERSION)
      set(carerules_dep_wanted "${carerules_dep_package} ${carerules_dep_VERSION} or later")
    else()
      set(carerules_dep_wanted "${carerules_dep_package}")
    endif()
    message(FATAL_ERROR
      "carerules needs ${carerules_dep_WHAT} (CMake package ${carerules_dep_wanted}), and CMake did not find it.\n"
      "On Debian or Ubuntu install it with:\n"
      "  sudo apt-get install ${carerules_dep_DEBIAN}\n"
      "Elsewhere, install it and add its prefix to CMAKE_PREFIX_PATH.")
  endif()
endmacro()
