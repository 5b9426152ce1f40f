// Catalogue rows of paper A section 7 (networks with quadratic activation, covariance estimation):
// (59), Lemma 7.2, Lemma 7.3, Lemma 7.4, Theorem 7.5 (the factor-map half, and the optimality half
// with the convex solver), Lemma 7.6.
//
// Instances: family quadratic, A_i = x_i x_i^T, symmetric truth M = G diag(+1 x r1, -1 x r2) G^T
// (r1 = r - r2 positive, r2 negative eigenvalues). The widths of the student are
// k1 = r1 + e1 >= r1 and k2 = r2 + (k - r - e1) >= r2, with e1 uniform in [0, k - r] drawn from
// the instance's generator (split_widths), so k1 + k2 = shape.k and every split occurs, including
// k1 = 0 (r2 = r) and k2 = 0 (covariance estimation).
//
// Typos of the paper corrected here (each row's comment and statement says which):
//  * (64)/(66): the trace is 8d(||DU1||^2 + ||DU2||^2), not 4d (A.L7.2, objective.cpp).
//  * Lemma 7.3 item 2: "at most k1 positive and k2 negative eigenvalues", not non-negative /
//    non-positive (zero eigenvalues cost nothing: X = 0 decomposes for every k1, k2) (A.L7.3).
//  * Theorem 7.5 item 1: the (67)-objective carries 1/2 and Lemma 7.4 none, so at corresponding
//    points (67) = (1/2)(68); the optimal values are equal for (67) without the 1/2 (A.T7.5).
//  * Lemma 7.6 (72) needs Z symmetric (the cross terms cancel only then) - true for (69) (A.L7.6).
#include <algorithm>
#include <vector>

#include "common.hpp"
#include "solver_support.hpp"

namespace flatmin::catalogue::detail {

namespace {

struct Widths {
  Index k1 = 0, k2 = 0;
};
// k1 >= r1 = r - r2, k2 >= r2, k1 + k2 = shape.k (see the file comment).
inline Widths split_widths(const Shape& s, Rng& rng) {
  const Index extra = std::max<Index>(0, s.k - s.r);
  const Index e1 = Index(rng.below(std::uint64_t(extra + 1)));
  return {s.r - s.r2 + e1, s.r2 + extra - e1};
}

// A random element H of the indefinite orthogonal group O(k1, k2): H J H^T = J for
// J = diag(I_k1, -I_k2). Rotations inside each block, then one hyperbolic rotation ("boost") per
// pair (column a of U1, column b of U2) with cosh = (1 + t^2)/(1 - t^2), sinh = 2t/(1 - t^2),
// |t| <= max_t. [U1, U2] H has the same U1 U1^T - U2 U2^T: this is the set of all decompositions
// of one X with these widths (when they have full rank), so the solution set is explored.
template <class S> Mat<S> random_hyperbolic(Rng& rng, Index k1, Index k2, double max_t) {
  const Index k = k1 + k2;
  Mat<S> H = Mat<S>::Zero(k, k);
  H.topLeftCorner(k1, k1) = random_orthogonal<S>(rng, k1);
  H.bottomRightCorner(k2, k2) = random_orthogonal<S>(rng, k2);
  for (Index a = 0; a < k1; ++a)
    for (Index b = 0; b < k2; ++b) {
      const S t(rng.uniform(-max_t, max_t));
      const S den = S(1) - t * t;
      const S ch = (S(1) + t * t) / den, sh = S(2) * t / den;
      const Vec<S> ha = H.col(a), hb = H.col(k1 + b);
      H.col(a) = ch * ha + sh * hb;
      H.col(k1 + b) = sh * ha + ch * hb;
    }
  return H;
}

template <class S> SymFactors<S> apply_hyperbolic(const SymFactors<S>& f, const Mat<S>& H) {
  const Index k1 = f.U1.cols(), k2 = f.U2.cols();
  Mat<S> U(f.U1.rows(), k1 + k2);
  U << f.U1, f.U2;
  const Mat<S> V = U * H;
  return {V.leftCols(k1), V.rightCols(k2)};
}

template <class S> Mat<S> difference_of_squares(const SymFactors<S>& f) {
  return f.U1 * f.U1.transpose() - f.U2 * f.U2.transpose();
}

// Entrywise comparison of two vectors, each entry relative to its own scale; the worst entry
// decides (its exact_outcome is returned).
template <class S> Outcome worst_entry(const Vec<S>& lhs, const Vec<S>& rhs, const Vec<S>& scale,
                                       double tol, const std::string& what) {
  Index worst = 0;
  S worst_err(-1);
  for (Index i = 0; i < lhs.size(); ++i) {
    const S sc = scale(i) > S(0) ? scale(i) : S(1);
    const S e = abs_of<S>(S(lhs(i) - rhs(i))) / sc;
    if (e > worst_err) {
      worst_err = e;
      worst = i;
    }
  }
  return exact_outcome<S>(lhs(worst), rhs(worst), scale(worst) > S(0) ? scale(worst) : S(1), tol,
                          what + " [worst entry i=" + std::to_string(worst + 1) + "]");
}

// A logical check (a count, a refusal) as part of an exact row: passes with error 0, fails with
// an error no tolerance accepts (as A.T3.2 does for its inequality part).
template <class S> Outcome logical(bool ok, const std::string& what) {
  return exact_outcome<S>(ok ? S(0) : S(1), S(0), S(1), 0, what + (ok ? " [ok]" : " [FAILED]"));
}
template <class S> Outcome bound_as_exact(const S& lhs, const S& rhs, const S& scale, double tol,
                                          const std::string& what) {
  const Outcome b = bound_outcome<S>(lhs, rhs, scale, tol, what);
  if (b.holds) {
    Outcome ok = exact_outcome<S>(S(0), S(0), S(1), tol, b.detail);
    return ok;
  }
  return logical<S>(false, b.detail);
}

std::string split_regime(const Shape& s, const Widths& w) {
  std::string reg = s.r2 == 0 ? "r2=0 (covariance)" : (s.r2 == s.r ? "r2=r" : "0<r2<r");
  if (w.k1 == 0) reg += " k1=0";
  if (w.k2 == 0) reg += " k2=0";
  if (s.d1 == 1) reg += " d=1";
  return reg;
}

// ---------------------------------------------------------------------------------------------
// A (57)-(60): the network output (57) u^T q(U^T x) = ||U1^T x||^2 - ||U2^T x||^2 equals
// <U1 U1^T - U2 U2^T, x x^T> = A(U1 U1^T - U2 U2^T)_i at every input x_i; the teacher's output
// y(U_nat, x) = v^T q(U_nat^T x) equals <M, x x^T> for M = U_nat diag(v) U_nat^T (v with r1
// positive and r2 negative entries of random sizes); hence the loss (58) with y_i = y(U_nat, x_i)
// equals (60) with b = A(M). Checked at random (U1, U2) (the identity holds everywhere).
// Errors: both sides of each entry are sums of products of entries of x and U; the rounding of
// such a sum is bounded by eps times the same sum with every term replaced by its absolute value,
// so each comparison is relative to || |U1|^T |x| ||^2 + || |U2|^T |x| ||^2 (resp.
// sum_j |v_j| (|U_nat|^T |x|)_j^2) - not to ||U1^T x||^2 + ||U2^T x||^2, which cancellation in
// U^T x can make arbitrarily small - and the losses relative to (1/m) sum_i (that + this)^2.
// The errors are then a few eps times d k (1e4 as every row).
// Negative control: the output layer u = (1, -1) forgotten (all hidden units added), i.e.
// ||U1^T x||^2 + ||U2^T x||^2 compared with A(U1U1^T - U2U2^T); applicable when k2 > 0.
template <class S> struct Eq59 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    if (inst.empty()) return not_applicable("no measurements");
    const Widths w = split_widths(shape, inst.rng);
    const Index d = shape.d1, m = inst.A.m(), r = shape.r, r1 = shape.r - shape.r2;
    const double tol = kExactEps;
    // teacher (U_nat, v) and student (U1, U2), drawn after the instance
    const Mat<S> Unat = cast_matrix<S>(inst.rng.normal_matrix(d, r));
    Vec<S> vw(r);
    for (Index j = 0; j < r; ++j) vw(j) = S((j < r1 ? 1.0 : -1.0) * inst.rng.uniform(0.5, 2.0));
    const Mat<S> M = symmetric_part<S>(Unat * vw.asDiagonal() * Unat.transpose());
    const Mat<S> U1 = cast_matrix<S>(inst.rng.normal_matrix(d, w.k1));
    const Mat<S> U2 = cast_matrix<S>(inst.rng.normal_matrix(d, w.k2));
    const Mat<S>& X = inst.A.left();  // rows x_i

