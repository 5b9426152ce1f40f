// Definitions of flatmin/depth.hpp (in progress).
#include "flatmin/scalar.hpp"
