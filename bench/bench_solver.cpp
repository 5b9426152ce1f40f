// Google Benchmark: the solver engine on the instances of the peer comparison (issue 3), with
// the floors it is judged against measured in the same run:
//   BM_Solve/<family>/d/path   solve_nuclear on Gaussian, bilinear (m = 12 d, rank 2),
//                              completion (p = 0.3) and quadratic (m = 12 d, one positive and one
//                              negative eigenvalue); path 1 = default (Gauss-Newton on the
//                              manifold first), path 0 = ADMM + polish only (manifold = false).
//                              Counters: iterations, error to the truth, solved.
//   BM_GramFloor/family/d      forming and factoring A A^T of the dense constraint matrix of the
//                              same instance (the floor of issue 3 for the dense families:
//                              Gaussian, bilinear, quadratic)
//   BM_SvdFloor/d              20 full SVDs (U, S, V) of a d x d matrix with the faster of
//                              Eigen's two SVDs (BDCSVD; JacobiSVD is 2-5x slower from d = 40 on)
//                              (the completion floor)
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
  Problem p{SensingMap<double>::identity(1, 1), Mat<double>(), Vec<double>()};
  p.M = family == 3 ? assemble<double>(random_symmetric_low_rank(rng, d, 1, 1))
                    : assemble<double>(random_low_rank(rng, d, d, 2));
  if (family == 0) p.A = gaussian_map(rng, d, d, 12 * d);
  if (family == 1) p.A = bilinear_map(rng, d, d, 12 * d);
  if (family == 2) p.A = completion_map(rng, d, d, 0.3);
  if (family == 3) p.A = quadratic_map(rng, d, 12 * d);
  p.b = p.A.apply(p.M);
  return p;
}
}  // namespace

static void BM_Solve(benchmark::State& st) {
  const Problem p = problem(int(st.range(0)), st.range(1));
  SolveOptions o;
  o.manifold = st.range(2) != 0;
  SolveResult<double> res;
  for (auto _ : st) res = solve_nuclear<double>(p.A, p.b, o);
  st.counters["iterations"] = res.iterations;
  st.counters["error"] = (res.X - p.M).norm();
  st.counters["solved"] = res.status == SolveStatus::solved;
  st.SetLabel(std::string(p.A.family()) + (o.manifold ? " manifold " : " admm ") +
              status_name(res.status));
}
// d = 40 for every family and both paths; the larger instances of the issue with the default path
BENCHMARK(BM_Solve)->ArgsProduct({{0, 1, 2, 3}, {40}, {1, 0}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Solve)->Args({0, 100, 1})->Args({2, 120, 1})->Unit(benchmark::kMillisecond);

static void BM_GramFloor(benchmark::State& st) {
  // the constraint system as a dense m x (d1 d2) matrix (row i = vec(A_i)), formed outside the
  // timing: the floor is forming and factoring its Gram matrix A A^T
  const Problem p = problem(int(st.range(0)), st.range(1));
  Mat<double> rows(p.A.m(), p.A.d1() * p.A.d2());
  for (Index i = 0; i < p.A.m(); ++i) {
    const Mat<double> Ai = p.A.matrix(i);
    rows.row(i) = Eigen::Map<const Vec<double>>(Ai.data(), Ai.size()).transpose();
  }
  for (auto _ : st) {
    Mat<double> G = Mat<double>::Zero(rows.rows(), rows.rows());
    G.selfadjointView<Eigen::Lower>().rankUpdate(rows);
    Eigen::LLT<Mat<double>> llt(G);
    benchmark::DoNotOptimize(llt.matrixLLT().data());
  }
  st.SetLabel(p.A.family());
}
// the dense families at d = 40 (m = 12 d), and the Gaussian d = 100
BENCHMARK(BM_GramFloor)->Args({0, 40})->Args({1, 40})->Args({3, 40})->Args({0, 100})
    ->Unit(benchmark::kMillisecond);

static void BM_SvdFloor(benchmark::State& st) {
  Rng rng(3);
  const Mat<double> X = rng.normal_matrix(st.range(0), st.range(0));
  for (auto _ : st)
    for (int i = 0; i < 20; ++i) {
      Eigen::BDCSVD<Mat<double>> dec(X, Eigen::ComputeThinU | Eigen::ComputeThinV);
      benchmark::DoNotOptimize(dec.singularValues().data());
    }
}
BENCHMARK(BM_SvdFloor)->Arg(40)->Arg(120)->Unit(benchmark::kMillisecond);
