// Paper B's training experiments (docs/usage.md B-Fig.1, B-Fig.2), from one sweep of runs:
//   B-fig1  train and test loss against step: label-noise SGD vs mini-batch SGD vs 1-SAM,
//           depths 2, 3, 4;
//   B-fig2  along the same runs: the Hessian trace (paper B's convention, half the true trace),
//           paper B's R(W), the induced-regularizer value L (d0 dL)^{1/L} ||E||_*^{2(L-1)/L},
//           ||E||_*, the layer balance, and for L = 2 the distance of E(W) to paper A's flat
//           solution on the same instance.
// A cell is one run (depth, optimizer, seed). The instance depends on the seed only and the
// initial layers on (depth, seed), so the three optimizers start from the same point and (by
// StepSampler's separate streams) visit the same batches: paired comparisons.
#include <cmath>
#include <sstream>

#include "flatmin/deep.hpp"
#include "flatmin/sensing.hpp"
#include "flatmin/solver.hpp"
#include "flatmin/train.hpp"
#include "figures_internal.hpp"

namespace flatmin::repro {

namespace {

constexpr Optimizer kOptimizers[] = {Optimizer::sgd, Optimizer::label_noise_sgd, Optimizer::sam};
constexpr int kDepths[] = {2, 3, 4};

struct TrainGrid {
  int d, n, seeds;
  long steps, log_every;
  double eta, delta, rho;
};
TrainGrid train_grid(Scale s) {
  if (s == Scale::paper) return {10, 60, 5, 500000, 5000, 0.003, 0.1, 0.1};
  return {10, 60, 2, 30000, 1000, 0.003, 0.1, 0.1};
}

struct TrainingCell {
  int L, opt, seed;
};
TrainingCell cell_id(Scale s, std::size_t i) {
  const int seeds = train_grid(s).seeds;
  return {kDepths[i / (3 * seeds)], int(i / seeds % 3), int(i % seeds)};
}

// One logged state of a run: train()'s record (TrainRecord) and the distance to paper A's flat
// solution (nan unless depth 2 and the flat program was solved).
struct RunPoint {
  long step = 0;
  double train_loss = 0, test_loss = 0;
  double trace = 0;  // the true trace tr Hess L; the figure shows half of it (paper B's convention)
  double R = 0, induced = 0, nuclear = 0, balance = 0, dist_flat = NAN;
  template <class IO, class Self> static void fields(IO& io, Self& r) {
    io(r.step, r.train_loss, r.test_loss, r.trace, r.R, r.induced, r.nuclear, r.balance,
       r.dist_flat);
  }
};
struct Run {
  std::vector<RunPoint> log;
  template <class IO, class Self> static void fields(IO& io, Self& r) { io(r.log); }
};

Run train_cell(Scale s, std::size_t i) {
  const TrainGrid g = train_grid(s);
  const TrainingCell c = cell_id(s, i);
  Rng inst = Rng::derive(kFigureSeed, {20, std::uint64_t(c.seed)});
  const Mat<double> M = assemble<double>(random_low_rank(inst, g.d, g.d, 1));
  const SensingMap<double> A = gaussian_map(inst, g.d, g.d, g.n);
  const Vec<double> b = A.apply(M);
  Rng init = Rng::derive(kFigureSeed, {21, std::uint64_t(c.L), std::uint64_t(c.seed)});
  const Layers<double> W0 =
      gaussian_layers(init, std::vector<Index>(std::size_t(c.L + 1), g.d), 1.0 / std::sqrt(g.d));
  TrainOptions o;
  o.optimizer = kOptimizers[c.opt];
  o.step_size = g.eta;
  o.batch = 1;
  o.label_noise = g.delta;
  o.sam_radius = g.rho;
  o.steps = g.steps;
  for (long t = 0; t <= g.steps; t += g.log_every) o.log_steps.push_back(t);
  o.seed = Rng::derive(kFigureSeed, {22, std::uint64_t(c.seed)}).next();
  // L = 2: paper A's flat solution of the same instance, and E(W)'s distance to it at every
  // logged state.
  Mat<double> X_flat;
  if (c.L == 2) {
    const SolveResult<double> f = solve_flat(A, b);
    if (f.status == SolveStatus::solved) X_flat = f.X;
  }
  std::vector<double> dist;
  o.on_log = [&](long, const Layers<double>& W) {
    dist.push_back(X_flat.size() ? (end_to_end(W) - X_flat).norm() : NAN);
  };
  const TrainResult r = train(A, b, M, W0, o);
  if (r.diverged) throw InvalidArgument("B-train: " + r.message);
  Run out;
  for (std::size_t k = 0; k < r.log.size(); ++k) {
    const TrainRecord& x = r.log[k];
    out.log.push_back({x.step, x.train_loss, x.test_loss, x.trace, x.R, x.induced, x.nuclear,
                       x.balance, dist[k]});
  }
  return out;
}

// The columns of B-fig1-runs.csv and B-fig2-runs.csv after depth, optimizer, seed and step, as
// printed (kValues of them; half_trace = trace / 2).
std::vector<double> run_values(const RunPoint& x) {
  return {x.train_loss, x.test_loss, x.trace / 2, x.R, x.induced, x.nuclear, x.balance,
          x.dist_flat};
}

std::string train_label(Scale s, std::size_t i) {
  const TrainingCell c = cell_id(s, i);
  return std::string("L=") + std::to_string(c.L) + " " + optimizer_name(kOptimizers[c.opt]) +
         " seed " + std::to_string(c.seed);
}

constexpr const char* kRunHeader =
    "depth,optimizer,seed,step,train_loss,test_loss,half_trace,R,induced,nuclear,balance,"
    "dist_flat\n";
constexpr int kValues = 8;  // train_loss .. dist_flat

// Every run's rows, in cell order (kRunHeader's columns).
std::string run_rows(Scale s, const std::vector<Run>& runs) {
  std::string out;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const TrainingCell c = cell_id(s, i);
    for (const RunPoint& x : runs[i].log) {
      std::vector<std::string> f{std::to_string(c.L), optimizer_name(kOptimizers[c.opt]),
                                 std::to_string(c.seed), std::to_string(x.step)};
      for (double v : run_values(x)) f.push_back(fmt_real(v));
      out += csv_line(f);
    }
  }
  return out;
}

// Mean over seeds of every value column, per (depth, optimizer, step): rows in cell order. The
// values are averaged as printed in the runs CSV (as_printed).
struct Means {
  std::vector<std::vector<std::string>> key;  // depth, optimizer, step
  std::vector<std::vector<double>> mean;      // kValues each
  int seeds = 0;
};
Means mean_over_seeds(Scale s, const std::vector<Run>& runs) {
  const TrainGrid g = train_grid(s);
  Means m;
  m.seeds = g.seeds;
  for (std::size_t series = 0; series * g.seeds < runs.size(); ++series) {
    const TrainingCell c = cell_id(s, series * g.seeds);
    const Run& first = runs[series * g.seeds];
    for (std::size_t k = 0; k < first.log.size(); ++k) {
      std::vector<double> sum(kValues, 0.0);
      for (int sd = 0; sd < g.seeds; ++sd) {
        const std::vector<double> v = run_values(runs[series * g.seeds + sd].log[k]);
        for (int j = 0; j < kValues; ++j) sum[j] += as_printed(v[std::size_t(j)]);
      }
      for (double& x : sum) x /= g.seeds;
      m.key.push_back({std::to_string(c.L), optimizer_name(kOptimizers[c.opt]),
                       std::to_string(first.log[k].step)});
      m.mean.push_back(sum);
    }
  }
  return m;
}

std::string grid_text(Scale s) {
  const TrainGrid g = train_grid(s);
  std::ostringstream t;
  t << "Instance: Gaussian A_i (N(0, 1) entries), d = " << g.d << " (every layer " << g.d << " x "
    << g.d << "), n = " << g.n << " measurements, rank-1 truth with ||M*||_F = 1, b = A(M*);\n"
    << "  " << g.seeds << " seeds; instance Rng::derive(" << kFigureSeed
    << ", {20, seed}), initial layers N(0, 1/d) entries from Rng::derive(" << kFigureSeed
    << ", {21, L, seed}),\n  sampling seed Rng::derive(" << kFigureSeed
    << ", {22, seed}).next() (the three optimizers share instance, initialisation and batches).\n"
    << "Training: flatmin train(), batch 1, step size " << g.eta << ", " << g.steps
    << " updates, logged every " << g.log_every << "; label noise +-" << g.delta
    << " (fresh signs each step), 1-SAM radius " << g.rho << ".\n"
    << "Initialisation N(0, 1/d), not a vanishing one: from a vanishing initialisation plain SGD "
       "already has an implicit\n  low-rank bias (Gunasekar et al. 2017), which would hide the "
       "effect paper B attributes to the label noise.\n";
  return t.str();
}

// One gnuplot dataset per (depth, optimizer) series, columns step then the kValues means.
std::string dat_file(const Means& m) {
  std::string dat;
  for (std::size_t k = 0; k < m.key.size(); ++k) {
    if (k > 0 && m.key[k][2] == "0") dat += "\n\n";
    if (k == 0 || m.key[k][2] == "0") dat += "# depth " + m.key[k][0] + " " + m.key[k][1] + "\n";
    dat += m.key[k][2];
    for (double v : m.mean[k]) dat += " " + fmt_real(v);
    dat += "\n";
  }
  return dat;
}

std::string final_table(const Means& m, int column, const std::string& what) {
  std::string t;
  for (std::size_t k = 0; k < m.key.size(); ++k)
    if (k + 1 == m.key.size() || m.key[k + 1][2] == "0")
      t += "  depth " + m.key[k][0] + ", " + m.key[k][1] + ": " + what + " " +
           fmt_real(m.mean[k][std::size_t(column)]) + "\n";
  return t;
}

std::vector<OutFile> b_fig1_files(Scale s, const std::vector<Run>& records) {
  const Means m = mean_over_seeds(s, records);
  std::string runs = kRunHeader + run_rows(s, records),
              table = "depth,optimizer,step,seeds,train_loss_mean,test_loss_mean\n";
  for (std::size_t k = 0; k < m.key.size(); ++k)
    table += csv_line({m.key[k][0], m.key[k][1], m.key[k][2], std::to_string(m.seeds),
                       fmt_real(m.mean[k][0]), fmt_real(m.mean[k][1])});
  std::ostringstream gp;
  gp << gnuplot_preamble("B-fig1", 1200, 720, 10, "names = 'SGD label-noise-SGD 1-SAM'\n")
     << "  set multiplot layout 2,3 title 'Paper B: deep matrix factorization, d = 10, n = 60, "
        "rank-1 truth (mean over seeds)'\n"
     << "  set logscale y\n  set format y '10^{%L}'\n  set xlabel 'step'\n  set key top right\n";
  for (int row = 0; row < 2; ++row)
    for (int li = 0; li < 3; ++li)
      // the y range reaches above the curves (which start near 10^0 to 10^2) so that the key,
      // top right, covers none of them
      gp << "  set yrange [*:" << (row == 0 ? "1e8" : "1e5") << "]\n"
         << "  set title 'depth " << kDepths[li] << ": " << (row == 0 ? "train" : "test")
         << " loss'\n  set ylabel '" << (row == 0 ? "train loss L(W)" : "||E(W) - M*||_F^2")
         << "'\n  plot for [o=0:2] 'B-fig1.dat' index (" << li * 3 << " + o) using 1:"
         << (row == 0 ? 2 : 3) << " with lines lw 2 title word(names, o + 1)\n";
  gp << "  unset multiplot\n  set output\n}\n";
  std::ostringstream cap;
  cap << "B-fig1 — train and test loss along training: label-noise SGD vs mini-batch SGD vs 1-SAM "
         "(paper B section 4).\n"
      << "Computed by: " << code_version() << ", flatmin reproduce, scale " << scale_name(s) << ".\n"
      << grid_text(s)
      << "Train loss (1/n) sum (<A_i, E(W)> - b_i)^2 with the clean labels; test loss ||E(W) - "
         "M*||_F^2 (the population loss\n  for Gaussian A_i). Label-noise SGD's train loss stays "
         "at the noise floor of its fluctuation around the\n  interpolating set.\n"
      << "Final test loss (mean over seeds):\n" << final_table(m, 1, "test loss")
      << "Expected (paper B): plain SGD interpolates and stops near the initialisation's "
         "interpolant (test loss of order 1);\n  label-noise SGD (and SAM) keep moving along the "
         "interpolating set towards small trace and reach a much smaller test loss.\n"
      << "Files: B-fig1.csv (means), B-fig1-runs.csv (every run), B-fig1.dat, B-fig1.gp, "
         "B-fig1.png, B-fig1.svg.\n";
  return {{"B-fig1.csv", table}, {"B-fig1-runs.csv", runs}, {"B-fig1.dat", dat_file(m)},
          {"B-fig1.caption.txt", cap.str()}, {"B-fig1.gp", gp.str()}};
}

std::vector<OutFile> b_fig2_files(Scale s, const std::vector<Run>& records) {
  const Means m = mean_over_seeds(s, records);
  std::string runs = kRunHeader + run_rows(s, records),
              table = "depth,optimizer,step,seeds,half_trace_mean,R_mean,induced_mean,"
                      "nuclear_mean,balance_mean,dist_flat_mean\n";
  for (std::size_t k = 0; k < m.key.size(); ++k) {
    std::vector<std::string> f{m.key[k][0], m.key[k][1], m.key[k][2], std::to_string(m.seeds)};
    for (int v = 2; v < kValues; ++v) f.push_back(fmt_real(m.mean[k][std::size_t(v)]));
    table += csv_line(f);
  }
  std::ostringstream gp;
  gp << gnuplot_preamble("B-fig2", 1200, 720, 10, "names = 'SGD label-noise-SGD 1-SAM'\n")
     << "  set multiplot layout 2,3 title 'Paper B: sharpness along the runs of B-fig1 (mean over "
        "seeds)'\n"
     << "  set logscale y\n  set xlabel 'step'\n  set key top right\n";
  for (int li = 0; li < 3; ++li)
    gp << "  set title 'depth " << kDepths[li]
       << ": trace/2 (solid) and induced bound (dashed)'\n  set ylabel 'paper B units'\n"
       << "  plot for [o=0:2] 'B-fig2.dat' index (" << li * 3
       << " + o) using 1:4 with lines lw 2 lc o + 1 title word(names, o + 1), \\\n"
       << "       for [o=0:2] 'B-fig2.dat' index (" << li * 3
       << " + o) using 1:6 with lines dt 2 lc o + 1 notitle\n";
  for (int li = 0; li < 3; ++li)
    gp << "  set title 'depth " << kDepths[li] << ": ||E(W)||_* (||M*||_* = 1)'\n"
       << "  set ylabel 'nuclear norm'\n"
       << "  plot for [o=0:2] 'B-fig2.dat' index (" << li * 3
       << " + o) using 1:7 with lines lw 2 lc o + 1 title word(names, o + 1), 1 with lines dt 3 "
          "lc rgb 'gray' notitle\n";
  gp << "  unset multiplot\n  set output\n}\n";
  std::ostringstream cap;
  cap << "B-fig2 — sharpness along the runs of B-fig1 (paper B (7), (10), Lemma 4).\n"
      << "Computed by: " << code_version() << ", flatmin reproduce, scale " << scale_name(s) << ".\n"
      << grid_text(s)
      << "Columns: half_trace = tr Hess L(W) / 2 (paper B's convention (1/n) sum ||grad f_i||^2; "
         "flatmin's TraceTracker,\n  the exact trace at every W, checked against the brute-force "
         "definition in lib/tests/test_train.cpp); R = paper B (10);\n  induced = L (d0 dL)^{1/L} "
         "||E(W)||_*^{2(L-1)/L} (Lemma 4; about the minimum of half_trace over factorisations "
         "under RIP);\n  nuclear = ||E(W)||_*; balance = max_j ||W_{j+1}^T W_{j+1} - W_j W_j^T||_F; "
         "dist_flat (depth 2 only) = ||E(W) - X_flat||_F,\n  X_flat = paper A's flat solution "
         "(solve_flat) of the same instance.\n"
      << "Final values (mean over seeds):\n" << final_table(m, 2, "trace/2")
      << final_table(m, 5, "||E||_*")
      << "Depth 2, final distance to paper A's flat solution (mean over seeds):\n"
      << [&] {
           std::string t;
           for (std::size_t k = 0; k < m.key.size(); ++k)
             if (m.key[k][0] == "2" && (k + 1 == m.key.size() || m.key[k + 1][2] == "0"))
               t += "  " + m.key[k][1] + ": " + fmt_real(m.mean[k][7]) + "\n";
           return t;
         }()
      << "Expected (paper B): label-noise SGD drives trace/2 down towards the induced bound and "
         "||E||_* towards ||M*||_* = 1;\n  plain SGD keeps the trace of its interpolant.\n"
      << "Files: B-fig2.csv (means), B-fig2-runs.csv (every run), B-fig2.dat, B-fig2.gp, "
         "B-fig2.png, B-fig2.svg.\n";
  return {{"B-fig2.csv", table}, {"B-fig2-runs.csv", runs}, {"B-fig2.dat", dat_file(m)},
          {"B-fig2.caption.txt", cap.str()}, {"B-fig2.gp", gp.str()}};
}

// Shared by two figures.
const SweepOf<Run>& training_sweep() {
  static const SweepOf<Run> sw = make_sweep<Run>(
      "B-train", [](Scale s) { return std::size_t(3 * 3 * train_grid(s).seeds); }, train_cell,
      train_label);
  return sw;
}

}  // namespace

Figure fig_b1() {
  return make_figure<Run>("B-fig1",
                          "paper B: train and test loss, label-noise SGD vs SGD vs 1-SAM, depths 2-4",
                          training_sweep(), b_fig1_files);
}

Figure fig_b2() {
  return make_figure<Run>("B-fig2",
                          "paper B: Hessian trace, nuclear norm and induced bound along training",
                          training_sweep(), b_fig2_files);
}

}  // namespace flatmin::repro
