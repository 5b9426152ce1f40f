// Google Benchmark: the solver engine on the instances of the peer comparison (issue 3), with
// the floors it is judged against measured in the same run:
//   BM_Solve/<family>/d        solve_nuclear on Gaussian / bilinear (m = 12 d, rank 2) and
//                              completion (p = 0.3), d = 20, 40 (counters: iterations, error)
//   BM_GramFloor/d             forming and factoring A A^T for the Gaussian instance (the floor
//                              any exact method pays on a dense map)
//   BM_SvdFloor/d              20 full SVDs of a d x d matrix (the completion floor)
#include <benchmark/benchmark.h>

#include <Eigen/Cholesky>
#include <Eigen/SVD>

#include "flatmin/linalg.hpp"
#include "flatmin/solver.hpp"

using namespace flatmin;

namespace {
struct Problem {
  SensingMap<double> A;
  Mat<double> M;
  Vec<double> b;
};
Problem problem(int family, Index d) {
  Rng rng(20260);
  Problem p{SensingMap<double>::identity(1, 1), assemble<double>(random_low_rank(rng, d, d, 2)), Vec<double>()};
  if (family == 0) p.A = gaussian_map(rng, d, d, 12 * d);
  if (family == 1) p.A = bilinear_map(rng, d, d, 12 * d);
  if (family == 2) p.A = completion_map(rng, d, d, 0.3);
  p.b = p.A.apply(p.M);
  return p;
}
}  // namespace

static void BM_Solve(benchmark::State& st) {
  const Problem p = problem(int(st.range(0)), st.range(1));
  SolveResult<double> res;
  for (auto _ : st) res = solve_nuclear<double>(p.A, p.b);
  st.counters["iterations"] = res.iterations;
  st.counters["error"] = (res.X - p.M).norm();
  st.counters["solved"] = res.status == SolveStatus::solved;
  st.SetLabel(std::string(p.A.family()) + " " + status_name(res.status));
}
BENCHMARK(BM_Solve)->ArgsProduct({{0, 1, 2}, {20, 40}})->Unit(benchmark::kMillisecond);

static void BM_GramFloor(benchmark::State& st) {
  const Problem p = problem(0, st.range(0));
  for (auto _ : st) {
    Mat<double> G = Mat<double>::Zero(p.A.m(), p.A.m());
    G.selfadjointView<Eigen::Lower>().rankUpdate(p.A.dense_rows());
    Eigen::LLT<Mat<double>> llt(G);
    benchmark::DoNotOptimize(llt.matrixLLT().data());
  }
}
BENCHMARK(BM_GramFloor)->Arg(20)->Arg(40)->Unit(benchmark::kMillisecond);

static void BM_SvdFloor(benchmark::State& st) {
  Rng rng(3);
  const Mat<double> X = rng.normal_matrix(st.range(0), st.range(0));
  for (auto _ : st)
    for (int i = 0; i < 20; ++i) benchmark::DoNotOptimize(svd<double>(X).s.data());
}
BENCHMARK(BM_SvdFloor)->Arg(20)->Arg(40)->Unit(benchmark::kMillisecond);
