// The weighted l_q program in double (flatmin/programs.hpp).
#include "programs_lq.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_LQ(double)
}
