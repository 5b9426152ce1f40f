// The exact stages of the solver in mp50 (solver_polish.hpp), compiled once here.
#ifndef FLATMIN_DOUBLE_ONLY
#include "solver_polish.hpp"
namespace flatmin {
FLATMIN_SOLVER_POLISH_STAGES(template, ::flatmin::mp50)
}
#endif
