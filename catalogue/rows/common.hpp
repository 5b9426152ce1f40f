// Internal helpers shared by the catalogue rows: instances from shapes, random factorisations.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "flatmin/abs.hpp"
#include "flatmin/catalogue.hpp"
#include "flatmin/linalg.hpp"
#include "flatmin/objective.hpp"
#include "flatmin/sensing.hpp"
#include "tolerances.hpp"

namespace flatmin::catalogue::detail {

// A recovery instance in precision S: map, ground truth, observations b = A(M) (computed in S),
// and the generator positioned after the instance's draws (for any further random choices).
template <class S> struct Instance {
  SensingMap<S> A;
  Mat<S> M;
  Vec<S> b;
  Rng rng{0};
  bool empty() const { return A.m() == 0; }  // e.g. completion that observed nothing
};

// The outcome of a trial whose hypotheses do not hold (discarded; RC_PRE in properties).
inline Outcome not_applicable(std::string why) {
  Outcome o;
  o.applicable = false;
  o.detail = std::move(why);
  return o;
}

// Draw order (part of the specification): ground truth first, then the map.
// quadratic family: M = G diag(+1 x (r - r2), -1 x r2) G^T scaled (symmetric), d = d1.
inline SensingMap<double> draw_map(const Shape& s, Rng& rng) {
  switch (s.family) {
    case FamilyId::identity: return SensingMap<double>::identity(s.d1, s.d2);
    case FamilyId::gaussian: return gaussian_map(rng, s.d1, s.d2, s.m);
    case FamilyId::bilinear: return bilinear_map(rng, s.d1, s.d2, s.m);
    case FamilyId::completion: return completion_map(rng, s.d1, s.d2, s.p);
    case FamilyId::quadratic: return quadratic_map(rng, s.d1, s.m);
  }
  throw InvalidArgument("draw_map: unknown family");
}

template <class S> Instance<S> make_instance(const Shape& s) {
  Rng rng(s.seed);
  const LowRankFactors truth = s.family == FamilyId::quadratic
                                   ? random_symmetric_low_rank(rng, s.d1, s.r - s.r2, s.r2)
                                   : random_low_rank(rng, s.d1, s.d2, s.r);
  SensingMap<double> A = draw_map(s, rng);
  Instance<S> inst{A.template cast<S>(), assemble<S>(truth), Vec<S>(), rng};
  inst.b = inst.A.apply(inst.M);
  return inst;
}

// A well-conditioned random invertible k x k matrix: I + G / (2 sqrt k), G Gaussian (drawn in
// double); its condition number is below 3 with high probability, and callers needing it to be
// invertible check.
inline Mat<double> random_invertible(Rng& rng, Index k) {
  Mat<double> G = rng.normal_matrix(k, k);
  return Mat<double>::Identity(k, k) + G / (2.0 * std::sqrt(double(k)));
}

// A symmetric positive definite matrix with eigenvalues in [lo, hi] (both attained when n >= 2):
// Q diag(lo, hi, uniform...) Q^T with Q from the QR of a Gaussian matrix (in double).
Mat<double> random_spd(Rng& rng, Index n, double lo, double hi);

// A random orthogonal n x n matrix formed in S: a product of Givens rotations with the rational
// parametrisation c = (1 - a^2)/(1 + a^2), s = 2a/(1 + a^2) (c^2 + s^2 = 1 in exact arithmetic), a
// drawn in double. Orthogonal to O(eps(S)) in every precision (a QR in double would only be
// orthogonal to 1e-16, which in quad would turn zero eigenvalues into 1e-16 ones).
template <class S> Mat<S> random_orthogonal(Rng& rng, Index n) {
  Mat<S> Q = Mat<S>::Identity(n, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = i + 1; j < n; ++j) {
      const S a(rng.uniform(-2.0, 2.0));
      const S den = S(1) + a * a;
      const S c = (S(1) - a * a) / den, s = S(2) * a / den;
      const Vec<S> qi = Q.col(i), qj = Q.col(j);
      Q.col(i) = c * qi - s * qj;
      Q.col(j) = s * qi + c * qj;
    }
  return Q;
}

// Conditions a row checks besides its statement: that the library functions the statement (or a
// figure) rests on give what their definitions say (a projection's optimality conditions, a
// certificate's defining inequality and verdict, a tracked trace against the trace by
// definition, one optimizer step against its formula). They stay out of the row's printed error
// or slack: a trial where all hold reports exactly what it reported without them; a trial where
// one fails is a counterexample (Outcome::defect, whatever the row's kind) whose detail names
// what failed, with the numbers. A NaN fails every comparison.
class Invariants {
 public:
  void require(bool ok, const std::string& what) {
    if (!ok) failed_.push_back(what);
  }
  // |a - b| <= tol_eps eps(S) scale
  template <class S>
  void near(const S& a, const S& b, const S& scale, double tol_eps, const std::string& what) {
    const S err = abs_of<S>(S(a - b));
    const bool ok = err <= S(tol_eps) * ScalarTraits<S>::epsilon() * scale;
    if (!ok)
      failed_.push_back(what + ": " + to_string(a, 17) + " vs " + to_string(b, 17) +
                        " (scale " + to_string(scale, 6) + ")");
  }
  // a <= b + tol_eps eps(S) scale
  template <class S>
  void at_most(const S& a, const S& b, const S& scale, double tol_eps, const std::string& what) {
    const bool ok = a <= b + S(tol_eps) * ScalarTraits<S>::epsilon() * scale;
    if (!ok)
      failed_.push_back(what + ": " + to_string(a, 17) + " > " + to_string(b, 17) + " (scale " +
                        to_string(scale, 6) + ")");
  }
  bool ok() const { return failed_.empty(); }
  // o itself when every condition held; otherwise o marked as a defect (holds = false), the
  // failed conditions first in its detail.
  Outcome applied_to(Outcome o) const {
    if (failed_.empty()) return o;
    std::string d = "DEFECT";
    for (const std::string& f : failed_) d += "; " + f;
    o.holds = false;
    o.defect = true;
    o.detail = d + "; " + o.detail;
    return o;
  }

 private:
  std::vector<std::string> failed_;
};

inline std::string num(double x) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

}  // namespace flatmin::catalogue::detail
