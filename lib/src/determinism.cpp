#include "flatmin/determinism.hpp"

#include <Eigen/Core>

namespace flatmin {

void pin_eigen() { Eigen::setCpuCacheSizes(32 * 1024, 1024 * 1024, 8 * 1024 * 1024); }

}  // namespace flatmin
