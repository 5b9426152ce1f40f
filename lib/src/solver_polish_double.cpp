// The exact stages of the solver in double (solver_polish.hpp), compiled once here.
#include "solver_polish.hpp"
namespace flatmin {
FLATMIN_SOLVER_POLISH_STAGES(template, double)
FLATMIN_SOLVER_INTERIOR_POINT_STAGE(template)

namespace testing {
Vec<double> newton_system_solve(const Mat<double>& Y, const Mat<double>& C, Index m, Index r,
                                const Vec<double>& rhs) {
  solver_detail::NewtonSystem<double> ns;
  ns.factor(Y, C, m, r);
  return ns.solve(rhs);
}
}  // namespace testing
}  // namespace flatmin
