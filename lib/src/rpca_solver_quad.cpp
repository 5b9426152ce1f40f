// The robust-PCA solver in quad (ADMM in double, polish and KKT check in quad).
#ifndef FLATMIN_DOUBLE_ONLY
#include "rpca_solver_impl.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_RPCA_SOLVER(::flatmin::quad)
}
#endif
