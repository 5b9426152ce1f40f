// The solver in mp50 (ADMM in double, polish and KKT check in mp50), for the catalogue rows that
// use the solver (A.T3.2, A.T3.3, A.L5.3, A.T7.5, B.T1), which like every row run in the three
// precisions. Cost of this translation unit (g++ 12, -O3, release flags, measured alone on this
// 2-core machine at load ~1, 2026-11-25): 2 min 29 s wall (142 s CPU), peak RSS 2.44 GB; for
// comparison solver_quad.cpp: 1 min 50 s (104 s CPU), 2.44 GB.
#ifndef FLATMIN_DOUBLE_ONLY
#include "solver_impl.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_SOLVER(::flatmin::mp50)
}
#endif
