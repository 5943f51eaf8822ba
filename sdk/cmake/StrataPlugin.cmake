# strata_add_plugin(NAME SOURCES file... [OUTPUT_DIRECTORY dir])
#
# Builds plugin NAME as NAME.so (a MODULE library: loaded with dlopen, never
# linked against) from the SDK headers alone, with hidden visibility so that
# only the entry points of STRATA_PLUGIN are exported. The library lands in
# OUTPUT_DIRECTORY, else in STRATA_PLUGIN_DIR when set (in-tree: build/plugins),
# else in the current binary folder.
function(strata_add_plugin name)
  cmake_parse_arguments(PLUGIN "" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT PLUGIN_SOURCES)
    message(FATAL_ERROR "strata_add_plugin(${name}): SOURCES is required")
  endif()
  set(out "${PLUGIN_OUTPUT_DIRECTORY}")
  if(NOT out AND STRATA_PLUGIN_DIR)
    set(out "${STRATA_PLUGIN_DIR}")
  elseif(NOT out)
    set(out "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  add_library(${name} MODULE ${PLUGIN_SOURCES})
  target_link_libraries(${name} PRIVATE Strata::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    SUFFIX ".so"
    OUTPUT_NAME ${name}
    LIBRARY_OUTPUT_DIRECTORY "${out}"
    CXX_STANDARD 20
    CXX_STANDARD_REQUIRED ON
    CXX_EXTENSIONS OFF
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    # Undefined symbols are an error at link time, not a failure at load time.
    # Not under clang's sanitizers: clang links their runtime into the host
    # executable only, so the plugin's calls into it are undefined here.
    get_directory_property(dir_options COMPILE_OPTIONS)
    if(NOT (CMAKE_CXX_COMPILER_ID MATCHES "Clang" AND
            "${dir_options} ${CMAKE_CXX_FLAGS}" MATCHES "-fsanitize="))
      target_link_options(${name} PRIVATE "LINKER:--no-undefined")
    endif()
    # Export the two entry points and nothing else: -fvisibility=hidden does
    # not hide the standard library's template instantiations, and an exported
    # (or GNU-unique) symbol can keep a library from unloading or clash with
    # the host's.
    set(exports "${CMAKE_CURRENT_BINARY_DIR}/${name}.exports")
    file(WRITE "${exports}"
         "{\n  global: strata_plugin_abi; strata_plugin_register;\n  local: *;\n};\n")
    target_link_options(${name} PRIVATE "LINKER:--version-script=${exports}")
    set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS "${exports}")
  endif()
endfunction()
