// A Lemma 4.9: bilinear ensemble, m >= c3 d_max/delta^2, log m <= c4 delta^2 d_min =>
// (1-delta) I <= D_i <= (1+delta) I w.h.p.; delta = 0.4, c3 = 2, c4 = 3, frequency >= 0.95.
// Negative control: m = d_min/2 (far outside: (1/m) sum a_i a_i^T singular).
#include "property.hpp"

FLATMIN_STAT_ROW_PROPERTIES(A_L4_9, "A.L4.9", 200, 5000)
