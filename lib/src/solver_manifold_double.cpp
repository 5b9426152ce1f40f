// Gauss-Newton on the rank-r manifold (solver_manifold.hpp) in double: every precision's solve
// tries the fast path in double.
#include "solver_manifold.hpp"
namespace flatmin::solver_detail {
template bool manifold_path<double>(const SensingMap<double>&, const Vec<double>&, double, int,
                                    SolveResult<double>&, int&);
}
