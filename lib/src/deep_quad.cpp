// Paper B's deep factorization (flatmin/deep.hpp) in quad.
#ifndef FLATMIN_DOUBLE_ONLY
#include "deep_impl.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_DEEP(::flatmin::quad)
}
#endif
