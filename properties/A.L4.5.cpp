// A Lemma 4.5: bilinear ensemble, m >= c r(d1+d2) => l1/l2 RIP (k r, delta1, delta2) with
// numerical constants. With k = 2, m in [10, 15] r(d1+d2) and the constants fixed at
// delta1 = 0.2, delta2 = 1.5, the estimated l1 constants (values at explicit rank-2r
// matrices) must lie in [0.2, 1.5] with frequency >= 0.95. Negative control: m = r(d1+d2)/4.
#include "property.hpp"

FLATMIN_STAT_ROW_PROPERTIES(A_L4_5, "A.L4.5", 200, 2000)
