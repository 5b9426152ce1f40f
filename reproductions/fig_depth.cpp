// Depth and paper B's Theorem 4 (docs/usage.md, "depth" and "B-thm4"):
//   depth   (a) recovery probability of the flat solutions of the Hadamard-product model with
//               k = 2, 3, 4 factors, i.e. of min sum_j D_jj^2 |x_j|^{2(k-1)/k} s.t. Ax = b
//               (solve_weighted_lq), over sparsity s and measurements m;
//           (b) paper B's single-measurement penalty (A = I, symmetric M, Theorem 7 (24)):
//               the unit balls of F(M) / L = sum_i sigma_i^{2(L-1)/L} for L = 2, 3, 4, 8 in the
//               plane of the two singular values, against the nuclear-norm and Frobenius balls;
//   B-thm4  the population loss of the minimum-Frobenius interpolant against n, Monte Carlo vs
//           paper B Theorem 4's (1 - min(n, d0 dL)/(d0 dL)) ||M*||_F^2, next to the loss of the
//           flat (paper A) solution on the same instances.
#include <cmath>
#include <sstream>

#include "flatmin/deep.hpp"
#include "flatmin/depth.hpp"
#include "flatmin/programs.hpp"
#include "flatmin/sensing.hpp"
#include "flatmin/solver.hpp"
#include "figures_internal.hpp"

