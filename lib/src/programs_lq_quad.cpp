// The weighted l_q program in quad (flatmin/programs.hpp).
#ifndef FLATMIN_DOUBLE_ONLY
#include "programs_lq.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_LQ(::flatmin::quad)
}
#endif
