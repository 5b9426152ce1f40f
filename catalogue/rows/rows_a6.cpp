// Catalogue rows of paper A section 6 (robust PCA): the local model (51). (A.T6.1 needs the
// convex solver and is registered elsewhere.)
#include <functional>

#include "common.hpp"
#include "flatmin/rpca.hpp"

namespace flatmin::catalogue::detail {

namespace {


// A section 6: Y = M + S_natural, Omega = {S : ||S||_{1,1} <= tau}, tau = ||S_natural||_{1,1},
// f(L,R) = dist^2_Omega(Y - LR^T) (50) and the local model at a base point (Lt, Rt)
// f_{Lt,Rt}(L,R) = ||Y - LR^T - P_Omega(Y - Lt Rt^T)||^2 (51). The paper states (after (51)) that
// the local model majorises f and agrees with f to first order at the base point, and (proof of
// Thm 6.1, via Lemma 2.1) that its scaled trace at the base point is 2(||Lt||^2 + ||Rt||^2).
// Checked per trial, with M of rank r (||M||_F = 1), S_natural with at most l in {1, 2} nonzero
// N(0,1) entries per row and column (sparse_corruption, p = 0.3), and two base points: one on the
// solution set (the orbit point (L B, R B^{-T}) of the SVD factors of M: Y - Lt Rt^T = S_natural
// up to rounding) and a random Gaussian one (usually outside, where f > 0):
//  (a) bound: f(L,R) <= f_{Lt,Rt}(L,R) at a random Gaussian (L,R), for both base points
//      (P_Omega(Y - Lt Rt^T) is a feasible point of the distance); scale ||Y - LR^T||^2 + f_local;
//  (b) exact: f_{Lt,Rt}(Lt,Rt) = f(Lt,Rt), and the directional derivative of the local model at
//      the base point along a random (U,V) (first_derivative_along, h = 1: the model is a quartic
//      polynomial along the line, the rule is exact) equals <grad f(Lt,Rt), (U,V)>, where
//      grad f = (-G Rt, -G^T Lt), G = 2(Z - P_Omega(Z)), Z = Y - Lt Rt^T (Moreau: the gradient of
//      dist^2_Omega is 2(Z - P_Omega Z)), for both base points (on the solution set both are ~0);
//      scale: a bound on the stencil values, (||r|| + 2||X|| + 4||W||)^2 with r = Lt Rt^T - W_t,
//      X = Lt V^T + U Rt^T, W = U V^T (the rule's rounding is a few eps times the values it uses);
//  (c) exact: the local model equals the A = I loss ||LR^T - W_t||^2 with b = row-major vec of
//      W_t = Y - P_Omega(Y - Lt Rt^T) (SensingMap::identity), and its str by definition (2) at the
//      base point is 2(||Lt||^2 + ||Rt||^2), for both base points; scale str + 2k f_local(base):
//      every loss value the definition combines is at least f_local(base) (~0 on the solution
//      set, O(1) at the random base, where a small (Lt, Rt) made |rhs| alone fail at 1.5e3 eps
//      by conditioning), and each of the 2k column blocks contributes one such combination.
// Negative control: the first-order check with the gradient of dist^2 taken as Z - P_Omega(Z)
// (the gradient of (1/2) dist^2, the factor 2 lost); applicable where that gradient is not
// negligible along (U,V) (|<grad f,(U,V)>| > 1e-8 times the stencil scale), i.e. base outside
// Omega.
// Tolerance 1e4 eps: the projection is a sort and a cumulative sum of d1 d2 <= 36 entries, the
// str is the brute-force sum of A.L3.1.
template <class S> struct S6 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    const Index d1 = shape.d1, d2 = shape.d2, k = shape.k;
    const double tol = kExactEps;
    const Index per_line = 1 + Index(inst.rng.below(2));
    const Mat<S> Snat = cast_matrix<S>(sparse_corruption(inst.rng, d1, d2, per_line, 0.3, 1.0));
    const Mat<S> Y = inst.M + Snat;
    const S tau = l1_norm<S>(Snat);

