# Precompiled headers. Every translation unit of flatmin includes Eigen and scalar.hpp (Boost's
# float128 and MPFR wrappers); parsing them costs ~3 s and ~480 MB per translation unit, more than
# the whole compile of a small one. They are parsed once, into the precompiled header of the
# library target `flatmin`, and every other target of this build reuses that file (REUSE_FROM:
# same compiler, same flags). The installed package carries no precompiled header (PRIVATE).
# docs/performance.md ("Build") has the measurement; -DFLATMIN_PCH=OFF turns it off.
option(FLATMIN_PCH "Precompile Eigen, Boost.Multiprecision and the standard headers once" ON)

set(FLATMIN_PCH_HEADERS
  <algorithm> <cmath> <cstdint> <functional> <limits> <map> <memory> <optional> <sstream>
  <stdexcept> <string> <string_view> <type_traits> <utility> <vector>
  <boost/multiprecision/float128.hpp> <boost/multiprecision/mpfr.hpp>
  <Eigen/Core> <Eigen/Cholesky> <Eigen/Eigenvalues> <Eigen/LU> <Eigen/QR> <Eigen/SVD>)

# The target that builds the header (call once, on flatmin). Targets declared before it (the
# top-level CMakeLists.txt says why) get the header now.
function(flatmin_pch_producer target)
  if(FLATMIN_PCH)
    target_precompile_headers(${target} PRIVATE ${FLATMIN_PCH_HEADERS})
    get_property(pending GLOBAL PROPERTY FLATMIN_PCH_PENDING)
    foreach(user ${pending})
      target_precompile_headers(${user} REUSE_FROM ${target})
    endforeach()
    set_property(GLOBAL PROPERTY FLATMIN_PCH_PENDING "")
  endif()
endfunction()

# Every other C++ target of this build: reuse flatmin's precompiled header (once flatmin exists).
function(flatmin_use_pch)
  if(FLATMIN_PCH)
    foreach(target ${ARGN})
      if(TARGET flatmin)
        target_precompile_headers(${target} REUSE_FROM flatmin)
      else()
        set_property(GLOBAL APPEND PROPERTY FLATMIN_PCH_PENDING ${target})
      endif()
    endforeach()
  endif()
endfunction()
