// Paper B's deep factorization (flatmin/deep.hpp) in double.
#include "deep_impl.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_DEEP(double)
}