    Factors<S> on_S = svd_factors<S>(inst.M, k);
    {
      const Mat<S> B = cast_matrix<S>(random_invertible(inst.rng, k));
      on_S = {on_S.L * B, on_S.R * inverse<S>(B, "orbit matrix B").transpose()};
    }
    const Factors<S> rnd{cast_matrix<S>(inst.rng.normal_matrix(d1, k)),
                         cast_matrix<S>(inst.rng.normal_matrix(d2, k))};
    const Mat<S> L = cast_matrix<S>(inst.rng.normal_matrix(d1, k));
    const Mat<S> R = cast_matrix<S>(inst.rng.normal_matrix(d2, k));
    const Mat<S> U = cast_matrix<S>(inst.rng.normal_matrix(d1, k));
    const Mat<S> V = cast_matrix<S>(inst.rng.normal_matrix(d2, k));

    // first-order comparison at a base point: (derivative by definition, gradient prediction,
    // stencil scale)
    struct FirstOrder {
      S deriv, pred, scale;
    };
    auto first_order = [&](const Factors<S>& base) {
      std::function<S(const S&)> p = [&](const S& t) {
        return rpca_local_model<S>(Y, tau, base.L, base.R, base.L + t * U, base.R + t * V);
      };
      const S deriv = first_derivative_along<S>(p, S(1));
      const Factors<S> g = rpca_gradient<S>(Y, tau, base.L, base.R);
      const S pred = (g.L.array() * U.array()).sum() + (g.R.array() * V.array()).sum();
      const Mat<S> Wt = rpca_local_target<S>(Y, tau, base.L, base.R);
      const S s = (base.L * base.R.transpose() - Wt).norm() +
                  S(2) * (base.L * V.transpose() + U * base.R.transpose()).norm() +
                  S(4) * (U * V.transpose()).norm();
      return FirstOrder{deriv, pred, S(s * s)};
    };

    const FirstOrder fo_rnd = first_order(rnd);
    const bool outside = l1_norm<S>(Mat<S>(Y - rnd.L * rnd.R.transpose())) > tau;
    std::string regime = "l=" + std::to_string(per_line) + (tau == S(0) ? " S=0" : "") +
                         (outside ? "" : " random base inside Omega");
    if (shape.d1 == 1 || shape.d2 == 1) regime += " d=1";

    if (v == Variant::negative_control) {
      Outcome c = exact_outcome<S>(fo_rnd.deriv, S(fo_rnd.pred / S(2)), fo_rnd.scale, tol,
                                   "control: first order with grad dist^2 = Z - P(Z)");
      c.applicable = hypothesis_exceeds<S>(c, S(abs_of(fo_rnd.pred)), S(S(1e-8) * fo_rnd.scale),
                                         "|prediction| > 1e-8 scale");
      c.regime = regime;
      return c;
    }

