// A-fig3 (recovery probability, thresholded and certified) and A-fig4 (regularity of the flat
// solutions): one sweep of solves shared by both figures. docs/usage.md, A-Fig.3 and A-Fig.4.
//
// Cell = (problem, d, x) with x = m for (a), (b), (d) and x = p for (c). One ground truth per
// cell, Rng::derive(kFigureSeed, {3, problem, d, x_index, 0}); trial t draws the map from
// Rng::derive(kFigureSeed, {3, problem, d, x_index, 1, t}). Each trial solves the flat relaxation
// and nuclear-norm minimisation, checks the dual certificate of M for both programs, and (flat)
// forms the regularity measures of A-Fig.4 from the factors of Thm 3.2.
#include <cmath>
#include <map>
#include <sstream>
#include <tuple>

#include "flatmin/linalg.hpp"
#include "flatmin/objective.hpp"
#include "flatmin/rng.hpp"
#include "flatmin/sensing.hpp"
#include "flatmin/solver.hpp"
#include "figures_internal.hpp"

namespace flatmin::repro {

namespace {

constexpr double kSentinel = 1e20;    // the paper's value for cells with singular D
constexpr double kErrorBound = 1e-5;  // proven lower bound on the error of refuted trials

struct Problem {
  const char* key;     // "a".."d"
  const char* family;  // instance family
  const char* title;
};
const Problem kProblems[] = {{"a", "gaussian", "(a) Gaussian matrix sensing"},
                             {"b", "bilinear", "(b) Gaussian bilinear sensing"},
                             {"c", "completion", "(c) matrix completion"},
                             {"d", "quadnn", "(d) quadratic-activation network"}};

struct Grid {
  std::vector<int> ds;
  std::vector<int> ms;      // (a), (b), (d)
  std::vector<int> p20;     // (c): p = k / 20
  int trials;
};

Grid grid(Scale s) {
  Grid g;
  if (s == Scale::paper) {
    for (int d = 10; d <= 50; d += 5) g.ds.push_back(d);
    for (int m = 20; m <= 600; m += 20) g.ms.push_back(m);
    for (int k = 1; k <= 20; ++k) g.p20.push_back(k);
    g.trials = 10;
  } else {
    g.ds = {6, 8, 10};
    for (int m = 8; m <= 80; m += 8) g.ms.push_back(m);
    for (int k = 2; k <= 20; k += 2) g.p20.push_back(k);
    g.trials = 10;
  }
  return g;
}

struct CellId {
  int problem, d, xi;
};

std::vector<CellId> cells(Scale s) {
  const Grid g = grid(s);
  std::vector<CellId> out;
  for (int pr = 0; pr < 4; ++pr)
    for (int d : g.ds) {
      const int nx = int(pr == 2 ? g.p20.size() : g.ms.size());
      for (int xi = 0; xi < nx; ++xi) out.push_back({pr, d, xi});
    }
  return out;
}

std::string label(Scale s, std::size_t i) {
  const Grid g = grid(s);
  const CellId c = cells(s)[i];
  std::ostringstream o;
  o << kProblems[c.problem].family << " d=" << c.d;
  if (c.problem == 2)
    o << " p=" << g.p20[c.xi] / 20.0;
  else
    o << " m=" << g.ms[c.xi];
  return o.str();
}

std::string p_text(int k20) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", k20 / 20.0);
  return buf;
}

// ---- the record of a cell -----------------------------------------------------------------------
// How the certificate question of one program in one trial was settled.
enum class CertOutcome { certified, not_injective, not_certified, refuted, d_singular };
const char* cert_outcome_name(CertOutcome v) {
  switch (v) {
    case CertOutcome::certified: return "certified";
    case CertOutcome::not_injective: return "not_injective";
    case CertOutcome::not_certified: return "not_certified";
    case CertOutcome::refuted: return "refuted";
    case CertOutcome::d_singular: return "d_singular";
  }
  return "?";
}
CertOutcome outcome_of(Verdict v) {
  switch (v) {
    case Verdict::certified: return CertOutcome::certified;
    case Verdict::not_injective: return CertOutcome::not_injective;
    case Verdict::not_certified: return CertOutcome::not_certified;
  }
  return CertOutcome::not_certified;
}

// One program (flat or nuclear) in one trial.
struct ProgramTrial {
  SolveStatus status = SolveStatus::numerical_trouble;
  // ||X - M||_F of the solver's X; nan when below_bound (X is not a minimiser), kSentinel when
  // there is no X (d_singular, no measurements)
  double error = kSentinel;
  CertOutcome verdict = CertOutcome::not_certified;
  double margin = 0, tangent_sigma_min = 0;  // the certificate's; 0 where none was computed
  // A-fig4's measures (flat only; nan for nuclear): nan unless both programs were solved,
  // kSentinel with singular D or no measurements
  double norm_minimality = NAN, balance = NAN;
  template <class IO, class Self> static void fields(IO& io, Self& r) {
    io(r.status, r.error, r.verdict, r.margin, r.tangent_sigma_min, r.norm_minimality, r.balance);
  }
};

struct Trial {
  Index m = 0;  // measurements drawn (completion: a random number; 0: nothing was solved)
  ProgramTrial flat, nuclear;
  template <class IO, class Self> static void fields(IO& io, Self& r) { io(r.m, r.flat, r.nuclear); }
};

struct RecoveryCell {
  std::vector<Trial> trials;
  template <class IO, class Self> static void fields(IO& io, Self& r) { io(r.trials); }
};

// The trials of one cell: every solve, certificate and measure of A-fig3 and A-fig4.
RecoveryCell cell(Scale s, std::size_t i) {
  const Grid g = grid(s);
  const CellId c = cells(s)[i];
  const std::uint64_t xi = std::uint64_t(c.xi);
  Rng truth_rng = Rng::derive(kFigureSeed, {3, std::uint64_t(c.problem), std::uint64_t(c.d), xi, 0});
  const Index d = c.d;
  const LowRankFactors F = c.problem == 3 ? random_symmetric_low_rank(truth_rng, d, 2, 1)
                                          : random_low_rank(truth_rng, d, d, 2);
  const Mat<double> M = assemble<double>(F);
  const double M_nuc = nuclear_norm(M);
  RecoveryCell out;
  for (int t = 0; t < g.trials; ++t) {
    Rng rng = Rng::derive(kFigureSeed,
                          {3, std::uint64_t(c.problem), std::uint64_t(c.d), xi, 1, std::uint64_t(t)});
    SensingMap<double> A = [&] {
      switch (c.problem) {
        case 0: return gaussian_map(rng, d, d, g.ms[c.xi]);
        case 1: return bilinear_map(rng, d, d, g.ms[c.xi]);
        case 2: return completion_map(rng, d, d, g.p20[c.xi] / 20.0);
        default: return quadratic_map(rng, d, g.ms[c.xi]);
      }
    }();
    Trial tr;
    tr.m = A.m();
    if (A.m() == 0) {  // completion mask kept nothing: nothing is recovered, nothing certified
      for (ProgramTrial* p : {&tr.flat, &tr.nuclear}) {
        p->error = kSentinel;
        p->verdict = CertOutcome::not_injective;
        p->norm_minimality = p->balance = kSentinel;
      }
      out.trials.push_back(tr);
      continue;
    }
    const Vec<double> b = A.apply(M);
    // Decide "not recovered" without the exact minimiser where possible: a feasible X with
    // ||X||_* < ||M||_* - delta proves ||X* - M||_F > delta / sqrt(d) for every minimiser X*
    // (||.||_* <= sqrt(d) ||.||_F); delta is chosen so that this bound is kErrorBound, 10x the
    // success threshold. Flat: in the rescaled program, whose truth is D1 M D2, and the bound
    // maps back through ||D1^{-1} E D2^{-1}||_F >= ||E||_F / (||D1||_op ||D2||_op).
    const double sq = std::sqrt(double(d));
    SolveOptions on;
    on.stop_below = std::max(0.0, M_nuc - kErrorBound * sq);
    const SolveResult<double> nuc = solve_nuclear(A, b, on);
    // The flat program's rescaling, once per trial, handed to solve_flat and certify_flat: for
    // the bound, the refutation test and the measures below.
    SolveOptions of;
    const Rescaling<double> D = rescaling(A);
    {
      const double c1 = spd_condition(D.D1), c2 = spd_condition(D.D2);
      if (c1 < of.d_condition_max && c2 < of.d_condition_max)
        of.stop_below = std::max(0.0, nuclear_norm(Mat<double>(D.D1 * M * D.D2)) -
                                          kErrorBound * sq * operator_norm(D.D1) *
                                              operator_norm(D.D2));
    }
    const SolveResult<double> flat = solve_flat(A, b, D, of);
    // The certificate is checked independently of the solve, except where the solve has proven
    // that M is not a minimiser (below_bound, or a KKT-verified minimiser below the bound): no
    // certificate can exist then, and the verdict is "refuted" (the dual search of a failing
    // certificate is the most expensive part of an unrecovered trial).
    const auto refutes = [&](const SolveResult<double>& r, const SolveOptions& o) {
      return o.stop_below > 0 &&
             (r.status == SolveStatus::below_bound ||
              (r.status == SolveStatus::solved && r.X.size() &&
               nuclear_norm(r.method == Method::flat ? Mat<double>(D.D1 * r.X * D.D2) : r.X) <
                   o.stop_below));
    };
    const auto error = [&](const SolveResult<double>& r) {
      if (r.status == SolveStatus::below_bound) return double(NAN);  // X is not a minimiser
      return r.X.size() ? (r.X - M).norm() : kSentinel;
    };
    const auto take = [](ProgramTrial& p, const Certificate& cert) {
      p.verdict = outcome_of(cert.verdict);
      p.margin = cert.margin;
      p.tangent_sigma_min = cert.tangent_sigma_min;
    };
    tr.nuclear.status = nuc.status;
    tr.nuclear.error = error(nuc);
    if (refutes(nuc, on))
      tr.nuclear.verdict = CertOutcome::refuted;
    else
      take(tr.nuclear, certify(A, M));
    // certify_flat needs a nonsingular D; with singular D the flat program is not defined.
    tr.flat.status = flat.status;
    if (flat.status == SolveStatus::d_singular) {
      tr.flat.error = kSentinel;
      tr.flat.verdict = CertOutcome::d_singular;
      tr.flat.norm_minimality = tr.flat.balance = kSentinel;
    } else {
      tr.flat.error = error(flat);
      if (refutes(flat, of))
        tr.flat.verdict = CertOutcome::refuted;
      else
        take(tr.flat, certify_flat(A, M, D));
    }
    // Measures need both minimisers: only where both programs were solved (KKT verified).
    if (flat.status == SolveStatus::solved && nuc.status == SolveStatus::solved) {
      const Mat<double> Xt = D.D1 * flat.X * D.D2;  // the solution of the rescaled program
      const Factors<double> LR = flat_factors(Xt, D, d);
      tr.flat.norm_minimality = factor_norm_sq(LR.L, LR.R) / (2 * nuclear_norm(nuc.X)) - 1;
      tr.flat.balance = balance_gap(LR.L, LR.R) / M_nuc;
    }
    out.trials.push_back(tr);
  }
  return out;
}

// ---- the trials CSV -----------------------------------------------------------------------------
const char* kTrialHeader =
    "problem,d,m,p,trial,method,status,error_fro,error_lower_bound,success,verdict,margin,"
    "tangent_sigma_min,norm_minimality,balance\n";

bool success(const ProgramTrial& p) { return p.error < kSuccess; }  // false for nan

// One row per trial and method: error_fro is nan for refuted trials (status below_bound), whose
// error_lower_bound is kErrorBound; status no_measurements where the map has none.
std::string trial_rows(Scale s, std::size_t i, const RecoveryCell& cell) {
  const Grid g = grid(s);
  const CellId c = cells(s)[i];
  const Problem& P = kProblems[c.problem];
  const std::string p_field = c.problem == 2 ? p_text(g.p20[c.xi]) : "";
  std::string out;
  for (std::size_t t = 0; t < cell.trials.size(); ++t) {
    const Trial& tr = cell.trials[t];
    const std::pair<const char*, const ProgramTrial*> programs[] = {{"flat", &tr.flat},
                                                                    {"nuclear", &tr.nuclear}};
    for (const auto& [method, p] : programs) {
      const bool refuted = tr.m > 0 && p->status == SolveStatus::below_bound;
      out += csv_line({P.key, std::to_string(c.d), std::to_string(tr.m), p_field,
                       std::to_string(t), method,
                       tr.m == 0 ? "no_measurements" : status_name(p->status),
                       fmt_real(p->error), fmt_real(refuted ? kErrorBound : 0),
                       success(*p) ? "1" : "0", cert_outcome_name(p->verdict),
                       fmt_real(p->margin), fmt_real(p->tangent_sigma_min),
                       fmt_real(p->norm_minimality), fmt_real(p->balance)});
    }
  }
  return out;
}

// ---- aggregation --------------------------------------------------------------------------------
// The x coordinate of a cell (m, or p for completion) as text, and the cell key.
struct Key {
  std::string problem;
  int d;
  int xi;
  bool operator<(const Key& o) const {
    return std::tie(problem, d, xi) < std::tie(o.problem, o.d, o.xi);
  }
};

struct CellAgg {
  std::string x;  // m or p as printed
  int trials = 0;
  int success_flat = 0, success_nuc = 0, cert_flat = 0, cert_nuc = 0;
  int unsolved_flat = 0, unsolved_nuc = 0;  // neither solved nor refuted
  int refuted_flat = 0, refuted_nuc = 0;    // below_bound: not recovered, proven
  int nonsingular = 0, measured = 0;        // trials with nonsingular D; with both minimisers
  double sum_nm = 0, sum_bal = 0;
};

// Aggregates in cell order. The measures are averaged as printed in the trials CSV (as_printed).
std::vector<std::pair<Key, CellAgg>> aggregate(Scale s, const std::vector<RecoveryCell>& records) {
  const Grid g = grid(s);
  const std::vector<CellId> ids = cells(s);
  std::vector<std::pair<Key, CellAgg>> out;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const CellId c = ids[i];
    Key k{kProblems[c.problem].key, c.d, c.xi};
    CellAgg a;
    a.x = c.problem == 2 ? p_text(g.p20[c.xi]) : std::to_string(g.ms[c.xi]);
    for (const Trial& t : records[i].trials) {
      ++a.trials;
      for (const bool flat : {true, false}) {
        const ProgramTrial& p = flat ? t.flat : t.nuclear;
        const bool solved = t.m > 0 && p.status == SolveStatus::solved;
        const bool refuted = t.m > 0 && p.status == SolveStatus::below_bound;
        (flat ? a.success_flat : a.success_nuc) += success(p);
        (flat ? a.cert_flat : a.cert_nuc) += p.verdict == CertOutcome::certified;
        (flat ? a.unsolved_flat : a.unsolved_nuc) += !solved && !refuted;
        (flat ? a.refuted_flat : a.refuted_nuc) += refuted;
      }
      const double nm = as_printed(t.flat.norm_minimality);
      if (nm != kSentinel) ++a.nonsingular;
      if (std::isfinite(nm) && nm != kSentinel) {
        ++a.measured;
        a.sum_nm += nm;
        a.sum_bal += as_printed(t.flat.balance);
      }
    }
    out.emplace_back(k, a);
  }
  return out;
}

