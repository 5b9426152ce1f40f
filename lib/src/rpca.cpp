// Definitions of flatmin/rpca.hpp (in progress).
#include "flatmin/scalar.hpp"