    const Vec<S> AUU = inst.A.apply(difference_of_squares<S>({U1, U2}));
    const Vec<S> AM = inst.A.apply(M);
    Vec<S> yhat(m), ywrong(m), y(m), sc_student(m), sc_teacher(m);
    for (Index i = 0; i < m; ++i) {
      const Vec<S> x = X.row(i).transpose();
      yhat(i) = network_output<S>(U1, U2, x);
      ywrong(i) = (U1.transpose() * x).squaredNorm() + (U2.transpose() * x).squaredNorm();
      const Vec<S> ax = x.cwiseAbs();
      sc_student(i) = (U1.cwiseAbs().transpose() * ax).squaredNorm() +
                      (U2.cwiseAbs().transpose() * ax).squaredNorm();
      const Vec<S> h = (Unat.transpose() * x).cwiseAbs2();  // q(U_nat^T x)
      y(i) = vw.dot(h);
      sc_teacher(i) = vw.cwiseAbs().dot((Unat.cwiseAbs().transpose() * ax).cwiseAbs2());
    }
    if (v == Variant::negative_control) {
      Outcome o = worst_entry<S>(ywrong, AUU, sc_student, tol,
                                 "control: u = 1 (no sign) vs <U1U1'-U2U2', xx'>");
      o.applicable = w.k2 > 0;
      o.regime = split_regime(shape, w);
      return o;
    }
    Outcome out57 =
        worst_entry<S>(yhat, AUU, sc_student, tol, "(57) u'q(U'x) = <U1U1'-U2U2', xx'>");
    Outcome teach = worst_entry<S>(y, AM, sc_teacher, tol, "(59) v'q(Unat'x) = <M, xx'>");
    const S l58 = network_loss<S>(U1, U2, X, y);
    const S l60 = sym_loss<S>(inst.A, AM, U1, U2);
    const S lscale = (sc_student + sc_teacher).squaredNorm() / S(m);
    Outcome loss = exact_outcome<S>(l58, l60, lscale, tol, "(58) = (60)");
    Outcome o = worst_of(Kind::exact, {out57, teach, loss});
    o.regime = split_regime(shape, w);
    return o;
  }
};

