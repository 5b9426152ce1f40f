// B Lemma 3: under (1, delta)-RIP, at W with L(W) = 0: (1-delta) R(W) <= tr <= (1+delta) R(W),
// tr = paper B's (1/n) sum ||grad f_i||^2 = half the Hessian trace (deep_trace_closed / 2),
// delta certified (>= the true constant); also the proof's delta1^2 R <= tr <= delta2^2 R.
// Negative control: the true trace (Lemma 2's constant) in place of tr.
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(B_L3, "B.L3")
