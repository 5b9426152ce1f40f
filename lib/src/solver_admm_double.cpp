// ADMM (solver_admm.hpp) in double: every precision's solve runs its first-order stage in double.
#include "solver_admm.hpp"
namespace flatmin::solver_detail {
template SolveResult<double> admm<double>(const SensingMap<double>&, const Vec<double>&,
                                          const SolveOptions&, double);
}