// ---------------------------------------------------------------------------------------------
// A Lemma 7.2 with (64) corrected. f(U1, U2) = (1/m)||A(U1U1^T - U2U2^T) - b||^2 (60).
//  (a) On the solution set, D^2 f[V1, V2] = (2/m)||A(U1V1^T + V1U1^T - U2V2^T - V2U2^T)||^2:
//      the definition (second derivative along (U1 + tV1, U2 + tV2) from loss values, exact for
//      the quartic) against the formula, at random (V1, V2).
//  (b) tr D^2 f by its definition (sum of the d(k1 + k2) coordinate second derivatives,
//      sym_trace_definition) = 8d(||DU1||^2 + ||DU2||^2), D of (63). The paper prints 4d: in
//      (66) <A_l, U1 e_j e_i^T + e_i e_j^T U1^T> = 2<A_l, U1 e_j e_i^T> by the symmetry of A_l, so
//      the square carries 4, not 2 (derivation at sym_trace_closed in objective.cpp; by hand for
//      d = m = 1, x = 1: f = (u^2 - b)^2, f'' = 12u^2 - 4b = 8u^2 on u^2 = b).
//  (c) Off the solution set (our addition, which shows where "on S" is needed): the t^2 term
//      +-e_i e_i^T of a coordinate move adds (4/m)(k1 - k2)<A(U1U1^T - U2U2^T) - b, A(I)>,
//      A(I)_l = ||x_l||^2 (it vanishes when k1 = k2).
// Points of S: the eigen-built factors of M moved by a random element of O(k1, k2)
// (random_hyperbolic), so they range over the whole solution set of full-rank decompositions.
// Tolerance 1e4 eps: brute-force sums of d(k1+k2) five-point second derivatives of loss values
// (as A.L3.1), each relative to the size of the loss values it is computed from (see the scales
// at (a) and (b); (c) adds |extra term|): relative to the trace alone, an instance with m < d can
// have a trace of 1e-2 made of loss values of size 10 (seen: 2.6e3 eps).
// Negative control: the printed constant 4d (rejected on every shape: the trace is positive).
template <class S> struct L72 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    if (inst.empty()) return not_applicable("no measurements");
    const Widths w = split_widths(shape, inst.rng);
    const Index d = shape.d1, m = inst.A.m();
    const double tol = kExactEps;
    const Mat<S> M = symmetric_part<S>(inst.M);
    const SymFactors<S> base = sym_factors<S>(M, w.k1, w.k2);
    const SymFactors<S> P =
        apply_hyperbolic<S>(base, random_hyperbolic<S>(inst.rng, w.k1, w.k2, 0.3));
    const Mat<S> D = rescaling(inst.A).D1;
    const S tr_def = sym_trace_definition<S>(inst.A, inst.b, P.U1, P.U2);
    const S tr_closed = sym_trace_closed<S>(inst.A, D, P.U1, P.U2);
    if (v == Variant::negative_control) {
      const S printed = S(4) * S(d) * ((D * P.U1).squaredNorm() + (D * P.U2).squaredNorm());
      Outcome o = exact_outcome<S>(tr_def, printed, abs_of<S>(tr_def), tol,
                                   "control: tr D^2f by definition vs printed (64) 4d(...)");
      o.applicable = hypothesis_exceeds<S>(o, tr_def, S(0), "trace (definition) > 0");
      o.regime = split_regime(shape, w);
      return o;
    }
    // (a) the quadratic form along a random direction
    const Mat<S> V1 = cast_matrix<S>(inst.rng.normal_matrix(d, w.k1));
    const Mat<S> V2 = cast_matrix<S>(inst.rng.normal_matrix(d, w.k2));
    std::function<S(const S&)> along = [&](const S& t) {
      return sym_loss<S>(inst.A, inst.b, P.U1 + t * V1, P.U2 + t * V2);
    };
    const S form_def = second_derivative_along<S>(along, S(1));
    const Mat<S> Z = P.U1 * V1.transpose() + V1 * P.U1.transpose() - P.U2 * V2.transpose() -
                     V2 * P.U2.transpose();
    const S form = S(2) / S(m) * inst.A.apply(Z).squaredNorm();
    // The five-point rule combines loss values at t = +-1, +-2 whose rounding is relative to the
    // size of the terms they are made of, not to the (possibly tiny: V nearly tangent to S) form:
    // with W_i = |U_i| + 2|V_i| (entrywise), every |A((U + tV)(U + tV)^T)_l| for |t| <= 2 is at
    // most s_l = || W1^T |x_l| ||^2 + || W2^T |x_l| ||^2, so the scale is (1/m) sum_l s_l^2.
    const Mat<S> W1 = P.U1.cwiseAbs() + S(2) * V1.cwiseAbs(),
                 W2 = P.U2.cwiseAbs() + S(2) * V2.cwiseAbs();
    const Mat<S> Xabs = inst.A.left().cwiseAbs();
    // (a factor without columns adds nothing; Eigen's row views of an empty product would offset
    // a null pointer)
    Vec<S> sizes = Vec<S>::Zero(Xabs.rows());
    if (W1.cols() > 0) sizes += (Xabs * W1).rowwise().squaredNorm();
    if (W2.cols() > 0) sizes += (Xabs * W2).rowwise().squaredNorm();
    const S form_scale = sizes.squaredNorm() / S(m);
    Outcome a = exact_outcome<S>(form_def, form, form_scale, tol,
                                 "D2f[V] definition vs (2/m)||A(U1V1'+V1U1'-U2V2'-V2U2')||^2");
    // (b) the trace on S. Scale of the brute-force sum: a coordinate move t e_i e_j^T changes
    // the residual by t A(L_ij) +- t^2 A(e_i e_i^T), so its loss values at |t| <= 2 are made of
    // (1/m)||A(L_ij)||^2 (summing to tr/2) and (1/m)||A(e_i e_i^T)||^2 = (1/m) sum_l x_li^4
    // terms, plus the rounding of the residual at t = 0 (|A(U1U1^T - U2U2^T) - b|_l is
    // eps-sized relative to s_l = || |U1|^T|x_l| ||^2 + || |U2|^T|x_l| ||^2) times
    // (4/m)||x_l||^2 per coordinate. The trace can be small compared with these (m < d: D
    // singular and U nearly orthogonal to the x_l), so it is compared relative to
    //   tr + 16 (k1 + k2)(1/m) sum_{l,i} x_li^4 + 4 (k1 + k2)(1/m) sum_l ||x_l||^2 s_l.
    const Mat<S> Xabs4 = inst.A.left().cwiseAbs2();
    const S quartic = Xabs4.cwiseAbs2().sum() / S(m);
    const Vec<S> xsq = inst.A.left().rowwise().squaredNorm();
    auto brute_scale = [&](const Mat<S>& A1, const Mat<S>& A2) {
      const Vec<S> sl = (Xabs * A1.cwiseAbs()).rowwise().squaredNorm() +
                        (Xabs * A2.cwiseAbs()).rowwise().squaredNorm();
      return S(16) * S(w.k1 + w.k2) * quartic + S(4) * S(w.k1 + w.k2) * xsq.dot(sl) / S(m);
    };
    Outcome b =
        exact_outcome<S>(tr_def, tr_closed, S(abs_of<S>(tr_def) + brute_scale(P.U1, P.U2)), tol,
                         "tr D2f definition vs 8d(||DU1||^2+||DU2||^2) (64 corrected)");
    // (c) off S
    const Mat<S> Q1 = P.U1 + cast_matrix<S>(inst.rng.normal_matrix(d, w.k1)) / S(2);
    const Mat<S> Q2 = P.U2 + cast_matrix<S>(inst.rng.normal_matrix(d, w.k2)) / S(2);
    const S off_def = sym_trace_definition<S>(inst.A, inst.b, Q1, Q2);
    const Vec<S> res = inst.A.apply(Q1 * Q1.transpose() - Q2 * Q2.transpose()) - inst.b;
    const Vec<S> AI = inst.A.apply(Mat<S>::Identity(d, d));
    const S coeff = S(4) * S(w.k1 - w.k2) / S(m);
    const S extra = coeff * res.dot(AI);
    const S main = sym_trace_closed<S>(inst.A, D, Q1, Q2);
    const S off_scale = main + abs_of<S>(coeff) * res.cwiseAbs().dot(AI) + brute_scale(Q1, Q2);
    Outcome c = exact_outcome<S>(off_def, S(main + extra), off_scale, tol,
                                 "off S: tr def vs 8d(...) + (4/m)(k1-k2)<res, A(I)>");
    Outcome o = worst_of(Kind::exact, {a, b, c});
    o.regime = std::string(w.k1 == w.k2 ? "k1=k2" : "k1!=k2") +
               (shape.k > shape.r ? " k>r" : " k=r") + (d == 1 ? " d=1" : "");
    return o;
  }
};

