# Read by cpack at packaging time: TANDEM_PACKAGE_VERSION in the environment (scripts/package.sh
# --version) replaces the project's version, so a newer package can be built from the same tree.
if(DEFINED ENV{TANDEM_PACKAGE_VERSION} AND NOT "$ENV{TANDEM_PACKAGE_VERSION}" STREQUAL "")
  set(CPACK_PACKAGE_VERSION "$ENV{TANDEM_PACKAGE_VERSION}")
endif()
if(CPACK_GENERATOR STREQUAL "RPM")
  execute_process(COMMAND uname -m OUTPUT_VARIABLE _arch OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(CPACK_RPM_FILE_NAME "tandem-${CPACK_PACKAGE_VERSION}.${_arch}.rpm")
endif()
