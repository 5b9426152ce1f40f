// The programs in quad (first phase in double, polish / Newton steps and verification in quad).
// Not instantiated for mp50: the depth study and the noisy program need double and quad only.
#ifndef FLATMIN_DOUBLE_ONLY
#include "programs_impl.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_PROGRAMS(::flatmin::quad)
}
#endif