// ---------------------------------------------------------------------------------------------
// A Lemma 7.3, corrected: X = U1U1^T - U2U2^T with U_i in R^{d x k_i} exists iff X has at most
// k1 (strictly) positive and k2 (strictly) negative eigenvalues. The lemma prints "non-negative"
// and "non-positive", which is false (X = 0 = 0 0^T - 0 0^T for all k1, k2, but has d
// non-negative eigenvalues); its proof counts the strictly positive ones.
//  (1 => 2) X from random Gaussian U1 (d x k1), U2 (d x k2): inertia(X, tol) with
//           tol = kRankTolEps eps (||U1||^2 + ||U2||^2) (the size of the rounding of X: exact
//           zero eigenvalues come out as O(eps ||U||^2)) has p <= k1, q <= k2; and sym_factors
//           decomposes X again with these widths (reconstruction to eps).
//  (2 => 1) X = Q diag(lambda) Q^T with p eigenvalues in [0.5, 2], q in [-2, -0.5], d - p - q
//           zeros (p, q random, Q orthogonal in S): sym_factors(X, k1, k2) returns factors with
//           U1U1^T - U2U2^T = X to eps exactly when p <= k1 and q <= k2, and refuses
//           (InvalidArgument) otherwise.
// Reconstruction errors are eps-sized relative to ||X||_F (||U||^2 for (1 => 2)): 1e4 eps.
// Negative control: the printed statement (counts of non-negative / non-positive eigenvalues):
// rejected wherever it disagrees with the truth, i.e. where X has zero eigenvalues that the
// widths do not cover; applicable exactly there.
template <class S> struct L73 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    const Widths w = split_widths(shape, inst.rng);
    const Index d = shape.d1;
    const double tol = kExactEps;
    const S eps = ScalarTraits<S>::epsilon();
    auto corrected = [&](Index p, Index q) { return p <= w.k1 && q <= w.k2; };
    auto printed = [&](Index p, Index q) { return d - q <= w.k1 && d - p <= w.k2; };
    std::vector<Outcome> parts;

    // (1 => 2)
    const SymFactors<S> U{cast_matrix<S>(inst.rng.normal_matrix(d, w.k1)),
                          cast_matrix<S>(inst.rng.normal_matrix(d, w.k2))};
    const Mat<S> X1 = symmetric_part<S>(difference_of_squares<S>(U));
    const S usize = factor_norm_sq<S>(U.U1, U.U2);
    const Inertia in1 = inertia<S>(X1, S(kRankTolEps) * eps * usize);
    const std::string c1 = "X=U1U1'-U2U2' has (p,q)=(" + std::to_string(in1.positive) + "," +
                           std::to_string(in1.negative) + "), k=(" + std::to_string(w.k1) + "," +
                           std::to_string(w.k2) + ")";
    const bool right1 = corrected(in1.positive, in1.negative);
    const bool wrong1 = printed(in1.positive, in1.negative);
    // (2 => 1)
    const Index p = Index(inst.rng.below(std::uint64_t(d + 1)));
    const Index q = Index(inst.rng.below(std::uint64_t(d - p + 1)));
    Vec<S> lambda = Vec<S>::Zero(d);
    for (Index i = 0; i < p; ++i) lambda(i) = S(inst.rng.uniform(0.5, 2.0));
    for (Index i = p; i < p + q; ++i) lambda(i) = S(-inst.rng.uniform(0.5, 2.0));
    const Mat<S> Q = random_orthogonal<S>(inst.rng, d);
    const Mat<S> X2 = symmetric_part<S>(Q * lambda.asDiagonal() * Q.transpose());
    bool decomposed = false;
    std::string refusal;
    SymFactors<S> F;
    try {
      F = sym_factors<S>(X2, w.k1, w.k2);
      decomposed = true;
    } catch (const InvalidArgument& e) {
      refusal = e.what();
    }
    const std::string c2 = "X with (p,q)=(" + std::to_string(p) + "," + std::to_string(q) + ") " +
                           (decomposed ? "decomposed" : "refused");

    if (v == Variant::negative_control) {
      // the printed statement: X from a decomposition has at most k1 non-negative and k2
      // non-positive eigenvalues, and X2 decomposes iff its counts satisfy that
      Outcome o =
          worst_of(Kind::exact, {logical<S>(wrong1, "printed: " + c1),
                                 logical<S>(printed(p, q) == decomposed, "printed: " + c2)});
      o.applicable = wrong1 != right1 || printed(p, q) != corrected(p, q);
      o.regime = split_regime(shape, w);
      return o;
    }
    parts.push_back(logical<S>(right1, c1));
    // X1 decomposes again with the same widths
    try {
      const SymFactors<S> G = sym_factors<S>(X1, w.k1, w.k2);
      parts.push_back(exact_outcome<S>((difference_of_squares<S>(G) - X1).norm(), S(0), usize, tol,
                                       "sym_factors(X1) reconstructs X1"));
    } catch (const InvalidArgument& e) {
      parts.push_back(logical<S>(false, std::string("sym_factors refused X1: ") + e.what()));
    }
    // X2: decomposed exactly when the corrected condition holds
    parts.push_back(
        logical<S>(decomposed == corrected(p, q), c2 + (refusal.empty() ? "" : ": " + refusal)));
    const Inertia in2 = inertia<S>(X2, S(kRankTolEps) * eps * S(2));
    parts.push_back(logical<S>(in2.positive == p && in2.negative == q, "inertia(X2) as built"));
    if (decomposed) {
      const bool dims =
          F.U1.rows() == d && F.U1.cols() == w.k1 && F.U2.rows() == d && F.U2.cols() == w.k2;
      parts.push_back(logical<S>(dims, "factor sizes d x k1, d x k2"));
      const S sc = X2.norm() > S(0) ? S(X2.norm()) : S(1);
      parts.push_back(exact_outcome<S>((difference_of_squares<S>(F) - X2).norm(), S(0), sc, tol,
                                       "sym_factors(X2) reconstructs X2"));
    }
    Outcome o = worst_of(Kind::exact, parts);
    o.regime = std::string(corrected(p, q) ? "decomposable" : "refused") +
               (p + q < d ? " zero eigenvalues" : "") + (d == 1 ? " d=1" : "");
    return o;
  }
};

