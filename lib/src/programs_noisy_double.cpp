// The noisy nuclear-norm program in double (flatmin/programs.hpp), and its first phase, which
// every precision runs in double.
#include "programs_noisy.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_NOISY(double)
template SolveResult<double> programs_detail::noisy_admm<double>(const SensingMap<double>&,
                                                                 const Vec<double>&,
                                                                 const double&,
                                                                 const SolveOptions&, double);
}  // namespace flatmin
