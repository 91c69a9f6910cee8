# Test helpers shared by every tests/ folder.
#
# melograph_add_test(NAME SOURCES a.cc b.cc LIBS lib... [LABELS l...] [TIMEOUT s])
#   One gtest executable, registered with CTest through gtest_discover_tests-like single entry.
# add_mpi_test(NAME SOURCES ... LIBS ... RANKS 1 2 4 [TIMEOUT s])
#   One executable, registered once per rank count, run under mpiexec with --oversubscribe.
set(MELOGRAPH_TEST_DATA_DIR "${CMAKE_SOURCE_DIR}/tests/data")
get_filename_component(MELOGRAPH_SHARED_DATA_DIR "${CMAKE_SOURCE_DIR}/../shared/data" ABSOLUTE)

# Test executables compile as unity batches: every test file includes gtest/gmock and most include
# Eigen or protobuf headers, which under the dev preset (ASan, _GLIBCXX_DEBUG) cost more than the
# tests themselves. Helpers in anonymous namespaces must therefore have distinct names across the
# files of one folder. -DMELOGRAPH_UNITY_TESTS=OFF compiles file by file.
option(MELOGRAPH_UNITY_TESTS "compile each test executable as unity batches" ON)
# Extra flags for the test executables' own code only, after the build type's flags (the dev preset
# sets -O0: the libraries the tests exercise keep -O1, while the test bodies, mostly gtest/gmock
# template code that runs once, compile in less than half the time).
set(MELOGRAPH_TEST_CXX_FLAGS "" CACHE STRING "extra compile flags for test executables' own sources")
function(melograph_unity_test name)
  if(MELOGRAPH_TEST_CXX_FLAGS)
    separate_arguments(test_flags UNIX_COMMAND "${MELOGRAPH_TEST_CXX_FLAGS}")
    target_compile_options(${name} PRIVATE ${test_flags})
  endif()
  if(MELOGRAPH_UNITY_TESTS)
    set_target_properties(${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 6)
  else()
    set_target_properties(${name} PROPERTIES UNITY_BUILD OFF)  # even where CMAKE_UNITY_BUILD is on
  endif()
endfunction()

function(melograph_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  melograph_unity_test(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main melograph_options)
  target_compile_definitions(${name} PRIVATE
    MELOGRAPH_TEST_DATA_DIR="${MELOGRAPH_TEST_DATA_DIR}"
    MELOGRAPH_SHARED_DATA_DIR="${MELOGRAPH_SHARED_DATA_DIR}"
    MELOGRAPH_BINARY="$<TARGET_FILE:melograph>")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}")
endfunction()

function(add_mpi_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;RANKS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  melograph_unity_test(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest melograph_mpi_test_main melograph_options)
  target_compile_definitions(${name} PRIVATE
    MELOGRAPH_TEST_DATA_DIR="${MELOGRAPH_TEST_DATA_DIR}"
    MELOGRAPH_SHARED_DATA_DIR="${MELOGRAPH_SHARED_DATA_DIR}"
    MELOGRAPH_BINARY="$<TARGET_FILE:melograph>")
  foreach(n IN LISTS T_RANKS)
    add_test(NAME ${name}.np${n}
      COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${n} --oversubscribe --allow-run-as-root
              ${MPIEXEC_PREFLAGS} $<TARGET_FILE:${name}> ${MPIEXEC_POSTFLAGS})
    set_tests_properties(${name}.np${n} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS mpi PROCESSORS ${n})
  endforeach()
endfunction()