std::string grid_caption(Scale s) {
  const Grid g = grid(s);
  std::ostringstream o;
  o << "d in {";
  for (std::size_t i = 0; i < g.ds.size(); ++i) o << (i ? ", " : "") << g.ds[i];
  o << "}; m in {" << g.ms.front() << ", " << g.ms[1] << ", ..., " << g.ms.back()
    << "} for (a), (b), (d); p in {" << p_text(g.p20.front()) << ", " << p_text(g.p20[1])
    << ", ..., " << p_text(g.p20.back()) << "} for (c); " << g.trials << " trials a cell";
  return o.str();
}

std::string common_caption(Scale s) {
  std::ostringstream o;
  o << "Computed by: " << code_version() << ", flatmin reproduce, scale " << scale_name(s)
    << ".\nGrid: " << grid_caption(s) << ".\n"
    << "Ground truth: one per cell, M = G1 G2^T with Gaussian d x 2 factors scaled to ||M||_F = 1\n"
       "  ((d): M = U diag(+1, +1, -1) U^T, Gaussian U, ||M||_F = 1); trial t draws the map anew.\n"
       "Seeds: Rng::derive("
    << kFigureSeed
    << ", {3, problem, d, x index, 0}) for the truth, {3, problem, d, x index, 1, t} for trial t\n"
       "  (problem 0..3 = a..d; x index counts m or p from 0); flatmin's portable generator.\n"
       "Solver: flatmin solve_nuclear / solve_flat (KKT tolerance 1e-12 in double; every status is\n"
       "  in the trials CSV). Certificate: flatmin certify / certify_flat at M (tangent-space\n"
       "  injectivity, minimum-norm dual Y with P_T(Y) = UV^T, ||P_T^perp(Y)||_op < 1, margins\n"
       "  beyond rounding), no solver tolerance involved; verdict \"refuted\" where the solve found a\n"
       "  feasible point of smaller nuclear norm than M (no certificate can exist; not searched).\n";
  return o.str();
}