    std::vector<Outcome> parts;
    std::string notes;
    const SensingMap<S> Aid = SensingMap<S>::identity(d1, d2);
    const Factors<S>* bases[] = {&on_S, &rnd};
    const char* names[] = {"base on S", "random base"};
    for (int i = 0; i < 2; ++i) {
      const Factors<S>& base = *bases[i];
      const std::string nm = names[i];
      // (a) majorisation at (L, R)
      const S f_LR = rpca_loss<S>(Y, tau, L, R);
      const S g_LR = rpca_local_model<S>(Y, tau, base.L, base.R, L, R);
      const S zn = (Y - L * R.transpose()).squaredNorm();
      Outcome maj = bound_outcome<S>(f_LR, g_LR, S(zn + g_LR), tol,
                                     nm + ": (a) dist^2(Y-LR') <= local model");
      if (!maj.holds)
        parts.push_back(exact_outcome<S>(S(1), S(0), S(1), 0, maj.detail));
      else
        notes += "; " + maj.detail;
      // (b) value and first order at the base point
      const S f_b = rpca_loss<S>(Y, tau, base.L, base.R);
      const S g_b = rpca_local_model<S>(Y, tau, base.L, base.R, base.L, base.R);
      const S zb = (Y - base.L * base.R.transpose()).squaredNorm();
      parts.push_back(exact_outcome<S>(g_b, f_b, S(zb + f_b), tol, nm + ": (b) value at the base"));
      const FirstOrder fo = i == 0 ? first_order(base) : fo_rnd;
      parts.push_back(exact_outcome<S>(fo.deriv, fo.pred, fo.scale, tol,
                                       nm + ": (b) D f_local[U,V] = <2(Z-P(Z)) chained, (U,V)>"));
      // (c) the local model is the A = I loss with target W_t; its str at the base point
      const Mat<S> Wt = rpca_local_target<S>(Y, tau, base.L, base.R);
      const Vec<S> bvec = Aid.apply(Wt);
      const S as_loss = loss<S>(Aid, bvec, L, R);
      parts.push_back(exact_outcome<S>(as_loss, g_LR, g_LR, tol,
                                       nm + ": (c) local model = ||LR' - W_t||^2"));
      const S str_def = scaled_trace_definition<S>(Aid, bvec, base.L, base.R);
      const S str_cl = S(2) * (base.L.squaredNorm() + base.R.squaredNorm());
      parts.push_back(exact_outcome<S>(str_def, str_cl, S(str_cl + S(2 * k) * g_b), tol,
                                       nm + ": (c) str definition = 2(|Lt|^2+|Rt|^2)"));
    }
    Outcome o = worst_of(Kind::exact, parts);
    o.detail += notes;
    // Invariant: P_Omega is the projection, checked by its optimality conditions rather than
    // against itself (every part above has P_Omega on both sides). For each Z the row projects
    // (Y - Lt Rt^T at both bases, Y - L R^T) with P = P_Omega(Z), R = Z - P:
    //   feasible   ||P||_1 <= tau;
    //   optimal    <R, q - P> <= 0 at the vertices q = +-tau e_ij of the ball, i.e.
    //              tau ||R||_inf <= <R, P> (with feasibility this characterises the projection:
    //              the inequality then holds on the convex hull of the vertices, the ball;
    //              for Z inside the ball it forces R = 0);
    //   threshold  l1_projection_threshold(Z, tau) = ||R||_inf (0 inside the ball).
    // Scales: ||Z||_1 + tau for the norms, (||Z||_1 + tau) ||Z||_inf for the inner products.
    Invariants inv;
    const Mat<S> Zs[] = {Mat<S>(Y - on_S.L * on_S.R.transpose()),
                         Mat<S>(Y - rnd.L * rnd.R.transpose()), Mat<S>(Y - L * R.transpose())};
    const char* znames[] = {"Y - Lt Rt' (base on S)", "Y - Lt Rt' (random base)", "Y - L R'"};
    for (int i = 0; i < 3; ++i) {
      const Mat<S>& Z = Zs[i];
      const Mat<S> P = project_l1_ball<S>(Z, tau);
      const Mat<S> Rz = Z - P;
      S zinf(0), rinf(0);
      for (Index j = 0; j < Z.cols(); ++j)
        for (Index a = 0; a < Z.rows(); ++a) {
          zinf = std::max<S>(zinf, abs_of<S>(Z(a, j)));
          rinf = std::max<S>(rinf, abs_of<S>(Rz(a, j)));
        }
      const S zn = l1_norm<S>(Z);
      const S sc = zn + tau + S(1e-300), sc2 = S(sc * zinf + S(1e-300));
      const std::string at = std::string(" at Z = ") + znames[i];
      inv.at_most<S>(l1_norm<S>(P), tau, sc, tol, "projection feasible: ||P||_1 <= tau" + at);
      inv.at_most<S>(S(tau * rinf), S((Rz.array() * P.array()).sum()), sc2, tol,
                     "projection optimal: tau ||Z-P||_inf <= <Z-P, P>" + at);
      inv.near<S>(l1_projection_threshold<S>(Z, tau), zn <= tau ? S(0) : rinf, sc, tol,
                  "threshold = ||Z-P||_inf" + at);
    }
    o = inv.applied_to(o);
    o.regime = regime;
    return o;
  }
};

}  // namespace

void register_rows_a6(std::vector<Row>& out) {
  ShapeSpec spec;
  spec.families = {FamilyId::identity};  // the map is unused: Y is observed entrywise
  spec.d_min = 1;                        // d = 1: Y a row/column vector
  spec.d_max = 6;
  spec.r_max = 3;
  spec.k_extra_max = 2;
  out.push_back({"A.S6", "A Sec. 6", Kind::exact,
                 "robust PCA local model (51): majorises dist^2_Omega(Y - LR^T), equals it at the "
                 "base point with the same derivative (grad dist^2 = 2(Z - P_Omega Z)), and its str "
                 "by definition is 2(||L||^2+||R||^2)",
                 {"rpca_local_model", "rpca_local_target", "rpca_loss", "rpca_gradient",
                  "project_l1_ball", "l1_projection_threshold", "scaled_trace_definition",
                  "first_derivative_along"},
                 {},
                 spec, kExactEps, 0, 100, false, dispatch<S6>()});
}

}  // namespace flatmin::catalogue::detail
