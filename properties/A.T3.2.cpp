// A Theorem 3.2, the factor-map half: (L, R) = (D1^{-1} U S^{1/2}, D2^{-1} V S^{1/2}) of
// X = D1 M D2 (zero padded when l < k) is feasible with (19)-value ||X||_*, maps back to X, and no
// point of the orbit (L B, R B^{-T}) has a smaller (19)-value than ||D1 L R^T D2||_*.
// The optimality half (minimisers of (21)) is tested with the solver.
// Negative control: the factor map without D^{-1} (infeasible unless D = I).
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_T3_2, "A.T3.2")
