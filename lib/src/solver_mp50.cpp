// The solver in mp50 (ADMM in double, polish and KKT check in mp50), for the catalogue rows that
// use the solver (A.T3.2, A.T3.3, A.L5.3, A.T7.5, B.T1), which like every row run in the three
// precisions. The exact stages are compiled in solver_polish_mp50.cpp.
#ifndef FLATMIN_DOUBLE_ONLY
#include "solver_impl.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_SOLVER(::flatmin::mp50)
}
#endif