// ---------------------------------------------------------------------------------------------
// A Lemma 7.4: for symmetric X admitting a decomposition with widths (k1, k2),
// ||X||_* = min ||U1||^2 + ||U2||^2 over X = U1U1^T - U2U2^T.
//  * the eigen-built factors U_i = [P_i Lambda_i^{1/2}, 0] (sym_factors) attain it (exact);
//  * other decompositions of the same X: [U1, U2] H with H in O(k1, k2) (rotations and
//    hyperbolic mixing), and [U1, W], [U2, W] (the same columns added to both), reproduce X to
//    eps and have ||U1||^2 + ||U2||^2 >= ||X||_*;
//  * the triangle-inequality half for arbitrary factors: ||U1U1^T - U2U2^T||_* <= ||U1||^2 +
//    ||U2||^2 at random Gaussian (U1, U2).
// X = the instance truth M (r1 positive, r2 negative eigenvalues; k1 >= r1, k2 >= r2).
// Tolerance 1e4 eps relative to ||X||_* (resp. ||U||^2): eigen/SVD and products of size d.
// Negative control: the constant of the rectangular identity (10), ||X||_* = (||U1||^2 +
// ||U2||^2)/2, at the eigen-built factors (rejected on every shape).
template <class S> struct L74 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    const Widths w = split_widths(shape, inst.rng);
    const Index d = shape.d1;
    const double tol = kExactEps;
    const Mat<S> X = symmetric_part<S>(inst.M);
    const S nx = nuclear_norm<S>(X);
    const SymFactors<S> F = sym_factors<S>(X, w.k1, w.k2);
    const S val = factor_norm_sq<S>(F.U1, F.U2);
    if (v == Variant::negative_control) {
      Outcome o =
          exact_outcome<S>(val / S(2), nx, nx, tol, "control: (||U1||^2+||U2||^2)/2 = ||X||_*");
      o.regime = split_regime(shape, w);
      return o;
    }
    std::vector<Outcome> parts;
    parts.push_back(exact_outcome<S>(val, nx, nx, tol, "eigen-built ||U1||^2+||U2||^2 = ||X||_*"));
    parts.push_back(exact_outcome<S>((difference_of_squares<S>(F) - X).norm(), S(0), X.norm(), tol,
                                     "eigen-built factors reproduce X"));
    // hyperbolic mixing
    const SymFactors<S> G = apply_hyperbolic<S>(F, random_hyperbolic<S>(inst.rng, w.k1, w.k2, 0.5));
    const S gval = factor_norm_sq<S>(G.U1, G.U2);
    parts.push_back(exact_outcome<S>((difference_of_squares<S>(G) - X).norm(), S(0), gval, tol,
                                     "[U1,U2]H reproduces X"));
    parts.push_back(bound_as_exact<S>(nx, gval, nx, tol, "||X||_* <= value of [U1,U2]H"));
    // the same columns added to both
    const Index nw = 1 + Index(inst.rng.below(2));
    const Mat<S> W = cast_matrix<S>(inst.rng.normal_matrix(d, nw));
    SymFactors<S> E{Mat<S>(d, w.k1 + nw), Mat<S>(d, w.k2 + nw)};
    E.U1 << F.U1, W;
    E.U2 << F.U2, W;
    const S eval = factor_norm_sq<S>(E.U1, E.U2);
    parts.push_back(exact_outcome<S>((difference_of_squares<S>(E) - X).norm(), S(0), eval, tol,
                                     "[U1,W],[U2,W] reproduce X"));
    parts.push_back(bound_as_exact<S>(nx, eval, nx, tol, "||X||_* <= value of [U1,W],[U2,W]"));
    // the triangle inequality for arbitrary factors
    const Mat<S> R1 = cast_matrix<S>(inst.rng.normal_matrix(d, w.k1));
    const Mat<S> R2 = cast_matrix<S>(inst.rng.normal_matrix(d, w.k2));
    const S rval = factor_norm_sq<S>(R1, R2);
    parts.push_back(bound_as_exact<S>(
        nuclear_norm<S>(symmetric_part<S>(R1 * R1.transpose() - R2 * R2.transpose())), rval,
        rval > S(0) ? rval : S(1), tol, "||U1U1'-U2U2'||_* <= ||U1||^2+||U2||^2 (random U)"));
    Outcome o = worst_of(Kind::exact, parts);
    o.regime = split_regime(shape, w) + (shape.k > shape.r ? " padded" : " k=r");
    return o;
  }
};

// ---------------------------------------------------------------------------------------------
// A Theorem 7.5, the optimality half. X* = the solver's minimiser of (69) (solve_flat with the
// quadratic map solves min ||X||_* s.t. A(D^-1 X D^-1) = b over all d x d matrices; its symmetric
// part is feasible with no larger nuclear norm, so the symmetric part is a minimiser of (69), and
// of the unconstrained program: the optimal values agree). `solved` required, else this half is
// skipped ("opt: not solved"). When X* has at most k1 positive and k2 negative eigenvalues it is
// feasible for (68), hence minimises (68), and by items 1 and 3 (with (67) read without its 1/2,
// as corrected above) U_i = [D^-1 P_i Lambda_i^{1/2}, 0] minimises (67) with
// ||DU1||^2 + ||DU2||^2 = ||X*||_*; otherwise "opt: inertia X* > (k1,k2)". With
// u = tau_S max(1, ||X*||_*) (solver_support.hpp) and V(U) = ||DU1||^2 + ||DU2||^2:
//  (a) ||X*||_* <= lower + u, lower = <b, y>/||B^* y||_op, B^* y = D^-1 A^*(y) D^-1 (recomputed);
//  (b) A(U1U1^T - U2U2^T) = b to the solver's primal tolerance tau_S max(1,||b||)(1 + ||B||_F);
//  (c) V(U) = ||X*||_* (exact, rounding only);
//  (d) no feasible pair does better: V(U') >= ||X*||_* - u - |<A(U1'U1'^T - U2'U2'^T) - b, y>| /
//      ||B^* y||_op for U' = the orbit [U1, U2]H (H in O(k1, k2)); the D-flat factors of the
//      truth M; the D-flat and the plain eigen factors of the solver's nuclear-norm minimiser X_n
//      (inertia permitting); and, when m < d(d+1)/2, the D-flat factors of M + N for a random
//      symmetric N in the kernel of A (inertia permitting): another feasible matrix. (For
//      m >= d(d+1)/2 and independent x_i x_i^T, M is the only feasible symmetric matrix and the
//      candidates above are all its decompositions; in this row's spec, m >= 2rd, that is the
//      common case, so the kernel point is rare.)
template <class S> bool symmetric_kernel_direction(Instance<S>& inst, Mat<S>& N) {
  const Index d = inst.A.d1(), m = inst.A.m();
  if (2 * m >= d * (d + 1)) return false;  // m >= d(d+1)/2: generically no kernel
  const Mat<S> G0 = cast_matrix<S>(inst.rng.normal_matrix(d, d));
  const Mat<S> Z = symmetric_part<S>(G0);
  const Mat<S> Ad = inst.A.dense();
  const Svd<S> g = svd<S>(Mat<S>(Ad * Ad.transpose()));  // G = A A^*, pseudo-inverse by its SVD
  Vec<S> w = g.U.transpose() * inst.A.apply(Z);
  for (Index i = 0; i < w.size(); ++i) {
    const bool kept = g.s(i) > S(1e3) * S(double(m)) * ScalarTraits<S>::epsilon() * g.s(0);
    w(i) = kept ? S(w(i) / g.s(i)) : S(0);
  }
  N = symmetric_part<S>(Mat<S>(Z - inst.A.adjoint(Vec<S>(g.V * w))));
  return N.norm() > S(1e-6) * Z.norm();
}

