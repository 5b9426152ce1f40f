// Definitions of flatmin/linalg.hpp, included only by linalg_<type>.cpp: one translation unit per
// scalar type so the heavy Eigen decompositions are compiled once per type and in parallel.
#pragma once

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/SVD>
#include <limits>

#include "flatmin/linalg.hpp"
#include "symmetric_part.hpp"

namespace flatmin {

template <class S> Svd<S> svd(const Mat<S>& X) {
  require_finite(X, "svd: X");
  Svd<S> out;
  const Index p = std::min(X.rows(), X.cols());
  if (p == 0) {
    out.U = Mat<S>::Zero(X.rows(), 0);
    out.V = Mat<S>::Zero(X.cols(), 0);
    out.s = Vec<S>::Zero(0);
    return out;
  }
  Eigen::JacobiSVD<Mat<S>> dec(X, Eigen::ComputeThinU | Eigen::ComputeThinV);
  out.U = dec.matrixU();
  out.s = dec.singularValues();
  out.V = dec.matrixV();
  return out;
}

template <class S> Vec<S> singular_values(const Mat<S>& X) {
  require_finite(X, "singular_values: X");
  if (std::min(X.rows(), X.cols()) == 0) return Vec<S>::Zero(0);
  Eigen::JacobiSVD<Mat<S>> dec(X);
  return dec.singularValues();
}

template <class S> Vec<S> singular_values_dc(const Mat<S>& X) {
  require_finite(X, "singular_values_dc: X");
  if (std::min(X.rows(), X.cols()) == 0) return Vec<S>::Zero(0);
  Eigen::BDCSVD<Mat<S>> dec(X);
  return dec.singularValues();
}

template <class S> SymEig<S> sym_eig(const Mat<S>& X) {
  if (X.rows() != X.cols()) throw InvalidArgument("sym_eig: matrix must be square");
  require_finite(X, "sym_eig: X");
  SymEig<S> out;
  if (X.rows() == 0) {
    out.P = Mat<S>::Zero(0, 0);
    out.lambda = Vec<S>::Zero(0);
    return out;
  }
  Eigen::SelfAdjointEigenSolver<Mat<S>> es(X);
  if (es.info() != Eigen::Success) throw std::runtime_error("sym_eig: eigensolver did not converge");
  out.P = es.eigenvectors();
  out.lambda = es.eigenvalues();
  return out;
}

// psd_sqrt and spd_inverse return exactly symmetric matrices (symmetric_part of P diag P^T), so
// that SensingMap::composed(D1^{-1}, D2^{-1}) keeps a quadratic map quadratic (it tests
// Q1 == Q2^T) and the flat program keeps its structure.

template <class S> Mat<S> psd_sqrt(const Mat<S>& P) {
  SymEig<S> e = sym_eig(P);
  Vec<S> r(e.lambda.size());
  for (Index i = 0; i < r.size(); ++i) {
    using std::sqrt;
    r(i) = e.lambda(i) > S(0) ? S(sqrt(e.lambda(i))) : S(0);
  }
  return symmetric_part<S>(Mat<S>(e.P * r.asDiagonal() * e.P.transpose()));
}

template <class S> S nuclear_norm(const Mat<S>& X) { return singular_values(X).sum(); }

template <class S> S operator_norm(const Mat<S>& X) {
  Vec<S> s = singular_values(X);
  return s.size() ? s(0) : S(0);
}

template <class S> S schatten_norm(const Mat<S>& X, const S& p) {
  if (!(p > S(0))) throw InvalidArgument("schatten_norm: p must be positive");
  using std::pow;
  Vec<S> s = singular_values(X);
  S acc(0);
  for (Index i = 0; i < s.size(); ++i)
    if (s(i) > S(0)) acc += S(pow(s(i), p));
  return acc > S(0) ? S(pow(acc, S(1) / p)) : S(0);
}

template <class S> Mat<S> spd_inverse(const Mat<S>& P, const char* what) {
  SymEig<S> e = sym_eig(P);
  if (e.lambda.size() && !(e.lambda(0) > S(0)))
    throw InvalidArgument(std::string(what) + " is singular (smallest eigenvalue " +
                          to_string(e.lambda(0), 6) + ")");
  return symmetric_part<S>(Mat<S>(e.P * e.lambda.cwiseInverse().asDiagonal() * e.P.transpose()));
}

template <class S> Mat<S> inverse(const Mat<S>& A, const char* what) {
  if (A.rows() != A.cols()) throw InvalidArgument(std::string(what) + " must be square");
  require_finite(A, what);
  Eigen::FullPivLU<Mat<S>> lu(A);
  if (!lu.isInvertible()) throw InvalidArgument(std::string(what) + " is singular");
  return lu.inverse();
}

template <class S> S spd_condition(const Mat<S>& P) {
  SymEig<S> e = sym_eig(P);
  if (e.lambda.size() == 0) return S(1);
  if (!(e.lambda(0) > S(0))) return std::numeric_limits<S>::infinity();
  return e.lambda(e.lambda.size() - 1) / e.lambda(0);
}

#define FLATMIN_INSTANTIATE_LINALG(S)                                 \
  template Svd<S> svd<S>(const Mat<S>&);                              \
  template Vec<S> singular_values<S>(const Mat<S>&);                  \
  template Vec<S> singular_values_dc<S>(const Mat<S>&);               \
  template SymEig<S> sym_eig<S>(const Mat<S>&);                       \
  template Mat<S> psd_sqrt<S>(const Mat<S>&);                         \
  template S nuclear_norm<S>(const Mat<S>&);                          \
  template S operator_norm<S>(const Mat<S>&);                         \
  template S schatten_norm<S>(const Mat<S>&, const S&);               \
  template Mat<S> spd_inverse<S>(const Mat<S>&, const char*);         \
  template S spd_condition<S>(const Mat<S>&);                         \
  template Mat<S> inverse<S>(const Mat<S>&, const char*);

}  // namespace flatmin
