// A-fig1 (flat vs sharp minimum) and A-fig2 (balanced = norm-minimal = flat when A = I, and
// not otherwise): the two illustrations of paper A, drawn from computed numbers
// (docs/usage.md). Both are one cell each and identical at both scales (they are cheap).
#include <cmath>
#include <sstream>

#include "flatmin/linalg.hpp"
#include "flatmin/objective.hpp"
#include "flatmin/rng.hpp"
#include "flatmin/sensing.hpp"
#include "flatmin/solver.hpp"
#include "figures_internal.hpp"

namespace flatmin::repro {

namespace {

constexpr Index kD = 8, kRank = 2, kM = 60;  // a recovered Gaussian instance (m > dim T = 28)

struct Setting {
  SensingMap<double> A;
  Vec<double> b;
  Mat<double> M;
  Rescaling<double> D;
  Factors<double> flat;      // L_f, R_f of Thm 3.2 (rank 2)
  Factors<double> balanced;  // the balanced SVD factors of M (10)
};

Setting setting(std::uint64_t figure) {
  Rng rng = Rng::derive(kFigureSeed, {figure, 0});
  const LowRankFactors F = random_low_rank(rng, kD, kD, kRank);
  Setting s{gaussian_map(rng, kD, kD, kM), {}, assemble<double>(F), {}, {}, {}};
  s.b = s.A.apply(s.M);
  s.D = rescaling(s.A);
  const SolveResult<double> r = solve_flat(s.A, s.b, s.D);
  if (r.status != SolveStatus::solved || (r.X - s.M).norm() > 1e-9)
    throw std::runtime_error(std::string("the flat relaxation of the illustration instance was not "
                                         "solved to the truth (status ") +
                             status_name(r.status) + ")");
  s.flat = flat_factors<double>(Mat<double>(s.D.D1 * r.X * s.D.D2), s.D, kRank);
  s.balanced = svd_factors<double>(s.M, kRank);
  return s;
}

double str_of(const Setting& s, const Factors<double>& f) {
  return scaled_trace_closed(s.A, s.D, f.L, f.R);
}

// ---- A-fig1 -----------------------------------------------------------------------------------
constexpr int kSteps = 200;
constexpr double kSharpScale = 4.0;  // B = diag(4, 1/4): an unbalanced rescaling of the flat factors

// A-fig1's numbers: the loss along the slice at both points, their scaled traces and
// curvatures along the slice's direction.
struct SlicePoint {
  double t = 0, loss_flat = 0, loss_sharp = 0;
  template <class IO, class Self> static void fields(IO& io, Self& r) {
    io(r.t, r.loss_flat, r.loss_sharp);
  }
};
struct Slice {
  double str_flat = 0, str_sharp = 0;              // scaled Hessian trace, closed form (16)
  double curvature_flat = 0, curvature_sharp = 0;  // second derivative along (U, V)
  std::vector<SlicePoint> points;
  template <class IO, class Self> static void fields(IO& io, Self& r) {
    io(r.str_flat, r.str_sharp, r.curvature_flat, r.curvature_sharp, r.points);
  }
};

Slice fig1_cell(Scale, std::size_t) {
  const Setting s = setting(1);
  Factors<double> sharp = s.flat;
  sharp.L.col(0) *= kSharpScale;
  sharp.R.col(0) /= kSharpScale;
  sharp.L.col(1) /= kSharpScale;
  sharp.R.col(1) *= kSharpScale;
  // One random direction (U, V) of unit norm, the same for both curves.
  Rng rng = Rng::derive(kFigureSeed, {1, 1});
  Mat<double> U = rng.normal_matrix(kD, kRank), V = rng.normal_matrix(kD, kRank);
  const double nrm = std::sqrt(U.squaredNorm() + V.squaredNorm());
  U /= nrm;
  V /= nrm;
  Slice out;
  out.str_flat = str_of(s, s.flat);
  out.str_sharp = str_of(s, sharp);
  out.curvature_flat = hessian_form(s.A, s.b, s.flat.L, s.flat.R, U, V);
  out.curvature_sharp = hessian_form(s.A, s.b, sharp.L, sharp.R, U, V);
  for (int k = 0; k <= kSteps; ++k) {
    const double t = -0.5 + double(k) / kSteps;
    out.points.push_back({t,
                          loss(s.A, s.b, Mat<double>(s.flat.L + t * U), Mat<double>(s.flat.R + t * V)),
                          loss(s.A, s.b, Mat<double>(sharp.L + t * U), Mat<double>(sharp.R + t * V))});
  }
  return out;
}

std::vector<OutFile> fig1_files(Scale s, const std::vector<Slice>& records) {
  const Slice& sl = records.at(0);
  const std::string str_flat = fmt_real(sl.str_flat), str_sharp = fmt_real(sl.str_sharp);
  std::string csv = "t,loss_flat,loss_sharp\n";
  for (const SlicePoint& p : sl.points)
    csv += csv_line({fmt_real(p.t), fmt_real(p.loss_flat), fmt_real(p.loss_sharp)});
  std::ostringstream gp;
  gp << gnuplot_preamble("A-fig1", 800, 520, 10, "set datafile separator ','\n")
     << "  set title 'A 1-D slice of f(L,R) = ||A(LR^T) - b||^2 through two interpolating "
        "solutions'\n"
     << "  set xlabel 't  (point (L, R) + t (U, V), (U, V) a fixed random unit direction)'\n"
     << "  set ylabel 'f'\n  set key top center\n  set yrange [0:*]\n"
     << "  plot 'A-fig1.csv' skip 1 using 1:2 with lines lw 2 title 'flat (L_f, R_f): scaled Hessian trace str = "
     << str_flat << "', \\\n"
     << "       'A-fig1.csv' skip 1 using 1:3 with lines lw 2 dt 2 title 'sharp (L_f B, R_f "
        "B^{-T}), B = diag(4, 1/4): scaled Hessian trace str = "
     << str_sharp << "'\n  set output\n}\n";
  std::ostringstream cap;
  cap << "A-fig1 — flat vs sharp minimum (paper A, Figure 1), drawn from computed numbers.\n"
      << "Computed by: " << code_version() << ", flatmin reproduce, scale " << scale_name(s)
      << " (the figure is the same at both scales).\n"
      << "Instance: Gaussian matrix sensing, d = " << kD << ", rank " << kRank << ", m = " << kM
      << ", truth and map from Rng::derive(" << kFigureSeed << ", {1, 0}).\n"
      << "Flat point: the factors L_f = D1^{-1} U S^{1/2}, R_f = D2^{-1} V S^{1/2} of the flat\n"
         "  relaxation's solution (Thm 3.2; solved and equal to M). Sharp point: the same product\n"
         "  L R^T = M with the unbalanced rescaling B = diag(4, 1/4). Both interpolate (f = 0).\n"
      << "Direction: (U, V) Gaussian from Rng::derive(" << kFigureSeed
      << ", {1, 1}), scaled to unit Frobenius norm; t in [-0.5, 0.5], " << kSteps + 1
      << " points.\n"
      << "Scaled trace of the Hessian (closed form (16)): flat " << str_flat << ", sharp "
      << str_sharp << ".\nSecond derivative along (U, V): flat " << fmt_real(sl.curvature_flat)
      << ", sharp " << fmt_real(sl.curvature_sharp) << ".\n"
      << "Files: A-fig1.csv (t, loss along the slice at both points), A-fig1.gp, A-fig1.png, "
         "A-fig1.svg.\n";
  return {{"A-fig1.csv", csv}, {"A-fig1.caption.txt", cap.str()}, {"A-fig1.gp", gp.str()}};
}

// ---- A-fig2 -----------------------------------------------------------------------------------
// Path in the solution set {(L B, R B^{-T})}: B(s) = P^s with P the positive factor of the left
// polar decomposition G = P Q of G = L_b^+ L_f (L_f = L_b G, the balanced factors L_b). A right
// orthogonal factor, (L Q, R Q), changes none of the three measures, so the path runs from the
// balanced point (s = 0) through the flat point (s = 1). For A = I the same path is used on
// the same M: there the flat point is the balanced one.
Mat<double> spd_power(const Mat<double>& P, double s) {
  const SymEig<double> e = sym_eig(P);
  Vec<double> l(e.lambda.size());
  for (Index i = 0; i < l.size(); ++i) l(i) = std::exp(s * std::log(e.lambda(i)));
  return e.P * l.asDiagonal() * e.P.transpose();
}

constexpr int kPathSteps = 240;

// One point s of A-fig2's path: the scaled traces for A = I and the Gaussian A, and the two
// measures of the factors.
struct PathPoint {
  double s = 0, str_identity = 0, str_gaussian = 0;
  double norm_sq_over_2nuc = 0;     // (||L||^2 + ||R||^2) / (2 ||M||_*)
  double balance_gap_over_nuc = 0;  // ||L^T L - R^T R||_* / ||M||_*
  template <class IO, class Self> static void fields(IO& io, Self& r) {
    io(r.s, r.str_identity, r.str_gaussian, r.norm_sq_over_2nuc, r.balance_gap_over_nuc);
  }
};
struct Path {
  std::vector<PathPoint> points;
  template <class IO, class Self> static void fields(IO& io, Self& r) { io(r.points); }
};

Path fig2_cell(Scale, std::size_t) {
  const Setting s = setting(2);
  const Mat<double>& Lb = s.balanced.L;  // full column rank: L_b^+ = (L_b^T L_b)^{-1} L_b^T
  const Mat<double> G =
      inverse<double>(Mat<double>(Lb.transpose() * Lb), "L_b^T L_b") * Lb.transpose() * s.flat.L;
  const Mat<double> P = psd_sqrt<double>(G * G.transpose());  // G = P Q, Q orthogonal
  const SensingMap<double> I = SensingMap<double>::identity(kD, kD);
  const Rescaling<double> DI = rescaling(I);
  const double nuc = nuclear_norm(s.M);
  Path out;
  for (int k = 0; k <= kPathSteps; ++k) {
    const double t = -1.0 + 3.0 * k / kPathSteps;  // s = 0 and s = 1 are grid points
    const Mat<double> B = spd_power(P, t);
    const Mat<double> L = s.balanced.L * B;
    const Mat<double> R = s.balanced.R * inverse<double>(B, "B(s)").transpose();
    out.points.push_back({t, scaled_trace_closed(I, DI, L, R), scaled_trace_closed(s.A, s.D, L, R),
                          factor_norm_sq(L, R) / (2 * nuc), balance_gap(L, R) / nuc});
  }
  return out;
}

std::vector<OutFile> fig2_files(Scale s, const std::vector<Path>& records) {
  std::string csv = "s,str_identity,str_gaussian,norm_sq_over_2nuc,balance_gap_over_nuc\n";
  // Where each curve is minimal along the path (grid points, the values as printed), for the
  // caption.
  std::vector<double> best(4, INFINITY), arg(4, 0);
  for (const PathPoint& p : records.at(0).points) {
    const double v[] = {p.str_identity, p.str_gaussian, p.norm_sq_over_2nuc, p.balance_gap_over_nuc};
    csv += csv_line({fmt_real(p.s), fmt_real(v[0]), fmt_real(v[1]), fmt_real(v[2]), fmt_real(v[3])});
    for (std::size_t j = 0; j < 4; ++j)
      if (as_printed(v[j]) < best[j]) {
        best[j] = as_printed(v[j]);
        arg[j] = as_printed(p.s);
      }
  }
  std::ostringstream gp;
  gp << gnuplot_preamble("A-fig2", 1100, 480, 10, "set datafile separator ','\n")
     << "  set multiplot layout 1,2 title 'Along the solution set (L_b B(s), R_b B(s)^{-T}), "
        "B(s) = P^s: s = 0 balanced, s = 1 flat for Gaussian A'\n"
     << "  set xlabel 's'\n  set key top center\n  set yrange [0.95:*]\n"
     << "  set arrow 1 from 0, graph 0 to 0, graph 1 nohead dt 3 lc rgb 'gray'\n"
     << "  set title 'A = I: all three are minimal at s = 0'\n"
     << "  plot 'A-fig2.csv' skip 1 using 1:($2/" << fmt_real(best[0])
     << ") with lines lw 2 title 'str / min str (str: scaled Hessian trace)', \\\n"
     << "       'A-fig2.csv' skip 1 using 1:4 with lines lw 2 dt 2 title '(||L||^2+||R||^2) / "
        "(2||M||_*)', \\\n"
     << "       'A-fig2.csv' skip 1 using 1:(1+$5) with lines lw 2 dt 3 title '1 + ||L^TL - "
        "R^TR||_* / ||M||_*'\n"
     << "  set arrow 2 from 1, graph 0 to 1, graph 1 nohead dt 3 lc rgb 'gray'\n"
     << "  set title 'Gaussian A (d = " << kD << ", m = " << kM
     << "): str is minimal at s = 1, the others at s = 0'\n"
     << "  plot 'A-fig2.csv' skip 1 using 1:($3/" << fmt_real(best[1])
     << ") with lines lw 2 title 'str / min str (str: scaled Hessian trace)', \\\n"
     << "       'A-fig2.csv' skip 1 using 1:4 with lines lw 2 dt 2 title '(||L||^2+||R||^2) / "
        "(2||M||_*)', \\\n"
     << "       'A-fig2.csv' skip 1 using 1:(1+$5) with lines lw 2 dt 3 title '1 + ||L^TL - "
        "R^TR||_* / ||M||_*'\n"
     << "  unset multiplot\n  set output\n}\n";
  std::ostringstream cap;
  cap << "A-fig2 — balanced, norm-minimal and flat solutions (paper A, Figure 2), numerically.\n"
      << "Computed by: " << code_version() << ", flatmin reproduce, scale " << scale_name(s)
      << " (the figure is the same at both scales).\n"
      << "Instance: Gaussian matrix sensing, d = " << kD << ", rank " << kRank << ", m = " << kM
      << ", truth and map from Rng::derive(" << kFigureSeed << ", {2, 0}).\n"
      << "Path: (L_b B(s), R_b B(s)^{-T}) with (L_b, R_b) the balanced SVD factors of M, B(s) = "
         "P^s,\n  G = P Q the left polar decomposition of G = L_b^+ L_f (L_f the flat factors of Thm "
         "3.2 for the\n  Gaussian map; Q changes no measure); s in [-1, 2], "
      << kPathSteps + 1 << " points. Every point factors M exactly.\n"
      << "Minimisers along the path (grid points): A = I: str at s = " << fmt_real(arg[0])
      << ", ||L||^2+||R||^2 at s = " << fmt_real(arg[2]) << ", balance gap at s = "
      << fmt_real(arg[3]) << "; Gaussian A: str at s = " << fmt_real(arg[1])
      << " (the flat point s = 1), while norm and balance stay minimal at s = 0.\n"
      << "Files: A-fig2.csv (s, str for A = I, str for the Gaussian A, (||L||^2+||R||^2) / "
         "(2||M||_*),\n  ||L^T L - R^T R||_* / ||M||_*), A-fig2.gp, A-fig2.png, A-fig2.svg.\n";
  return {{"A-fig2.csv", csv}, {"A-fig2.caption.txt", cap.str()}, {"A-fig2.gp", gp.str()}};
}

std::string one_label(Scale, std::size_t) { return "the illustration"; }

}  // namespace

Figure fig1() {
  static const SweepOf<Slice> sw =
      make_sweep<Slice>("A-fig1", [](Scale) { return std::size_t(1); }, fig1_cell, one_label);
  return make_figure<Slice>("A-fig1", "flat vs sharp minimum along a slice of the loss", sw,
                            fig1_files);
}

Figure fig2() {
  static const SweepOf<Path> sw =
      make_sweep<Path>("A-fig2", [](Scale) { return std::size_t(1); }, fig2_cell, one_label);
  return make_figure<Path>("A-fig2", "balanced = norm-minimal = flat for A = I, not for Gaussian A",
                           sw, fig2_files);
}

}  // namespace flatmin::repro