template <class S>
std::vector<Outcome> t75_optimality(Instance<S>& inst, const Mat<S>& D, const Widths& w,
                                    std::string& regime) {
  const double tol = kExactEps;
  const Rescaling<S> DD{D, D};
  const Solved<S> F = solve_flat_rows<S>(inst.A, inst.b, DD);
  if (!F.ok) {
    regime = "opt: not solved";
    return {};
  }
  SymFactors<S> U;
  try {
    U = flat_sym_factors<S>(F.X, D, w.k1, w.k2);
  } catch (const InvalidArgument&) {
    regime = "opt: inertia X* > (k1,k2)";
    return {};
  }
  regime = "opt: solved";
  const S tau(solver_tolerance<S>());
  auto V = [&D](const SymFactors<S>& f) {
    return (D * f.U1).squaredNorm() + (D * f.U2).squaredNorm();
  };
  std::vector<Outcome> parts;
  parts.push_back(bound_within_exact<S>(F.value, S(F.lower + F.u), F.value, tol,
                                        "(a) (69) ||X*||_* <= <b,y>/||B*y||_op + u"));
  const Mat<S> Di = spd_inverse<S>(D, "D");
  const S Bf = inst.A.composed(Di, Di).dense().norm();
  const S bnorm = inst.b.norm() + inst.M.norm();
  const S res = (inst.A.apply(difference_of_squares<S>(U)) - inst.b).norm();
  parts.push_back(bound_within_exact<S>(res, S(tau * F.bscale * (S(1) + Bf)), bnorm, tol,
                                        "(b) factor map of X*: ||A(U1U1'-U2U2')-b|| <= "
                                        "tau max(1,|b|)(1+|B|_F)"));
  parts.push_back(exact_outcome<S>(V(U), F.value, F.value, tol,
                                   "(c) ||DU1||^2+||DU2||^2 at the factor map of X* = ||X*||_*"));
  auto candidate = [&](const SymFactors<S>& C, const std::string& what) {
    const S infeas =
        abs_of<S>(S((inst.A.apply(difference_of_squares<S>(C)) - inst.b).dot(F.y))) / F.ynorm;
    parts.push_back(bound_within_exact<S>(S(F.value - F.u - infeas), V(C), F.value, tol,
                                          "(d) " + what +
                                              ": ||DU1'||^2+||DU2'||^2 >= ||X*||_* - u - infeas"));
  };
  // each candidate only when its inertia fits the widths (sym_factors refuses otherwise)
  auto try_candidate = [&](auto make, const std::string& what) {
    try {
      candidate(make(), what);
      return true;
    } catch (const InvalidArgument&) {
      return false;
    }
  };
  candidate(apply_hyperbolic<S>(U, random_hyperbolic<S>(inst.rng, w.k1, w.k2, 0.5)),
            "orbit [U1,U2]H");
  const Mat<S> M = symmetric_part<S>(inst.M);
  // the D-flat factors of a symmetric matrix Y
  const auto flat_factors_of = [&](const Mat<S>& Y) {
    return flat_sym_factors<S>(symmetric_part<S>(Mat<S>(D * Y * D)), D, w.k1, w.k2);
  };
  try_candidate([&] { return flat_factors_of(M); }, "D-flat factors of M");
  const Solved<S> N = solve_nuclear_rows<S>(inst.A, inst.b);
  if (N.ok && N.value > S(0)) {
    try_candidate([&] { return flat_factors_of(N.X); }, "D-flat factors of X_n");
    try_candidate([&] { return sym_factors<S>(N.X, w.k1, w.k2); }, "eigen factors of X_n");
  }
  Mat<S> K;
  if (symmetric_kernel_direction<S>(inst, K)) {
    const Mat<S> X2 = symmetric_part<S>(Mat<S>(M + K * S(S(0.5) * M.norm() / K.norm())));
    if (try_candidate([&] { return flat_factors_of(X2); }, "D-flat factors of M + N (N in ker A)"))
      regime += " +kernel point";
  }
  return parts;
}

// Negative control of the optimality half: "flat = norm-minimal", the eigen factors (without
// D^-1) of the nuclear-norm minimiser X_n claimed to attain ||X*||_* with ||DU1||^2 + ||DU2||^2.
// Coincides with the statement when D is a multiple of the identity or X_n is semidefinite
// (covariance estimation: every decomposition of a PSD X has ||DU||^2 = tr(DXD) = ||DXD||_*).
// Tag "ctl-opt: rejected/accepted/coincides/skipped".
template <class S>
bool t75_optimality_control(Instance<S>& inst, const Mat<S>& D, const Widths& w, Outcome& out,
                            std::string& regime) {
  const Solved<S> F = solve_flat_rows<S>(inst.A, inst.b, Rescaling<S>{D, D});
  const Solved<S> N = solve_nuclear_rows<S>(inst.A, inst.b);
  regime = "ctl-opt: skipped";
  if (!F.ok || !N.ok || !(N.value > S(0))) return false;
  SymFactors<S> E;
  try {
    flat_sym_factors<S>(F.X, D, w.k1, w.k2);  // the statement's applicability
    E = sym_factors<S>(N.X, w.k1, w.k2);
  } catch (const InvalidArgument&) {
    return false;
  }
  // for a semidefinite X_n every decomposition has ||DU1||^2 + ||DU2||^2 = tr(D X_n D) =
  // ||D X_n D||_*: the control coincides with the statement there
  const Inertia in = inertia<S>(N.X, S(S(kRankTolEps) * ScalarTraits<S>::epsilon() * N.X.norm()));
  if (in.positive == 0 || in.negative == 0) {
    regime = "ctl-opt: coincides (X_n semidefinite)";
    return false;
  }
  const S vn = (D * E.U1).squaredNorm() + (D * E.U2).squaredNorm();
  out = exact_outcome<S>(vn, F.value, F.value, kExactEps,
                         "control: eigen factors of X_n attain ||X*||_*");
  regime = out.holds ? "ctl-opt: accepted" : "ctl-opt: rejected";
  return true;
}

