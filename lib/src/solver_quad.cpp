// The solver in quad (the first-order stages in double, the exact stages and the KKT check in
// quad); the exact stages are compiled in solver_polish_quad.cpp.
#ifndef FLATMIN_DOUBLE_ONLY
#include "solver_impl.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_SOLVER(::flatmin::quad)
}
#endif
