// The noisy nuclear-norm program in quad (flatmin/programs.hpp).
#ifndef FLATMIN_DOUBLE_ONLY
#include "programs_noisy.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_NOISY(::flatmin::quad)
}
#endif
