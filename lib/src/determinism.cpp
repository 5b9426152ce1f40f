#include "flatmin/determinism.hpp"

#include <Eigen/Core>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace flatmin {

void pin_eigen() { Eigen::setCpuCacheSizes(32 * 1024, 1024 * 1024, 8 * 1024 * 1024); }

void retain_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

}  // namespace flatmin
