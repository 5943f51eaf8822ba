# find_package(StrataSDK) for plugins built outside the Strata repository.
# Provides the interface target Strata::sdk (the headers) and the function
# strata_add_plugin(NAME SOURCES file... [OUTPUT_DIRECTORY dir]).
get_filename_component(_strata_sdk_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET Strata::sdk)
  add_library(Strata::sdk INTERFACE IMPORTED)
  set_target_properties(Strata::sdk PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_strata_sdk_prefix}/include"
    INTERFACE_COMPILE_FEATURES cxx_std_20)
endif()
include("${CMAKE_CURRENT_LIST_DIR}/StrataPlugin.cmake")
unset(_strata_sdk_prefix)
