// The weighted l_q and noisy nuclear-norm programs in double (flatmin/programs.hpp).
#include "programs_impl.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_PROGRAMS(double)
}
