// The symmetric part (X + X^T) / 2, shared by the library's sources (not part of the public API).
#pragma once

#include "flatmin/scalar.hpp"

namespace flatmin {

// Exactly symmetric: entry (i, j) is (x_ij + x_ji) / 2 and entry (j, i) is (x_ji + x_ij) / 2, the
// same number since IEEE addition commutes (and so does every Boost.Multiprecision type's).
// Products such as P diag P^T are not: their (i, j) and (j, i) entries are rounded differently.
// (Mat<S>(...) evaluates into a new matrix, so X = symmetric_part(X) does not alias.)
template <class S> Mat<S> symmetric_part(const Mat<S>& X) {
  return Mat<S>((X + X.transpose()) / S(2));
}

}  // namespace flatmin
