// flatmin/sensing.hpp — linear measurement maps A : R^{d1 x d2} -> R^m, A(X)_i = <A_i, X>,
// with their adjoints and the rescaling matrices of paper A (3)/(14)/(63):
//   D1 = ( (1/(m d2)) sum_i A_i A_i^T )^{1/2},   D2 = ( (1/(m d1)) sum_i A_i^T A_i )^{1/2}.
// For the quadratic map (A_i = x_i x_i^T, d1 = d2 = d) D1 = D2 = D of (63).
//
// Storage follows the structure, so apply/adjoint cost what the structure allows:
//   dense       A_i stored as row i of an m x (d1 d2) matrix (row-major vec of A_i)
//   rank_one    A_i = w_i a_i b_i^T (bilinear sensing, the paired map of A Lemma 7.6)
//   quadratic   A_i = x_i x_i^T (symmetric; network with quadratic activation)
//   entries     A_i = w_i e_{j_i} e_{k_i}^T (matrix completion; w_i = 1 unless rescaled)
//   identity    A = I, m = d1 d2, A(X) = row-major vec(X)
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "flatmin/rng.hpp"
#include "flatmin/scalar.hpp"

namespace flatmin {

enum class Structure { dense, rank_one, quadratic, entries, identity };

template <class S> class SensingMap {
 public:
  Structure structure() const { return structure_; }
  const std::string& family() const { return family_; }  // "gaussian", "bilinear", ...
  Index d1() const { return d1_; }
  Index d2() const { return d2_; }
  Index m() const { return m_; }

  Vec<S> apply(const Mat<S>& X) const;     // (<A_i, X>)_i ; X must be d1 x d2
  Mat<S> adjoint(const Vec<S>& y) const;   // sum_i y_i A_i ; y must have length m
  Mat<S> matrix(Index i) const;            // A_i as a dense d1 x d2 matrix
  Mat<S> dense() const;                    // m x (d1 d2), row i = row-major vec(A_i)
  Mat<S> gram_left() const;                // sum_i A_i A_i^T  (d1 x d1)
  Mat<S> gram_right() const;               // sum_i A_i^T A_i  (d2 x d2)

  // The map X -> A(Q1 X Q2) (paper A uses Q1 = D1^{-1}, Q2 = D2^{-1}): its sensing matrices
  // are Q1^T A_i Q2^T. Structure is kept where it survives (rank_one, quadratic when Q1 = Q2^T,
  // entries when Q1, Q2 are diagonal), otherwise the result is dense.
  SensingMap composed(const Mat<S>& Q1, const Mat<S>& Q2) const;

  template <class T> SensingMap<T> cast() const;

  // Row equilibration by powers of two, exact in binary floating point (barring under- and
  // overflow). row_exponents()[i] = e_i puts the largest |entry| of 2^-e_i A_i in [1, 8) (in
  // [1, 2) for dense and completion rows, [1, 4) for quadratic ones; a zero A_i, and the
  // identity map, which has no data, get 0; quadratic rows get an even e_i, as A_i = x_i x_i^T
  // scales through x_i). A row of entries 1 (a completion map) keeps e_i = 0.
  // rows_scaled(e) is the map with every A_i replaced by 2^{e_i} A_i (e_i even for quadratic
  // maps; all 0 for the identity). The feasible set {X : A(X) = b} is unchanged when b_i is
  // scaled alike; the solvers work on this form (solver.hpp, "Scale").
  std::vector<int> row_exponents() const;
  SensingMap rows_scaled(const std::vector<int>& e) const;

  // Constructors from explicit data (all validate shapes and finiteness).
  static SensingMap from_dense(Index d1, Index d2, Mat<S> rows, std::string family = "dense");
  static SensingMap from_rank_one(Mat<S> a, Mat<S> b, Vec<S> w, std::string family = "rank_one");
  static SensingMap from_quadratic(Mat<S> x, std::string family = "quadratic");
  static SensingMap from_entries(Index d1, Index d2, std::vector<std::pair<Index, Index>> idx,
                                 Vec<S> w, std::string family = "completion");
  static SensingMap identity(Index d1, Index d2);

  // raw data (for writers and solvers)
  const Mat<S>& dense_rows() const { return dense_; }
  const Mat<S>& left() const { return a_; }
  const Mat<S>& right() const { return b_; }
  const Vec<S>& weights() const { return w_; }
  const std::vector<std::pair<Index, Index>>& entries() const { return idx_; }

 private:
  template <class T> friend class SensingMap;
  Structure structure_ = Structure::identity;
  std::string family_;
  Index d1_ = 0, d2_ = 0, m_ = 0;
  Mat<S> dense_;   // dense
  Mat<S> a_, b_;   // rank_one (m x d1, m x d2), quadratic (a_ = x, m x d)
  Vec<S> w_;       // rank_one, entries
  std::vector<std::pair<Index, Index>> idx_;  // entries
};

// The rescaling matrices of paper A (14) (and D of (63) for a quadratic map: D1 = D2 = D).
template <class S> struct Rescaling {
  Mat<S> D1, D2;
};
template <class S> Rescaling<S> rescaling(const SensingMap<S>& A);

// Random ensembles (drawn in double by the portable generator, exact in every precision).
//   gaussian:   A_i with iid N(0,1) entries, drawn A_1 row by row, then A_2, ...
//   bilinear:   A_i = a_i b_i^T, a_i ~ N(0, I_d1) then b_i ~ N(0, I_d2), for i = 1..m
//   completion: Bernoulli(p) mask; entries visited row-major, (j, k) kept when uniform() < p
//   quadratic:  A_i = x_i x_i^T, x_i ~ N(0, I_d)
SensingMap<double> gaussian_map(Rng& rng, Index d1, Index d2, Index m);
SensingMap<double> bilinear_map(Rng& rng, Index d1, Index d2, Index m);
SensingMap<double> completion_map(Rng& rng, Index d1, Index d2, double p);
SensingMap<double> quadratic_map(Rng& rng, Index d, Index m);

// Paper A Lemma 7.6, (70): from a quadratic map with vectors x_1..x_m, the rank-one map with
// a_i = (x_{2i-1} + x_{2i})/sqrt 2, b_i = (x_{2i-1} - x_{2i})/sqrt 2, i = 1..floor(m/2).
template <class S> SensingMap<S> paired_map(const SensingMap<S>& quadratic);

// Ground truths (paper A section 8 as chosen in docs/usage.md): M = G1 G2^T with Gaussian
// d1 x r and d2 x r factors, scaled to ||M||_F = 1; symmetric: M = G diag(signs) G^T scaled.
// The factors are drawn in double; the product and the scaling are formed in the working
// precision (assemble<S>), so M has rank exactly r in every precision (a product formed in
// double and then converted would carry rank-full rounding noise of size 1e-16).
struct LowRankFactors {
  Mat<double> G1, G2;
  Vec<double> signs;  // all +1 for the rectangular truth
};
LowRankFactors random_low_rank(Rng& rng, Index d1, Index d2, Index r);
LowRankFactors random_symmetric_low_rank(Rng& rng, Index d, Index r_pos, Index r_neg);
template <class S> Mat<S> assemble(const LowRankFactors& f);  // G1 diag(signs) G2^T / ||.||_F

}  // namespace flatmin
