#include "linalg_impl.hpp"
namespace flatmin {
FLATMIN_INSTANTIATE_LINALG(::flatmin::mp50)
}