// A Theorem 7.5, the factor-map half (the optimality half: t75_optimality above). D of (63)
// (= rescaling(A).D1 for the quadratic map) must be invertible (hypothesis; not applicable when
// cond(D) >= 1e6, see below). X = D M D is feasible for (68) (A(D^-1 X D^-1) = A(M), inertia (r1,
// r2)).
//  * flat_sym_factors: U_i = [D^-1 P_i Lambda_i^{1/2}, 0] is feasible for (67):
//    A(U1U1^T - U2U2^T) = A(M); the map back gives D(U1U1^T - U2U2^T)D = X;
//  * values: ||DU1||^2 + ||DU2||^2 = ||X||_* (Lemma 7.4 applied to DU_i), i.e. the objective
//    of (67), which carries a factor 1/2, equals ||X||_*/2 at corresponding points. As printed,
//    item 1 ("the optimal values of (67) and (68) are equal") is off by this factor 2: correct
//    is opt(67) = opt(68)/2 (equivalently: equal values for (67) without the 1/2, as in
//    Lemma 7.4). The 1/2 does not change the minimisers, so items 2-3 are unaffected.
//  * no other point of the feasible orbit [U1, U2]H (H in O(k1, k2)) has a smaller value:
//    ||DU1'||^2 + ||DU2'||^2 >= ||D(U1'U1'^T - U2'U2'^T)D||_*.
// Tolerance 1e4 eps relative to ||X||_* (values), ||X||_F (map back) and ||M|| (sum ||x_l||^4)^1/2
// (feasibility: |A(E)_l| <= ||x_l||^2 ||E||); m >= 2rd keeps cond(D) moderate.
// Negative control: the printed item 1, (1/2)(||DU1||^2 + ||DU2||^2) = ||X||_* (rejected on
// every shape), together with the optimality half's control (t75_optimality_control, reported
// by its regime tag). (The map without D^-1, infeasible unless D = I, is a property-file test.)
template <class S> struct T75 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    if (inst.empty()) return not_applicable("no measurements");
    const Widths w = split_widths(shape, inst.rng);
    const double tol = kExactEps;
    const Mat<S> D = rescaling(inst.A).D1;
    // hypothesis: D invertible, numerically cond(D) < 1e6 in every precision (flat_sym_factors
    // refuses cond(D)^2 >= 1/(1e3 eps), i.e. cond(D) >= 2.1e6 in double: D is the square root of
    // a Gram matrix, so a singular one comes out with cond ~ 1/sqrt(eps))
    if (!(spd_condition<S>(D) < S(1e6))) return not_applicable("D singular (cond(D) >= 1e6)");
    const Mat<S> M = symmetric_part<S>(inst.M);
    const Mat<S> X = symmetric_part<S>(D * M * D);
    const S nx = nuclear_norm<S>(X);
    const SymFactors<S> F = flat_sym_factors<S>(X, D, w.k1, w.k2);
    const S val = (D * F.U1).squaredNorm() + (D * F.U2).squaredNorm();
    if (v == Variant::negative_control) {
      std::vector<Outcome> cparts{
          exact_outcome<S>(val / S(2), nx, nx, tol,
                           "control: printed (67) value (1/2)(||DU1||^2+||DU2||^2) = ||X||_*")};
      Outcome c;
      std::string opt_regime;
      if (t75_optimality_control<S>(inst, D, w, c, opt_regime)) cparts.push_back(c);
      Outcome o = worst_of(Kind::exact, cparts);
      o.regime = split_regime(shape, w) + " | " + opt_regime;
      return o;
    }
    const Mat<S> UU = difference_of_squares<S>(F);
    const Vec<S> res = inst.A.apply(UU) - inst.b;
    const S fscale = M.norm() * S(inst.A.left().rowwise().squaredNorm().norm());
    std::vector<Outcome> parts;
    parts.push_back(exact_outcome<S>(res.norm(), S(0), fscale, tol, "A(U1U1'-U2U2') = A(M)"));
    parts.push_back(
        exact_outcome<S>((D * UU * D - X).norm(), S(0), X.norm(), tol, "D(U1U1'-U2U2')D = X"));
    parts.push_back(
        exact_outcome<S>(val, nx, nx, tol, "||DU1||^2+||DU2||^2 = ||X||_*  ((67) = (68)/2)"));
    // the orbit of feasible points
    const SymFactors<S> G = apply_hyperbolic<S>(F, random_hyperbolic<S>(inst.rng, w.k1, w.k2, 0.5));
    const S gval = (D * G.U1).squaredNorm() + (D * G.U2).squaredNorm();
    const Mat<S> XG = symmetric_part<S>(D * difference_of_squares<S>(G) * D);
    parts.push_back(
        bound_as_exact<S>(nuclear_norm<S>(XG), gval, nx, tol,
                          "||D(U1'U1'-U2'U2')D||_* <= ||DU1'||^2+||DU2'||^2 on the orbit"));
    std::string opt_regime;
    const std::vector<Outcome> opt = t75_optimality<S>(inst, D, w, opt_regime);
    parts.insert(parts.end(), opt.begin(), opt.end());
    Outcome o = worst_of(Kind::exact, parts);
    o.regime = split_regime(shape, w) + (shape.k > shape.r ? " padded" : " k=r") + " | " +
               opt_regime;
    return o;
  }
};