// Heat-map data for gnuplot: one index block per panel, scanlines by d, "x y value".
std::string heat_blocks(Scale s, const std::vector<std::pair<Key, CellAgg>>& agg,
                        const std::vector<std::string>& problems,
                        const std::vector<std::function<double(const CellAgg&)>>& values,
                        std::vector<std::string>* panel_names,
                        const std::vector<std::string>& value_names) {
  const Grid g = grid(s);
  std::string out;
  for (const auto& pk : problems)
    for (std::size_t v = 0; v < values.size(); ++v) {
      out += "# panel " + pk + " " + value_names[v] + "\n";
      if (panel_names) panel_names->push_back(pk + " " + value_names[v]);
      int last_d = -1;
      for (const auto& [k, a] : agg) {
        if (k.problem != pk) continue;
        if (last_d != -1 && k.d != last_d) out += "\n";
        last_d = k.d;
        out += a.x + " " + std::to_string(k.d) + " " + fmt_real(values[v](a)) + "\n";
      }
      out += "\n\n";
    }
  (void)g;
  return out;
}

std::string problem_title(const std::string& key) {
  for (const auto& p : kProblems)
    if (key == p.key) return p.title;
  return key;
}

const char* kHeatSettings =
    "unset key\nset tics font ',8'\nset title font ',9'\nset xlabel font ',8' offset 0,0.5\n"
    "set ylabel font ',8' offset 1,0\nset autoscale xfix\nset autoscale yfix\n";