namespace flatmin::repro {

namespace {

// ---- depth (a): Hadamard-product sparse recovery --------------------------------------------
constexpr int kFactors[] = {2, 3, 4};

struct DepthGrid {
  int n, trials;
  std::vector<int> sparsity, measurements;
};
DepthGrid depth_grid(Scale s) {
  DepthGrid g;
  if (s == Scale::paper) {
    g.n = 50;
    g.trials = 10;
    for (int k = 1; k <= 10; ++k) g.sparsity.push_back(k);
    for (int m = 5; m <= 45; m += 5) g.measurements.push_back(m);
  } else {
    g.n = 20;
    g.trials = 3;
    g.sparsity = {1, 2, 4};
    g.measurements = {6, 12, 18};
  }
  return g;
}
std::size_t depth_cells(Scale s) {
  const DepthGrid g = depth_grid(s);
  return 3 * g.sparsity.size() * g.measurements.size() + 1;  // the last cell: the penalty balls
}

constexpr int kBallDepths[] = {2, 3, 4, 8};
constexpr int kBallPoints = 96;  // directions over the full circle

// One trial of a (k, s, m) cell.
struct LqTrial {
  SolveStatus status = SolveStatus::numerical_trouble;
  double rel_error = NAN;  // ||x - x*|| / ||x*|| (nan without an x)
  Index support = 0;
  template <class IO, class Self> static void fields(IO& io, Self& r) {
    io(r.status, r.rel_error, r.support);
  }
};
// One point of a penalty ball's boundary.
struct BallPoint {
  int L = 0, point = 0;
  double sigma1 = 0, sigma2 = 0;  // the boundary point r (cos t, sin t)
  double F_over_L = 0;            // paper_b_single_value(I, diag(cos t, sin t), L) / L
  double formula = 0;             // sum |u_i|^q, the closed form
  template <class IO, class Self> static void fields(IO& io, Self& r) {
    io(r.L, r.point, r.sigma1, r.sigma2, r.F_over_L, r.formula);
  }
};
// A cell: the trials of a (k, s, m) grid point, or (the last cell) the balls.
struct DepthCell {
  std::vector<LqTrial> trials;
  std::vector<BallPoint> ball;
  template <class IO, class Self> static void fields(IO& io, Self& r) { io(r.trials, r.ball); }
};

// The balls: for each direction u = (cos t, sin t), M = diag(u) (symmetric), F(r M) = r^q F(M)
// with q = 2(L-1)/L, so the boundary of {F / L <= 1} is at r = (L / F(M))^{1/q}; F from
// paper_b_single_value (the library's Theorem 7 value), and the closed form
// sum |u_i|^q as a check column.
std::vector<BallPoint> ball_points() {
  std::vector<BallPoint> out;
  for (int L : kBallDepths) {
    const double q = 2.0 * (L - 1) / L;
    for (int p = 0; p <= kBallPoints; ++p) {
      const double t = 2 * M_PI * p / kBallPoints;
      Mat<double> M = Mat<double>::Zero(2, 2);
      M(0, 0) = std::cos(t);
      M(1, 1) = std::sin(t);
      const double F = paper_b_single_value<double>(Mat<double>::Identity(2, 2), M, L);
      const double formula = std::pow(std::fabs(M(0, 0)), q) + std::pow(std::fabs(M(1, 1)), q);
      const double r = std::pow(L / F, 1.0 / q);
      out.push_back({L, p, r * M(0, 0), r * M(1, 1), F / L, formula});
    }
  }
  return out;
}

double rel_diff(const BallPoint& b) { return std::fabs(b.F_over_L - b.formula) / b.formula; }

DepthCell depth_cell(Scale sc, std::size_t i) {
  const DepthGrid g = depth_grid(sc);
  DepthCell out;
  if (i + 1 == depth_cells(sc)) {
    out.ball = ball_points();
    return out;
  }
  const std::size_t nm = g.measurements.size(), ns = g.sparsity.size();
  const int k = kFactors[i / (ns * nm)], s = g.sparsity[i / nm % ns], m = g.measurements[i % nm];
  for (int t = 0; t < g.trials; ++t) {
    // The same (A, x) for every k: the three programs are compared on identical instances.
    Rng rng = Rng::derive(kFigureSeed, {30, std::uint64_t(s), std::uint64_t(m), std::uint64_t(t)});
    const Mat<double> A = rng.normal_matrix(m, g.n);
    const Vec<double> x = sparse_vector(rng, g.n, s);
    const Vec<double> b = A * x;
    const LqResult<double> r =
        solve_weighted_lq<double>(A, b, hadamard_weights<double>(A), depth_exponent<double>(k));
    out.trials.push_back({r.status, r.x.size() ? (r.x - x).norm() / x.norm() : NAN, r.support});
  }
  return out;
}

std::string depth_label(Scale sc, std::size_t i) {
  const DepthGrid g = depth_grid(sc);
  if (i + 1 == depth_cells(sc)) return "penalty balls";
  const std::size_t nm = g.measurements.size(), ns = g.sparsity.size();
  return "k=" + std::to_string(kFactors[i / (ns * nm)]) + " s=" +
         std::to_string(g.sparsity[i / nm % ns]) + " m=" + std::to_string(g.measurements[i % nm]);
}

std::vector<OutFile> depth_files(Scale sc, const std::vector<DepthCell>& records) {
  const DepthGrid g = depth_grid(sc);
  const std::size_t nm = g.measurements.size();
  std::string trials = "k,s,m,trial,status,rel_error,success,support\n";
  std::string table = "k,q,s,m,trials,successes,unsolved,probability\n";
  std::string balls = "L,point,sigma1,sigma2,F_over_L,formula,rel_diff\n";
  std::string dat;
  int unsolved_total = 0;
  // max |F/L - formula| / formula over the balls' points, as printed in depth-balls.csv
  double ball_check = 0;
  for (std::size_t i = 0; i + 1 < records.size(); ++i) {
    const std::size_t ki = i / (g.sparsity.size() * nm);
    if (i % (g.sparsity.size() * nm) == 0) {
      if (i > 0) dat += "\n\n";
      dat += "# k = " + std::to_string(kFactors[ki]) + ": m s probability\n";
    } else if (i % nm == 0) {
      dat += "\n";
    }
    const int k = kFactors[ki];
    const std::string s = std::to_string(g.sparsity[i / nm % g.sparsity.size()]);
    const std::string m = std::to_string(g.measurements[i % nm]);
    int n = 0, succ = 0, uns = 0;
    for (std::size_t t = 0; t < records[i].trials.size(); ++t) {
      const LqTrial& x = records[i].trials[t];
      const bool success = x.rel_error < kSuccess;
      trials += csv_line({std::to_string(k), s, m, std::to_string(t), status_name(x.status),
                          fmt_real(x.rel_error), success ? "1" : "0", std::to_string(x.support)});
      ++n;
      succ += success;
      uns += x.status != SolveStatus::solved;
    }
    unsolved_total += uns;
    table += csv_line({std::to_string(k), fmt_real(2.0 * (k - 1) / k), s, m, std::to_string(n),
                       std::to_string(succ), std::to_string(uns), fmt_real(double(succ) / n)});
    dat += m + " " + s + " " + fmt_real(double(succ) / n) + "\n";
  }
  dat += "\n\n# balls: one dataset per L in 2 3 4 8: sigma1 sigma2\n";
  {
    int last_L = 0;
    for (const BallPoint& b : records.back().ball) {
      if (last_L != 0 && b.L != last_L) dat += "\n\n";
      last_L = b.L;
      balls += csv_line({std::to_string(b.L), std::to_string(b.point), fmt_real(b.sigma1),
                         fmt_real(b.sigma2), fmt_real(b.F_over_L), fmt_real(b.formula),
                         fmt_real(rel_diff(b))});
      dat += fmt_real(b.sigma1) + " " + fmt_real(b.sigma2) + "\n";
      ball_check = std::max(ball_check, as_printed(rel_diff(b)));
    }
  }
  std::ostringstream gp;
  gp << gnuplot_preamble("depth", 1400, 380, 10, "")
     << "  set multiplot layout 1,4 title 'Depth does not help flat solutions (Hadamard-product "
        "sparse recovery, n = "
     << g.n << ") and paper B single-measurement penalty balls'\n"
     << "  set palette gray\n  set cbrange [0:1]\n  set xlabel 'measurements m'\n"
     << "  set ylabel 'sparsity s'\n  set autoscale xfix\n  set autoscale yfix\n  unset key\n";
  for (int ki = 0; ki < 3; ++ki)
    gp << "  set title 'k = " << kFactors[ki] << ": q = " << (kFactors[ki] == 2 ? "1" : kFactors[ki] == 3 ? "4/3" : "3/2")
       << ", P(rel. error < 1e-6)'\n  plot 'depth.dat' index " << ki
       << " using 1:2:3 with image\n";
  gp << "  unset colorbox\n  set size ratio -1\n  set autoscale\n  set xrange [-1.5:1.5]\n"
     << "  set yrange [-1.5:1.5]\n  set xlabel 'sigma_1'\n  set ylabel 'sigma_2'\n"
     << "  set key outside right\n  set title 'unit balls of sum sigma_i^{2(L-1)/L}'\n"
     << "  plot for [j=0:3] 'depth.dat' index (3 + j) using 1:2 with lines lw 2 title "
        "sprintf('L = %s', word('2 3 4 8', j + 1)), \\\n"
     << "       '+' using (cos(2*pi*$0/96)):(sin(2*pi*$0/96)) every ::0::96 with lines dt 2 lc "
        "rgb 'black' title 'Frobenius'\n"
     << "  unset multiplot\n  set output\n}\n";
  std::ostringstream cap;
  cap << "depth — flat solutions of the Hadamard-product model do not improve with depth (paper A, "
         "later version, discussion on depth);\n  paper B's single-measurement penalty (Theorem "
         "7 (24) with A = I).\n"
      << "Computed by: " << code_version() << ", flatmin reproduce, scale " << scale_name(sc) << ".\n"
      << "(a) x* in R^" << g.n << " s-sparse (support uniform, N(0, 1) values), A m x " << g.n
      << " Gaussian, b = A x*; the flat solution for k factors minimises\n  sum_j D_jj^2 |x_j|^q, "
         "q = 2(k-1)/k, D_jj^2 = ||a_j||^2 / m, subject to A x = b (flatmin solve_weighted_lq; "
         "the induced penalty\n  of the Hessian trace, depth.hpp). Success: ||x - x*|| / ||x*|| < "
         "1e-6; " << g.trials << " trials a cell, the same instances for every k;\n  seeds "
         "Rng::derive(" << kFigureSeed << ", {30, s, m, trial}).\n"
      << "  Grid: s in {";
  for (std::size_t j = 0; j < g.sparsity.size(); ++j) cap << (j ? ", " : "") << g.sparsity[j];
  cap << "}, m in {";
  for (std::size_t j = 0; j < nm; ++j) cap << (j ? ", " : "") << g.measurements[j];
  cap << "}.\n  Solves not `solved`: " << unsolved_total << " (listed in depth-trials.csv).\n"
      << "  Expected: k = 2 (weighted l1) shows the usual phase transition; k >= 3 (q > 1: a "
         "strictly convex penalty whose\n  minimiser is dense) almost never recovers.\n"
      << "(b) F(M) = paper_b_single_value(I, M, L) = L sum_i sigma_i^{2(L-1)/L} for M = r diag(cos "
         "t, sin t), " << kBallPoints << " directions;\n  the unit ball of F / L for L = 2 (the "
         "nuclear-norm ball), 3, 4, 8, tending to the Frobenius ball as L grows.\n"
      << "  Largest relative difference between the library value and the closed form "
         "sum |u_i|^q: " << fmt_real(ball_check) << ".\n"
      << "Files: depth.csv, depth-trials.csv, depth-balls.csv, depth.dat, depth.gp, depth.png, "
         "depth.svg.\n";
  return {{"depth.csv", table}, {"depth-trials.csv", trials}, {"depth-balls.csv", balls},
          {"depth.dat", dat}, {"depth.caption.txt", cap.str()}, {"depth.gp", gp.str()}};
}

// ---- B-thm4 -----------------------------------------------------------------------------------
struct Thm4Grid {
  int d, trials;
  std::vector<int> n;
};
Thm4Grid thm4_grid(Scale s) {
  Thm4Grid g;
  if (s == Scale::paper) {
    g.d = 10;
    g.trials = 40;
    for (int n = 10; n <= 130; n += 10) g.n.push_back(n);
  } else {
    g.d = 5;
    g.trials = 6;
    g.n = {5, 10, 15, 20, 25, 30};
  }
  return g;
}

// One trial of B-thm4.
struct Thm4Trial {
  double minfro_loss = NAN;  // ||F - M*||_F^2, F the minimum-Frobenius interpolant
  SolveStatus flat_status = SolveStatus::numerical_trouble;
  double flat_loss = NAN;    // ||X_flat - M*||_F^2 (nan without an X)
  template <class IO, class Self> static void fields(IO& io, Self& r) {
    io(r.minfro_loss, r.flat_status, r.flat_loss);
  }
};
struct Thm4Cell {
  std::vector<Thm4Trial> trials;
  template <class IO, class Self> static void fields(IO& io, Self& r) { io(r.trials); }
};

Thm4Cell thm4_cell(Scale s, std::size_t i) {
  const Thm4Grid g = thm4_grid(s);
  const int n = g.n[i];
  Thm4Cell out;
  for (int t = 0; t < g.trials; ++t) {
    Rng rng = Rng::derive(kFigureSeed, {31, std::uint64_t(n), std::uint64_t(t)});
    const Mat<double> M = assemble<double>(random_low_rank(rng, g.d, g.d, 1));
    const SensingMap<double> A = gaussian_map(rng, g.d, g.d, n);
    const Vec<double> b = A.apply(M);
    // Beyond n = d^2 the map is injective and the only interpolant is M* itself; the Gram matrix
    // of all n measurements is singular, so it is computed from the first d^2 (independent with
    // probability one, and b is consistent).
    const Index D = Index(g.d) * g.d;
    const Mat<double> F =
        n <= D ? min_frobenius_interpolant(A, b)
               : min_frobenius_interpolant(
                     SensingMap<double>::from_dense(g.d, g.d, A.dense().topRows(D)), Vec<double>(b.head(D)));
    const SolveResult<double> flat = solve_flat(A, b);
    out.trials.push_back({(F - M).squaredNorm(), flat.status,
                          flat.X.size() ? (flat.X - M).squaredNorm() : NAN});
  }
  return out;
}

std::vector<OutFile> thm4_files(Scale s, const std::vector<Thm4Cell>& records) {
  const Thm4Grid g = thm4_grid(s);
  const double D = double(g.d) * g.d;
  std::string trials = "n,trial,minfro_loss,flat_status,flat_loss\n";
  std::string table =
      "n,trials,minfro_loss_mean,minfro_loss_stderr,theorem4,flat_solved,flat_loss_mean\n";
  int worst_sigma = 0;  // cells where |mean - formula| > 3 standard errors
  for (std::size_t i = 0; i < records.size(); ++i) {
    // the losses as printed in the trials CSV (as_printed)
    double sum = 0, sum2 = 0, fsum = 0;
    int n = 0, solved = 0;
    for (std::size_t t = 0; t < records[i].trials.size(); ++t) {
      const Thm4Trial& x = records[i].trials[t];
      trials += csv_line({std::to_string(g.n[i]), std::to_string(t), fmt_real(x.minfro_loss),
                          status_name(x.flat_status), fmt_real(x.flat_loss)});
      const double v = as_printed(x.minfro_loss);
      sum += v;
      sum2 += v * v;
      ++n;
      if (x.flat_status == SolveStatus::solved) {
        ++solved;
        fsum += as_printed(x.flat_loss);
      }
    }
    const double mean = sum / n, var = std::max(0.0, (sum2 - n * mean * mean) / (n - 1));
    const double se = std::sqrt(var / n);
    const double formula = 1.0 - std::min(double(g.n[i]), D) / D;  // ||M*||_F = 1
    if (std::fabs(mean - formula) > 3 * se + 1e-12) ++worst_sigma;
    table += csv_line({std::to_string(g.n[i]), std::to_string(n), fmt_real(mean), fmt_real(se),
                       fmt_real(formula), std::to_string(solved),
                       fmt_real(solved ? fsum / solved : NAN)});
  }
  std::ostringstream gp;
  gp << gnuplot_preamble("B-thm4", 800, 520, 10, "set datafile separator ','\n")
     << "  set title 'Paper B Theorem 4: population loss of the minimum-Frobenius interpolant, d = "
     << g.d << ", rank-1 M*'\n"
     << "  set xlabel 'number of Gaussian measurements n'\n  set ylabel '||M - M*||_F^2'\n"
     << "  set key top right\n  set yrange [-0.05:1.05]\n"
     << "  plot 'B-thm4.csv' skip 1 using 1:3:4 with yerrorbars pt 7 title 'min-Frobenius "
        "interpolant (Monte Carlo, +-1 s.e.)', \\\n"
     << "       'B-thm4.csv' skip 1 using 1:5 with lines lw 2 title '(1 - min(n, d^2)/d^2) "
        "||M*||_F^2 (Theorem 4)', \\\n"
     << "       'B-thm4.csv' skip 1 using 1:7 with linespoints lw 2 dt 2 title 'flat solution "
        "(paper A)'\n  set output\n}\n";
  std::ostringstream cap;
  cap << "B-thm4 — the minimum-Frobenius-norm interpolant (the end-to-end matrix of the "
         "interpolating W of least ||E(W)||_F)\n  does not generalize: paper B Theorem 4 against "
         "Monte Carlo, next to the flat solution of paper A.\n"
      << "Computed by: " << code_version() << ", flatmin reproduce, scale " << scale_name(s) << ".\n"
      << "Instance: d = " << g.d << ", rank-1 M* with ||M*||_F = 1, n Gaussian measurements, b = "
         "A(M*); " << g.trials << " trials per n; seeds Rng::derive(" << kFigureSeed
      << ", {31, n, trial}).\n"
      << "min_frobenius_interpolant (deep.hpp): argmin ||M||_F s.t. A(M) = b; its loss ||M - "
         "M*||_F^2 is the population loss\n  for Gaussian measurements. Theorem 4: E loss = (1 - "
         "min(n, d0 dL)/(d0 dL)) ||M*||_F^2 (M* projected off the span of the A_i).\n"
      << "Flat: solve_flat (paper A's min ||X||_* s.t. A(D1^{-1} X D2^{-1}) = b); flat_loss_mean "
         "over the solves with status solved.\n"
      << "Cells whose Monte Carlo mean is more than 3 standard errors from Theorem 4: "
      << worst_sigma << " of " << records.size() << ".\n"
      << "Files: B-thm4.csv, B-thm4-trials.csv, B-thm4.gp, B-thm4.png, B-thm4.svg.\n";
  return {{"B-thm4.csv", table}, {"B-thm4-trials.csv", trials},
          {"B-thm4.caption.txt", cap.str()}, {"B-thm4.gp", gp.str()}};
}

}  // namespace

Figure fig_depth() {
  static const SweepOf<DepthCell> sw =
      make_sweep<DepthCell>("depth", depth_cells, depth_cell, depth_label);
  return make_figure<DepthCell>(
      "depth", "depth: Hadamard-product flat recovery for k = 2, 3, 4; paper B penalty balls", sw,
      depth_files);
}

Figure fig_b_thm4() {
  static const SweepOf<Thm4Cell> sw = make_sweep<Thm4Cell>(
      "B-thm4", [](Scale s) { return thm4_grid(s).n.size(); }, thm4_cell,
      [](Scale s, std::size_t i) { return "n=" + std::to_string(thm4_grid(s).n[i]); });
  return make_figure<Thm4Cell>(
      "B-thm4", "paper B Theorem 4: min-Frobenius interpolant population loss vs n", sw,
      thm4_files);
}

}  // namespace flatmin::repro
