// A Lemma 5.4 (completion, sharp growth (41)): ||X - M||_* <= 8(1 + sqrt(6r/p))(||X||_* - ||M||_*)
// for every feasible X = M + Delta (Delta on unobserved entries), w.h.p. in the regime
// p >= C mu r log(mu r) log(d_max)/d_min, C = 0.5, mu the incoherence (34). Feasible X are probed
// by random, shrinking and projected-subgradient-descent candidates. Negative control: p/5.
#include "property.hpp"

FLATMIN_STAT_ROW_PROPERTIES(A_L5_4, "A.L5.4", 200, 2000)
