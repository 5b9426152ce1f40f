// Definitions of flatmin/deep.hpp (in progress).
#include "flatmin/scalar.hpp"
