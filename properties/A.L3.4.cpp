// A Lemma 3.4 (25): minimisers of (24) are nearly balanced,
// ||L^T L - R^T R||_* <= (1 - kappa^-2)(||L||^2 + ||R||^2).
// Negative control: exact balance (the A = I statement of Lemma 2.2) claimed for Q != I.
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_L3_4, "A.L3.4")