std::vector<OutFile> fig3_files(Scale s, const std::vector<RecoveryCell>& records) {
  const auto agg = aggregate(s, records);
  std::string trials = kTrialHeader;
  for (std::size_t i = 0; i < records.size(); ++i) trials += trial_rows(s, i, records[i]);
  std::string table =
      "problem,d,x_name,x,method,trials,successes,certified,unsolved,probability,"
      "certified_probability\n";
  std::string dis = "problem,d,x_name,x,method,trials,successes,certified\n";
  int n_dis = 0, n_unsolved = 0, n_solves = 0, n_refuted = 0;
  for (const auto& [k, a] : agg) {
    const std::string xn = k.problem == "c" ? "p" : "m";
    for (int f = 0; f < 2; ++f) {
      const char* method = f == 0 ? "flat" : "nuclear";
      const int succ = f == 0 ? a.success_flat : a.success_nuc;
      const int cert = f == 0 ? a.cert_flat : a.cert_nuc;
      const int uns = f == 0 ? a.unsolved_flat : a.unsolved_nuc;
      n_unsolved += uns;
      n_refuted += f == 0 ? a.refuted_flat : a.refuted_nuc;
      n_solves += a.trials;
      table += csv_line({k.problem, std::to_string(k.d), xn, a.x, method,
                         std::to_string(a.trials), std::to_string(succ), std::to_string(cert),
                         std::to_string(uns), fmt_real(double(succ) / a.trials),
                         fmt_real(double(cert) / a.trials)});
      if (succ != cert) {
        ++n_dis;
        dis += csv_line({k.problem, std::to_string(k.d), xn, a.x, method,
                         std::to_string(a.trials), std::to_string(succ), std::to_string(cert)});
      }
    }
  }
  std::vector<std::string> panels;
  const std::vector<std::function<double(const CellAgg&)>> vals = {
      [](const CellAgg& a) { return double(a.success_flat) / a.trials; },
      [](const CellAgg& a) { return double(a.success_nuc) / a.trials; },
      [](const CellAgg& a) { return double(a.cert_flat) / a.trials; }};
  const std::string dat = heat_blocks(s, agg, {"a", "b", "c", "d"}, vals, &panels,
                                      {"flat", "nuclear", "certified-flat"});
  std::ostringstream gp;
  gp << gnuplot_preamble("A-fig3", 1200, 1500, 9, kHeatSettings)
     << "  set multiplot layout 4,3 title 'Empirical probability of exact recovery "
        "(white = 1): flat relaxation, nuclear norm, certified (flat)' font ',11'\n"
     << "  set palette gray\n  set cbrange [0:1]\n  set ylabel 'd'\n";
  const char* col_titles[] = {"flat: ||D_1^{-1}XD_2^{-1} - M||_F < 1e-6",
                              "nuclear: ||X - M||_F < 1e-6", "flat: M certified unique"};
  for (int pi = 0; pi < 4; ++pi)
    for (int v = 0; v < 3; ++v) {
      const std::string pk = kProblems[pi].key;
      gp << "  set xlabel '" << (pk == "c" ? "p" : "m") << "'\n"
         << "  set title \"" << problem_title(pk) << "\\n" << col_titles[v] << "\"\n"
         << "  plot 'A-fig3.dat' index " << pi * 3 + v << " using 1:2:3 with image\n";
    }
  gp << "  unset multiplot\n  set output\n}\n";
  std::ostringstream cap;
  cap << "A-fig3 — empirical probability of exact recovery (paper A, Figure 3), with a certified "
         "map.\n"
      << common_caption(s)
      << "Success: ||D1^{-1} X D2^{-1} - M||_F < 1e-6 (flat), ||X - M||_F < 1e-6 (nuclear), as in\n"
         "  the paper. Certified: M proven the unique minimiser of the program by the dual\n"
         "  certificate (a sufficient condition).\n"
      << "Panels: rows (a)-(d); columns flat (thresholded), nuclear (thresholded), flat "
         "(certified).\n"
      << "Decided without the exact minimiser (status below_bound): " << n_refuted << " of "
      << n_solves << " solves. The solver\n  stopped at a feasible X with ||X||_* < ||M||_* - delta, "
         "which proves ||X* - M||_F > 1e-5 (10x the\n  threshold) for every minimiser X*: a "
         "failure, for any exact solver.\n"
      << "Solves neither solved nor below_bound (d_singular, iteration_limit, ...): " << n_unsolved
      << " of " << n_solves << "\n  (their error is judged by the threshold as it stands).\n"
      << "Cells where the thresholded and the certified counts differ: " << n_dis
      << " (listed in A-fig3-disagreements.csv).\n"
      << "Files: A-fig3.csv (a row per cell and method), A-fig3-trials.csv (a row per trial and\n"
         "  method: status, error, certificate verdict, margin), A-fig3.dat (the heat-map grids),\n"
         "  A-fig3.gp (gnuplot script), A-fig3.png, A-fig3.svg.\n";
  return {{"A-fig3.csv", table},       {"A-fig3-trials.csv", trials},
          {"A-fig3-disagreements.csv", dis}, {"A-fig3.dat", dat},
          {"A-fig3.caption.txt", cap.str()}, {"A-fig3.gp", gp.str()}};
}

