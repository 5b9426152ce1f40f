// flatmin/linalg.hpp — spectral building blocks in any precision: SVD, symmetric eigenpairs,
// PSD square roots, nuclear and Schatten norms. Instantiated for double, quad and mp50 in
// lib/src/linalg_*.cpp (the only translation units that instantiate Eigen's decompositions).
#pragma once

#include "flatmin/scalar.hpp"

namespace flatmin {

// Thin SVD X = U diag(s) V^T, s non-increasing (one-sided Jacobi: accurate to O(eps ||X||)
// in every singular value, slow for large matrices but exact-arithmetic robust).
template <class S> struct Svd {
  Mat<S> U;  // d1 x p, p = min(d1, d2)
  Vec<S> s;  // p
  Mat<S> V;  // d2 x p
};
template <class S> Svd<S> svd(const Mat<S>& X);
template <class S> Vec<S> singular_values(const Mat<S>& X);
// The singular values by bidiagonalisation and divide and conquer (Eigen's BDCSVD): the same
// O(eps ||X||) absolute accuracy, 4-5x faster than the Jacobi SVD from ~100 columns on (a
// 380 x 176 tangent matrix: 34 ms -> 7 ms); below 16 columns it is the Jacobi SVD.
template <class S> Vec<S> singular_values_dc(const Mat<S>& X);

// Symmetric eigendecomposition X = P diag(lambda) P^T, lambda non-decreasing. X must be square;
// only the lower triangle is read.
template <class S> struct SymEig {
  Mat<S> P;
  Vec<S> lambda;
};
template <class S> SymEig<S> sym_eig(const Mat<S>& X);

// Square root of a symmetric positive semidefinite matrix by its eigendecomposition, with
// negative eigenvalues (rounding) clipped to zero.
template <class S> Mat<S> psd_sqrt(const Mat<S>& P);

// ||X||_* (sum of singular values), ||X||_op (largest), and the Schatten p-(quasi)norm
// (sum s_i^p)^{1/p} for any p > 0 (a quasi-norm for p < 1). Schatten p = 1 is ||X||_*.
template <class S> S nuclear_norm(const Mat<S>& X);
template <class S> S operator_norm(const Mat<S>& X);
template <class S> S schatten_norm(const Mat<S>& X, const S& p);

// Inverse of a symmetric positive definite matrix through its eigendecomposition; throws
// InvalidArgument when the smallest eigenvalue is not positive (a singular rescaling matrix).
template <class S> Mat<S> spd_inverse(const Mat<S>& P, const char* what);

// Inverse of a square matrix by LU with full pivoting; throws InvalidArgument if singular.
template <class S> Mat<S> inverse(const Mat<S>& A, const char* what);

// Condition number lambda_max / lambda_min of a symmetric PSD matrix (+inf if singular).
template <class S> S spd_condition(const Mat<S>& P);

}  // namespace flatmin
