# ---- install + CMake package (included from the top-level CMakeLists.txt) ----------------------
# `cmake --install BUILD --prefix P` installs
#   P/include/flatmin/*.hpp                     the public headers (lib/include/flatmin)
#   P/lib/libflatmin.a                          the library (lib: CMAKE_INSTALL_LIBDIR)
#   P/lib/cmake/flatmin/flatminConfig.cmake     the package: find_package(flatmin 0.1)
#     flatminConfigVersion.cmake, flatminTargets.cmake, flatminTargets-<config>.cmake
#   P/bin/flatmin                               the command-line tool (its `reproduce --verify`
#                                               reads the manifest of the checkout it was built
#                                               from unless given --manifest)
# A consumer writes find_package(flatmin 0.1 REQUIRED) and target_link_libraries(app PRIVATE
# flatmin::flatmin) and gets, as flatmin::flatmin's usage requirements, the include directory,
# C++17, Eigen3::Eigen, Boost::headers, PkgConfig::MPFR (mpfr, gmp), quadmath and
# flatmin::flatmin_options: the determinism and ISA flags this build was made with
# (-ffp-contract=off -fno-fast-math, -mavx2 -mno-fma for FLATMIN_ISA=avx2, EIGEN_DONT_PARALLELIZE,
# EIGEN_MPL2_ONLY, FLATMIN_DOUBLE_ONLY in a double-only build, the sanitizers in a
# FLATMIN_SANITIZE build, gcc's include directory under clang), so that the consumer compiles
# flatmin's headers and Eigen's templates the way the library was compiled. Tests, benchmarks,
# properties, fuzzers and the reproduction library are not installed.
# ci/downstream.sh (ctest install.downstream) installs the build, builds ci/downstream/ against
# it, runs it and checks the flags in its compile command.
# GNUInstallDirs: included by the top-level CMakeLists.txt before lib/ (whose include directory
# names CMAKE_INSTALL_INCLUDEDIR for the installed tree).
include(CMakePackageConfigHelpers)

# Every target of the exported set flatminTargets (consumers see flatmin::<name>). A second
# library (e.g. the catalogue rows) is one more name here; a target linked PUBLIC by an exported
# one must be in the list (CMake says so at generate time otherwise).
set(FLATMIN_EXPORTED_TARGETS flatmin flatmin_options)

install(TARGETS ${FLATMIN_EXPORTED_TARGETS} EXPORT flatminTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/include/flatmin DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")
# The `flatmin` command (target flatmin_cli, cli/CMakeLists.txt): an executable, not exported.
install(TARGETS flatmin_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(FLATMIN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/flatmin)
install(EXPORT flatminTargets NAMESPACE flatmin:: DESTINATION ${FLATMIN_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/flatminConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/flatminConfig.cmake
                              INSTALL_DESTINATION ${FLATMIN_CMAKE_DIR})
# SameMinorVersion: flatmin is 0.y, and before 1.0 a minor release may change the API (the
# catalogue and the solver interfaces are still moving), so find_package(flatmin 0.1) accepts
# 0.1.z (z >= the requested patch) but not 0.2. SameMajorVersion would accept 0.2, 0.3, ... too.
# Not ARCH_INDEPENDENT: the package holds a compiled library (the version file checks that the
# consumer's pointer size is this build's).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/flatminConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/flatminConfig.cmake ${PROJECT_BINARY_DIR}/flatminConfigVersion.cmake
        DESTINATION ${FLATMIN_CMAKE_DIR})

# The installed package works for a consumer: ci/downstream.sh installs this build into a
# temporary prefix, builds and runs ci/downstream/ against it, and checks its compile command.
# Runs in every build, the sanitizer build included (there the consumer is compiled with the same
# clang and gets -fsanitize from flatmin_options, FLATMIN_DOUBLE_ONLY from the double-only build).
add_test(NAME install.downstream COMMAND bash ${PROJECT_SOURCE_DIR}/ci/downstream.sh ${PROJECT_BINARY_DIR})
set_tests_properties(install.downstream PROPERTIES LABELS "install" TIMEOUT 600)
# ------------------------------------------------------------------------------------------------
