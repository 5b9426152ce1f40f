// A Lemma 3.1: D^2 f(L,R)[U,V] = 2||A(L V^T + U R^T)||^2 on the solution set (15), and the
// scaled trace by its definition (2) equals 2m(||D1 L||^2 + ||D2 R||^2) (16).
// Negative control: the unscaled trace (the 1/d1, 1/d2 of (2) forgotten).
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_L3_1, "A.L3.1")
