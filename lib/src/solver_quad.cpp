// The solver in quad (ADMM in double, polish and KKT check in quad). Not instantiated for mp50:
// the figures and the catalogue need double and quad only.
#ifndef FLATMIN_DOUBLE_ONLY
#include "solver_impl.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_SOLVER(::flatmin::quad)
}
#endif