// ---------------------------------------------------------------------------------------------
// A Lemma 7.6, identity (72): A1(Z)_i = (A_{2i-1}(Z) - A_{2i}(Z))/2, i = 1..floor(m/2), with A1
// the paired map (70) (paired_map: a_i = (x_{2i-1} + x_{2i})/sqrt2, b_i = (x_{2i-1} -
// x_{2i})/sqrt2). a_i^T Z b_i = (1/2)(x1^T Z x1 - x2^T Z x2 - x1^T Z x2 + x2^T Z x1): the cross
// terms cancel only for symmetric Z (the paper does not say so; the Z = D^-1 X D^-1 of (69) are
// symmetric, which is what the lemma needs). Checked at a random symmetric Z, and at Z = M (so A(M)
// = b implies A1(M) = its pairs: feasibility carries over from (69) to (71)). Odd m: the last x is
// unused. Each entry relative to ||Z||_F (||x_{2i-1}||^2 + ||x_{2i}||^2); 1e4 eps (sums of d^2
// products). Negative control: a non-symmetric Z (Gaussian), applicable for d >= 2 (for d = 1 every
// Z is symmetric).
template <class S> struct L76 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    if (inst.A.m() < 2) return not_applicable("m < 2: the paired map is empty");
    const Index d = shape.d1, h = inst.A.m() / 2;
    const double tol = kExactEps;
    const SensingMap<S> A1 = paired_map<S>(inst.A);
    const Mat<S> G = cast_matrix<S>(inst.rng.normal_matrix(d, d));
    const Vec<S> xsq = inst.A.left().rowwise().squaredNorm();
    auto check = [&](const Mat<S>& Z, const std::string& what) {
      const Vec<S> lhs = A1.apply(Z), full = inst.A.apply(Z);
      Vec<S> rhs(h), sc(h);
      for (Index i = 0; i < h; ++i) {
        rhs(i) = (full(2 * i) - full(2 * i + 1)) / S(2);
        sc(i) = Z.norm() * (xsq(2 * i) + xsq(2 * i + 1));
      }
      return worst_entry<S>(lhs, rhs, sc, tol, what);
    };
    if (v == Variant::negative_control) {
      Outcome o = check(G, "control: (72) at a non-symmetric Z");
      o.applicable = d >= 2;
      o.regime = inst.A.m() % 2 ? "m odd" : "m even";
      return o;
    }
    Outcome a = check(symmetric_part<S>(G), "(72) at a random symmetric Z");
    Outcome b = check(symmetric_part<S>(inst.M), "(72) at Z = M");
    Outcome o = worst_of(Kind::exact, {a, b});
    o.regime = std::string(inst.A.m() % 2 ? "m odd" : "m even") + (d == 1 ? " d=1" : "");
    return o;
  }
};

}  // namespace

void register_rows_a7(std::vector<Row>& out) {
  // Square, symmetric split r = r1 + r2 with r2 in [0, r] (r2 = 0: covariance estimation,
  // r2 = r: only negative eigenvalues), d from 1, k - r in [0, 3] split between k1 and k2.
  ShapeSpec sym;
  sym.families = {FamilyId::quadratic};
  sym.square = true;
  sym.symmetric_split = true;
  sym.d_min = 1;
  sym.d_max = 5;
  sym.r_max = 3;
  sym.k_extra_max = 3;
  sym.m_min = 1;
  sym.m_hi_rd = 2.0;

  out.push_back({"A.eq59", "A (57)-(60)", Kind::exact,
                 "network output (57) u^T q(U^T x) = <U1U1^T - U2U2^T, xx^T>, teacher "
                 "v^T q(Unat^T x) = <M, xx^T>, and the loss (58) equals (60) with b = A(M)",
                 {"network_output", "network_loss", "sym_loss"},
                 {},
                 sym, kExactEps, 0, 100, false, dispatch<Eq59>()});

  out.push_back(
      {"A.L7.2", "A Lemma 7.2", Kind::exact,
       "on the solution set D^2f[V] = (2/m)||A(U1V1^T+V1U1^T-U2V2^T-V2U2^T)||^2 and tr D^2f "
       "by definition = 8d(||DU1||^2+||DU2||^2) (printed (64) says 4d: (66) drops a factor 2 "
       "of the symmetry of A_l); off it + (4/m)(k1-k2)<A(U1U1^T-U2U2^T)-b, A(I)>",
       {"rescaling", "sym_loss", "second_derivative_along", "sym_trace_closed",
        "sym_trace_definition", "sym_factors"},
       {"A-fig1", "A-fig2", "A-fig3", "A-fig4", "A-noise"},
       sym, kExactEps, 0, 100, false, dispatch<L72>()});

  ShapeSpec l73 = sym;
  l73.d_max = 6;
  out.push_back(
      {"A.L7.3", "A Lemma 7.3", Kind::exact,
       "X = U1U1^T - U2U2^T with U_i in R^{d x k_i} exists iff X has at most k1 positive and "
       "k2 negative eigenvalues (printed: non-negative / non-positive, false when X has zero "
       "eigenvalues); sym_factors decomposes exactly then and refuses otherwise",
       {"sym_factors", "inertia"},
       {},
       l73, kExactEps, 0, 100, false, dispatch<L73>()});

  out.push_back(
      {"A.L7.4", "A Lemma 7.4", Kind::exact,
       "||X||_* = min ||U1||^2 + ||U2||^2 over X = U1U1^T - U2U2^T: eigen-built factors attain "
       "it, hyperbolic mixings and added common columns are >=",
       {"sym_factors", "nuclear_norm"},
       {"A-fig2", "A-fig3", "A-fig4"},
       sym, kExactEps, 0, 100, false, dispatch<L74>()});

  ShapeSpec t75 = sym;
  t75.m_lo_rd = 1.0;  // m >= 2rd >= 2d: D invertible and well conditioned
  t75.m_hi_rd = 3.0;
  t75.m_hi_abs = 40;
  out.push_back(
      {"A.T7.5", "A Theorem 7.5", Kind::exact,
       "X = DMD; U_i = [D^-1 P_i Lambda_i^1/2, 0] is feasible for (67), maps back to X, and "
       "||DU1||^2+||DU2||^2 = ||X||_*, so opt (67) = opt (68)/2 (printed: equal; (67) has a "
       "1/2 that Lemma 7.4 has not); the orbit is >=; optimality: the factor map of the "
       "solver's minimiser X* of (69) (inertia <= (k1,k2)) is feasible with ||DU1||^2+||DU2||^2 "
       "= ||X*||_* = opt (68) (dual bound recomputed) and no feasible pair (orbit, factors of M, "
       "of the nuclear minimiser, of a kernel point) does better, up to the solver's tolerance",
       {"flat_sym_factors", "sym_factors", "solve_flat", "solve_nuclear", "nuclear_norm",
        "inertia"},
       {"A-fig1", "A-fig2", "A-fig3", "A-fig4", "B-fig1", "B-fig2", "B-thm4"},
       t75, kExactEps, 0, 100, false, dispatch<T75>()});

  ShapeSpec l76 = sym;
  l76.m_min = 2;
  l76.m_hi_abs = 25;
  out.push_back(
      {"A.L7.6", "A Lemma 7.6", Kind::exact,
       "(72): A1(Z)_i = (A_{2i-1}(Z) - A_{2i}(Z))/2 for the paired map (70) and symmetric Z "
       "(the cross terms cancel only for symmetric Z, as in (69))",
       {"paired_map"},
       {},
       l76, kExactEps, 0, 100, false, dispatch<L76>()});
}

}  // namespace flatmin::catalogue::detail