std::vector<OutFile> fig4_files(Scale s, const std::vector<RecoveryCell>& records) {
  const auto agg = aggregate(s, records);
  // log10 of the mean over the trials where both minimisers were computed; 20 (the sentinel
  // 1e20) where every trial has a singular D; nan (blank) where no trial has both minimisers.
  auto lg = [](double sum, const CellAgg& a) {
    if (a.nonsingular == 0) return 20.0;
    if (a.measured == 0) return double(NAN);
    return std::log10(std::max(sum / a.measured, 1e-17));
  };
  auto mean = [](double sum, const CellAgg& a) {
    if (a.nonsingular == 0) return kSentinel;
    if (a.measured == 0) return double(NAN);
    return sum / a.measured;
  };
  std::string table =
      "problem,d,x_name,x,trials_nonsingular,trials_measured,norm_minimality,balance,"
      "log10_norm_minimality,log10_balance\n";
  for (const auto& [k, a] : agg) {
    if (k.problem == "d") continue;
    const std::string xn = k.problem == "c" ? "p" : "m";
    table += csv_line({k.problem, std::to_string(k.d), xn, a.x, std::to_string(a.nonsingular),
                       std::to_string(a.measured), fmt_real(mean(a.sum_nm, a)),
                       fmt_real(mean(a.sum_bal, a)), fmt_real(lg(a.sum_nm, a)),
                       fmt_real(lg(a.sum_bal, a))});
  }
  const std::vector<std::function<double(const CellAgg&)>> vals = {
      [&](const CellAgg& a) { return lg(a.sum_nm, a); },
      [&](const CellAgg& a) { return lg(a.sum_bal, a); }};
  const std::string dat =
      heat_blocks(s, agg, {"a", "b", "c"}, vals, nullptr, {"norm-minimality", "balance"});
  std::ostringstream gp;
  gp << gnuplot_preamble("A-fig4", 900, 1150, 9, kHeatSettings)
     << "  set multiplot layout 3,2 title 'Regularity of flat solutions, log10 of the mean over "
        "solved trials (black: singular D, the sentinel 1e20; white: no solved trial)' font ',11'\n"
     << "  set palette defined (-8 '#2c7bb6', -4 '#abd9e9', -2 '#ffffbf', 0 '#fdae61', 1 "
        "'#d7191c', 1.01 'black', 2 'black')\n"
     << "  set cbrange [-8:2]\n  set cbtics ('<= -8' -8, -6, -4, -2, 0, 'sentinel' 2)\n"
     << "  set ylabel 'd'\n";
  const char* col_titles[] = {"norm-minimality (||L_f||^2+||R_f||^2)/(2||X_{nuc}||_*) - 1",
                              "balance ||L_f^TL_f - R_f^TR_f||_* / ||M||_*"};
  for (int pi = 0; pi < 3; ++pi)
    for (int v = 0; v < 2; ++v) {
      const std::string pk = kProblems[pi].key;
      gp << "  set xlabel '" << (pk == "c" ? "p" : "m") << "'\n"
         << "  set title \"" << problem_title(pk) << "\\n" << col_titles[v] << "\"\n"
         << "  plot 'A-fig4.dat' index " << pi * 2 + v << " using 1:2:3 with image\n";
    }
  gp << "  unset multiplot\n  set output\n}\n";
  std::ostringstream cap;
  cap << "A-fig4 — regularity of the flat solutions (paper A, Figure 4), log10 heat maps.\n"
      << common_caption(s)
      << "Measures, from the SVD X = U S V^T of the rescaled program's solution and L_f = D1^{-1} "
         "U S^{1/2},\n  R_f = D2^{-1} V S^{1/2} (Thm 3.2): norm-minimality (||L_f||_F^2 + "
         "||R_f||_F^2) / (2 ||X_nuc||_*) - 1\n  and balance ||L_f^T L_f - R_f^T R_f||_* / "
         "||M||_*, averaged over the trials where both programs were solved (KKT verified).\n"
         "Trials proven not recovered (a feasible point below ||M||_*, see A-fig3) have no exact\n"
         "  minimiser computed: a cell with no solved trial is blank (nan) rather than a number\n"
         "  from an inexact point. (CHOSEN: the paper averages over all 10 trials of its solver.)\n"
      << "Cells where every trial has a singular D: the sentinel 1e20 (log10 = 20), as in the "
         "paper.\nMeans below 1e-17 (rounding level) are shown as -17. Problems (a)-(c) only.\n"
      << "Same solves as A-fig3. Files: A-fig4.csv, A-fig4.dat, A-fig4.gp, A-fig4.png, "
         "A-fig4.svg.\n";
  return {{"A-fig4.csv", table},
          {"A-fig4.dat", dat},
          {"A-fig4.caption.txt", cap.str()},
          {"A-fig4.gp", gp.str()}};
}

// Shared by two figures.
const SweepOf<RecoveryCell>& recovery_sweep() {
  static const SweepOf<RecoveryCell> sw = make_sweep<RecoveryCell>(
      "A-recovery", [](Scale s) { return cells(s).size(); }, cell, label);
  return sw;
}

}  // namespace

Figure fig3() {
  return make_figure<RecoveryCell>("A-fig3", "recovery probability: flat, nuclear, certified",
                                   recovery_sweep(), fig3_files);
}
Figure fig4() {
  return make_figure<RecoveryCell>("A-fig4", "regularity of flat solutions", recovery_sweep(),
                                   fig4_files);
}

}  // namespace flatmin::repro
