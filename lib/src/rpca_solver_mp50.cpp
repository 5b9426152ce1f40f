// The robust-PCA solver in mp50 (ADMM in double, polish and KKT check in mp50), so that the
// catalogue row A.T6.1 runs in all three precisions like every other row.
#ifndef FLATMIN_DOUBLE_ONLY
#include "rpca_solver_impl.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_RPCA_SOLVER(::flatmin::mp50)
}
#endif
