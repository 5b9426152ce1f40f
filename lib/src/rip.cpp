// Definitions of flatmin/rip.hpp (in progress).
#include "flatmin/scalar.hpp"
