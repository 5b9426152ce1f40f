#ifndef FLATMIN_DOUBLE_ONLY
#include "linalg_impl.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_LINALG(::flatmin::quad)
}
#endif
