// The noisy nuclear-norm program in double (flatmin/programs.hpp).
#include "programs_noisy.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_NOISY(double)
}
