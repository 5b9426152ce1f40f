#include "flatmin/determinism.hpp"

#include <Eigen/Core>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace flatmin {

void pin_eigen() { Eigen::setCpuCacheSizes(32 * 1024, 1024 * 1024, 8 * 1024 * 1024); }

#if defined(__FMA__)
#error "flatmin must be compiled without FMA (-mno-fma): fused multiply-adds change the bytes"
#endif

const char* build_isa() {
#if defined(__AVX2__)
  return "x86-64 AVX2 without FMA";
#elif defined(__x86_64__)
  return "x86-64 SSE2";
#else
  return "not x86-64 (bytes not guaranteed to match x86-64 builds)";
#endif
}

bool cpu_supports_build_isa() {
#if defined(__AVX2__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
#else
  return true;
#endif
}

void retain_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

}  // namespace flatmin
