// The instance exchange format (docs/instance-format.md): bit-exact round trips for every family,
// deterministic generation, b = A(M), and one test per reader rule checking that the message
// names the file, the line and what was expected.
#include <gtest/gtest.h>
#include <unistd.h>

#include <Eigen/Eigenvalues>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "flatmin/instance.hpp"

using namespace flatmin;
namespace fs = std::filesystem;

namespace {

const char* const kFamilies[] = {"gaussian", "bilinear", "completion", "quadnn"};

RecoveryInstance small(const std::string& family, std::uint64_t seed = 3) {
  return generate_instance(family, 4, 9, 0.5, 2, seed);
}

bool same_bits(const Mat<double>& a, const Mat<double>& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  // an empty matrix has a null data pointer, which memcmp must not see even with length 0
  return a.size() == 0 ||
         std::memcmp(a.data(), b.data(), sizeof(double) * std::size_t(a.size())) == 0;
}

void expect_same(const RecoveryInstance& x, const RecoveryInstance& y) {
  EXPECT_EQ(x.family, y.family);
  EXPECT_EQ(x.d1, y.d1);
  EXPECT_EQ(x.d2, y.d2);
  EXPECT_EQ(x.r, y.r);
  EXPECT_EQ(x.seed, y.seed);
  EXPECT_EQ(x.has_truth, y.has_truth);
  EXPECT_TRUE(same_bits(x.M, y.M)) << x.family << ": M differs";
  EXPECT_TRUE(same_bits(x.b, y.b)) << x.family << ": b differs";
  EXPECT_EQ(x.A.structure(), y.A.structure());
  EXPECT_EQ(x.A.family(), y.A.family());
  EXPECT_EQ(x.A.m(), y.A.m());
  EXPECT_TRUE(same_bits(x.A.dense_rows(), y.A.dense_rows())) << x.family;
  EXPECT_TRUE(same_bits(x.A.left(), y.A.left())) << x.family;
  EXPECT_TRUE(same_bits(x.A.right(), y.A.right())) << x.family;
  EXPECT_TRUE(same_bits(x.A.weights(), y.A.weights())) << x.family;
  EXPECT_EQ(x.A.entries(), y.A.entries());
}

// The message of the rejection of `text` (read as "f.txt"), or "" when it was accepted.
std::string rejection(const std::string& text) {
  try {
    parse_instance(text, "f.txt");
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

// `text` must be rejected with a message "f.txt:<line>: ..." containing `what`.
void expect_rejected(const std::string& text, int line, const std::string& what) {
  const std::string msg = rejection(text);
  SCOPED_TRACE("input:\n" + text.substr(0, 400));
  ASSERT_FALSE(msg.empty()) << "accepted";
  const std::string where = "f.txt:" + std::to_string(line) + ": ";
  EXPECT_EQ(msg.rfind(where, 0), 0u) << "message does not start with '" << where << "': " << msg;
  EXPECT_NE(msg.find(what), std::string::npos) << "message lacks '" << what << "': " << msg;
}

// `base` with token number `col` (from 0) of line `line` (from 1) replaced by `token`.
std::string mutate(const std::string& base, int line, int col, const std::string& token) {
  std::istringstream in(base);
  std::string out, l;
  for (int n = 1; std::getline(in, l); ++n) {
    if (n == line) {
      std::istringstream ts(l);
      std::string t, joined;
      for (int c = 0; ts >> t; ++c) joined += (c ? " " : "") + (c == col ? token : t);
      l = joined;
    }
    out += l + "\n";
  }
  return out;
}

// Hand-written valid files, one per family (lines: header, M, records, b).
const std::string kGaussian =  // M on lines 2-3, records 4-5, b on 6
    "gaussian 2 2 2 1 7\n"
    "1 2\n"
    "3 4\n"
    "1 0 0 0\n"
    "0 0 0 1\n"
    "1 4\n";
const std::string kBilinear =  // M 2-3, record 4, b 5
    "bilinear 2 2 1 1 7\n"
    "1 0\n"
    "0 0\n"
    "1 2 3 4\n"
    "3\n";
const std::string kCompletion =  // M 2-3, records 4-6, b 7
    "completion 2 3 3 1 7\n"
    "1 2 3\n"
    "4 5 6\n"
    "0 0\n"
    "0 2\n"
    "1 1\n"
    "1 3 5\n";
const std::string kQuadnn =  // M 2-3, record 4, b 5
    "quadnn 2 2 1 1 7\n"
    "1 0\n"
    "0 1\n"
    "1 1\n"
    "2\n";

fs::path temp_dir() {
  const fs::path dir =
      fs::temp_directory_path() / ("flatmin_test_instance." + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

bool has_temp_file(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp.") != std::string::npos) return true;
  return false;
}

}  // namespace

// ---- round trips ---------------------------------------------------------------------------

TEST(Instance, RoundTripIsBitExactForEveryFamily) {
  for (const char* family : kFamilies) {
    SCOPED_TRACE(family);
    const RecoveryInstance x = small(family);
    const std::string text = format_instance(x);
    const RecoveryInstance y = parse_instance(text, "roundtrip");
    expect_same(x, y);
    EXPECT_EQ(format_instance(y), text);
  }
}

TEST(Instance, RoundTripOfAwkwardDoubles) {
  // subnormals, signed zero, the extremes, and values whose shortest form has 17 digits
  const double v[] = {std::numeric_limits<double>::denorm_min(),
                      -0.0,
                      std::numeric_limits<double>::max(),
                      -std::numeric_limits<double>::min(),
                      0.1,
                      1.0 / 3.0,
                      -2.2250738585072014e-308,
                      123456789012345678.0};
  RecoveryInstance x;
  x.family = "gaussian";
  x.d1 = 2;
  x.d2 = 4;
  x.r = 2;
  x.seed = std::numeric_limits<std::uint64_t>::max();
  x.M = Eigen::Map<const Mat<double>>(v, 2, 4);
  x.has_truth = true;
  Mat<double> rows(2, 8);
  rows.row(0) = Eigen::Map<const Eigen::RowVectorXd>(v, 8);
  rows.row(1) = -rows.row(0);
  x.A = SensingMap<double>::from_dense(2, 4, rows, "gaussian");
  x.b = Vec<double>(2);
  x.b << v[0], v[6];
  const RecoveryInstance y = parse_instance(format_instance(x), "awkward");
  expect_same(x, y);
  EXPECT_TRUE(std::signbit(y.M(1, 0)));  // -0.0 stays negative
}

TEST(Instance, WriteThenReadLeavesNoTemporaryFile) {
  const fs::path dir = temp_dir();
  for (const char* family : kFamilies) {
    const RecoveryInstance x = small(family);
    const std::string path = (dir / (std::string(family) + ".txt")).string();
    write_instance(x, path);
    expect_same(x, read_instance(path));
    write_instance(small(family, 4), path);  // overwrite in place
    expect_same(small(family, 4), read_instance(path));
  }
  EXPECT_FALSE(has_temp_file(dir));
  fs::remove_all(dir);
}

TEST(Instance, HandWrittenFilesParse) {
  const RecoveryInstance g = parse_instance(kGaussian, "g");
  EXPECT_EQ(g.A.m(), 2);
  EXPECT_EQ(g.b(1), 4.0);
  const RecoveryInstance c = parse_instance(kCompletion, "c");
  EXPECT_EQ(c.A.entries()[2], std::make_pair(Index(1), Index(1)));
  // b_i = <A_i, M> holds for the hand-written files (the reader does not require it)
  for (const std::string& t : {kGaussian, kBilinear, kCompletion, kQuadnn}) {
    const RecoveryInstance x = parse_instance(t, "x");
    EXPECT_TRUE(same_bits(x.A.apply(x.M), x.b)) << t;
  }
  // CRLF line ends, tabs and extra blank lines are whitespace; '+' signs and exponents are reals
  std::string crlf;
  for (char ch : kBilinear) crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  expect_same(parse_instance(crlf, "crlf"), parse_instance(kBilinear, "lf"));
  const RecoveryInstance s =
      parse_instance("quadnn 2 2 1 0 0\n\n+1e0\t0\n0 1.0\n\n1 1\n2e0\n\n", "spaced");
  EXPECT_EQ(s.M(0, 0), 1.0);
  EXPECT_EQ(s.b(0), 2.0);
  EXPECT_EQ(parse_instance("completion 1 1 1 0 18446744073709551615\n0\n0 0\n0", "max").seed,
            std::numeric_limits<std::uint64_t>::max());
}

TEST(Instance, ZeroTruthMeansNoTruth) {
  EXPECT_TRUE(parse_instance(kGaussian, "g").has_truth);
  const RecoveryInstance z = parse_instance("gaussian 1 2 1 0 5\n0 -0\n1 1\n0\n", "zero");
  EXPECT_FALSE(z.has_truth);
  const RecoveryInstance nz = parse_instance("gaussian 1 2 1 0 5\n0 4.9e-324\n1 1\n0\n", "tiny");
  EXPECT_TRUE(nz.has_truth);
}

// ---- generation ----------------------------------------------------------------------------

TEST(Instance, GenerateIsDeterministicInTheSeed) {
  for (const char* family : kFamilies) {
    SCOPED_TRACE(family);
    const std::string a = format_instance(small(family, 11));
    EXPECT_EQ(a, format_instance(small(family, 11)));
    EXPECT_NE(a, format_instance(small(family, 12)));
  }
}

TEST(Instance, GenerateDrawsLikeTheCatalogue) {
  // ground truth first, then the map, from Rng(seed) (catalogue/rows/common.hpp make_instance)
  Rng rng(21);
  const Mat<double> M = assemble<double>(random_low_rank(rng, 5, 5, 2));
  const SensingMap<double> A = gaussian_map(rng, 5, 5, 12);
  const RecoveryInstance x = generate_instance("gaussian", 5, 12, 0.0, 2, 21);
  EXPECT_TRUE(same_bits(x.M, M));
  EXPECT_TRUE(same_bits(x.A.dense_rows(), A.dense_rows()));

  Rng rq(22);
  const Mat<double> Mq = assemble<double>(random_symmetric_low_rank(rq, 5, 2, 1));
  const RecoveryInstance q = generate_instance("quadnn", 5, 12, 0.0, 3, 22);
  EXPECT_TRUE(same_bits(q.M, Mq));
  // rank 3 -> signs +, +, -: two positive eigenvalues, one negative, the rest zero
  Eigen::SelfAdjointEigenSolver<Mat<double>> es(q.M);
  int pos = 0, neg = 0;
  for (Index i = 0; i < 5; ++i) {
    pos += es.eigenvalues()(i) > 1e-12;
    neg += es.eigenvalues()(i) < -1e-12;
  }
  EXPECT_EQ(pos, 2);
  EXPECT_EQ(neg, 1);
}

TEST(Instance, ObservationsAreAOfTheTruth) {
  for (const char* family : kFamilies) {
    SCOPED_TRACE(family);
    const RecoveryInstance x = small(family, 5);
    EXPECT_TRUE(x.has_truth);
    EXPECT_EQ(x.A.family(), std::string(family));
    EXPECT_NEAR(x.M.norm(), 1.0, 1e-15);
    EXPECT_TRUE(same_bits(x.b, x.A.apply(x.M)));
    // against the definition b_i = <A_i, M>, computed independently of apply
    for (Index i = 0; i < x.A.m(); ++i)
      EXPECT_NEAR(x.b(i), x.A.matrix(i).cwiseProduct(x.M).sum(), 1e-13 * (1 + std::abs(x.b(i))));
    // and after a trip through the file
    const RecoveryInstance y = parse_instance(format_instance(x), "b");
    EXPECT_TRUE(same_bits(y.b, y.A.apply(y.M)));
  }
}

TEST(Instance, GenerateRejectsBadArguments) {
  const auto rejects = [](const std::string& family, Index d, Index m, double p, Index rank,
                          const std::string& what) {
    try {
      generate_instance(family, d, m, p, rank, 1);
      ADD_FAILURE() << family << " d=" << d << " m=" << m << " p=" << p << " rank=" << rank;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  rejects("gauss", 4, 5, 0, 1, "unknown family 'gauss'");
  rejects("gaussian", 0, 5, 0, 1, "d must lie in [1, 2000]");
  rejects("gaussian", 2001, 5, 0, 1, "d must lie in [1, 2000]");
  rejects("gaussian", 4, 5, 0, 0, "rank must lie in [1, d]");
  rejects("quadnn", 4, 5, 0, 5, "rank must lie in [1, d]");
  rejects("bilinear", 4, 0, 0, 1, "m must lie in [1, 10^7]");
  rejects("quadnn", 4, 10000001, 0, 1, "m must lie in [1, 10^7]");
  rejects("gaussian", 2000, 100, 0, 1, "more than 2e8");
  rejects("completion", 4, 0, 0.0, 1, "p must lie in (0, 1]");
  rejects("completion", 4, 0, 1.5, 1, "p must lie in (0, 1]");
  rejects("completion", 4, 0, std::nan(""), 1, "p must lie in (0, 1]");
  rejects("completion", 2, 0, 1e-12, 1, "observed no entry");
  EXPECT_EQ(generate_instance("completion", 3, 0, 1.0, 1, 1).A.m(), 9);  // p = 1 sees everything
}

TEST(Instance, FormatRejectsWhatCannotBeReadBack) {
  const auto rejects = [](const RecoveryInstance& x, const std::string& what) {
    try {
      format_instance(x);
      ADD_FAILURE() << "formatted: " << what;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  RecoveryInstance x = small("bilinear");
  x.A = SensingMap<double>::from_rank_one(x.A.left(), x.A.right(), 2 * x.A.weights(), "bilinear");
  rejects(x, "weights other than 1");
  x = small("completion");
  auto idx = x.A.entries();
  std::swap(idx.front(), idx.back());
  x.A = SensingMap<double>::from_entries(4, 4, idx, x.A.weights(), "completion");
  rejects(x, "row-major order");
  x = small("gaussian");
  x.b.conservativeResize(3);
  rejects(x, "b has length 3");
  x = small("gaussian");
  x.M(1, 1) = std::nan("");
  rejects(x, "not finite");
  x = small("gaussian");
  x.family = "quadnn";
  rejects(x, "needs a quadratic map");
  x.family = "dense";
  rejects(x, "unknown family 'dense'");
}

// ---- the reader's rules: every message names the file, the line and what was expected ------

TEST(InstanceReader, ValidBasesParse) {
  for (const std::string& t : {kGaussian, kBilinear, kCompletion, kQuadnn})
    EXPECT_EQ(rejection(t), "") << t;
}

TEST(InstanceReader, RejectsTruncatedFiles) {
  expect_rejected("", 1, "unexpected end of file, expected family");
  expect_rejected("gaussian 2 2", 1, "unexpected end of file, expected m");
  expect_rejected("gaussian 2 2 2 1 7\n1 2\n3\n", 3, "unexpected end of file, expected M[1][1]");
  expect_rejected("gaussian 2 2 2 1 7\n1 2\n3 4\n1 0 0 0\n0 0 0\n", 5,
                  "unexpected end of file, expected sensing record 1: A_1[1][1]");
  expect_rejected(kGaussian.substr(0, kGaussian.size() - 3), 6,
                  "unexpected end of file, expected observation b_1");
  expect_rejected("bilinear 2 2 1 1 7\n1 0\n0 0\n1 2 3", 4, "expected sensing record 0: b_0[1]");
  expect_rejected("completion 2 3 3 1 7\n1 2 3\n4 5 6\n0 0\n0 2\n1", 6,
                  "expected sensing record 2: column index k");
  expect_rejected("quadnn 2 2 1 1 7\n1 0\n0 1\n1 1\n", 4,
                  "unexpected end of file, expected observation b_0");
  // every proper prefix of a valid file that ends inside or after a token is rejected
  for (const std::string& t : {kGaussian, kBilinear, kCompletion, kQuadnn})
    for (std::size_t n = 0; n + 2 < t.size(); ++n)
      EXPECT_NE(rejection(t.substr(0, n)), "") << "prefix of " << n << " bytes accepted";
}

TEST(InstanceReader, RejectsHeaderDefects) {
  const std::string fam = "expected family (gaussian, bilinear, completion or quadnn), got ";
  expect_rejected(mutate(kGaussian, 1, 0, "gauss"), 1, fam + "'gauss'");
  expect_rejected(mutate(kGaussian, 1, 0, "Gaussian"), 1, fam + "'Gaussian'");
  expect_rejected(mutate(kGaussian, 1, 0, "#"), 1, fam + "'#'");
  expect_rejected("gaussian 2 2\n2 1 7\n1 2\n", 1, "expected m (a positive integer) on line 1");
  expect_rejected("\ngaussian 2 2 2 1 7\n", 1,
                  "expected family (gaussian, bilinear, completion or quadnn) on line 1");
  expect_rejected(
      mutate(kGaussian, 1, 5, "7 8"), 1,
      "expected end of the header line after the seed (header: family d1 d2 m r seed), got '8'");
  expect_rejected(mutate(kGaussian, 1, 5, "7 # header"), 1, "got '#'");
}

TEST(InstanceReader, RejectsZeroNegativeAndNonIntegerSizes) {
  const std::string d1 = "expected d1 (a positive integer), got ";
  expect_rejected(mutate(kGaussian, 1, 1, "0"), 1, d1 + "'0'");
  expect_rejected(mutate(kGaussian, 1, 1, "000"), 1, d1 + "'000'");
  expect_rejected(mutate(kGaussian, 1, 1, "-2"), 1, d1 + "'-2'");
  expect_rejected(mutate(kGaussian, 1, 1, "2.0"), 1, d1 + "'2.0'");
  expect_rejected(mutate(kGaussian, 1, 1, "2e0"), 1, d1 + "'2e0'");
  expect_rejected(mutate(kGaussian, 1, 1, "+2"), 1, d1 + "'+2'");
  expect_rejected(mutate(kGaussian, 1, 1, "two"), 1, d1 + "'two'");
  expect_rejected(mutate(kGaussian, 1, 2, "0"), 1, "expected d2 (a positive integer), got '0'");
  expect_rejected(mutate(kGaussian, 1, 3, "0"), 1, "expected m (a positive integer), got '0'");
  expect_rejected(mutate(kGaussian, 1, 3, "-1"), 1, "expected m (a positive integer), got '-1'");
  expect_rejected(mutate(kGaussian, 1, 3, "99999999999999999999"), 1,
                  "expected m (a positive integer), got '99999999999999999999'");
}

TEST(InstanceReader, RejectsRankOutOfRangeAndBadSeed) {
  const std::string r = "expected r (the rank, in [0, min(d1, d2)] = [0, 2]), got ";
  expect_rejected(mutate(kGaussian, 1, 4, "3"), 1, r + "'3'");
  expect_rejected(mutate(kGaussian, 1, 4, "-1"), 1, r + "'-1'");
  expect_rejected(mutate(kGaussian, 1, 4, "1.5"), 1, r + "'1.5'");
  EXPECT_EQ(rejection(mutate(kGaussian, 1, 4, "0")), "");  // rank unknown
  const std::string s = "expected seed (an unsigned 64-bit integer), got ";
  expect_rejected(mutate(kGaussian, 1, 5, "-1"), 1, s + "'-1'");
  expect_rejected(mutate(kGaussian, 1, 5, "18446744073709551616"), 1, s + "'18446744073709551616'");
  expect_rejected(mutate(kGaussian, 1, 5, "1e3"), 1, s + "'1e3'");
  expect_rejected(mutate(kGaussian, 1, 5, "0x10"), 1, s + "'0x10'");
}

TEST(InstanceReader, RejectsFamilyShapeRules) {
  expect_rejected(mutate(kQuadnn, 1, 2, "3"), 1,
                  "expected d2 = d1 = 2 (quadnn: M and the x_i x_i^T are d x d), got '3'");
  expect_rejected(mutate(kCompletion, 1, 3, "7"), 1,
                  "expected m (the number of observed entries, in [1, d1*d2] = [1, 6]), got '7'");
}

TEST(InstanceReader, RejectsAbsurdSizesBeforeAllocating) {
  // A header claiming more numbers than the file can hold is read dry (nothing allocated): the
  // message is the one of the first defect, and at the end of the file it says what was claimed.
  const auto start = std::chrono::steady_clock::now();
  // 20 bytes claiming a 10^9 x 10^9 truth (an allocation of 8e18 bytes)
  expect_rejected("gaussian 1000000000 1000000000 5 1 0\n1 2\n", 2,
                  "unexpected end of file, expected M[0][2] (a finite real number) (line 1 claims "
                  "d1=1000000000 d2=1000000000 m=5: 6000000000000000005 numbers, and the 5 bytes "
                  "after it hold at most 2; the file is truncated or its sizes are wrong)");
  expect_rejected("completion 4000000000 4000000000 3 1 0\n0 0 0 1 0 2 1 1 1\n", 2,
                  "expected M[0][9] (a finite real number) (line 1 claims d1=4000000000");
  // sizes whose products overflow 64 bits
  expect_rejected(
      "gaussian 18446744073709551615 18446744073709551615 18446744073709551615 0 0\n1\n", 2,
      "more than 2^64 numbers");
  expect_rejected("quadnn 4294967296 4294967296 4294967296 0 0\n1\n", 2, "more than 2^64 numbers");
  // 800 MB for M alone, and the 4-byte body is not even close
  expect_rejected("gaussian 10000 10000 1 1 0\n1 2\n", 2, "line 1 claims d1=10000 d2=10000 m=1");
  // the dry run reports a bad token like the real reading does
  expect_rejected("gaussian 1000000000 1000000000 5 1 0\nnan\n", 2,
                  "expected M[0][0] (a finite real number), got 'nan'");
  // a file of exactly the minimal length is fine (1 x 1 truth, one record, one observation),
  // one byte less is not
  EXPECT_EQ(rejection("quadnn 1 1 1 0 0\n1 1 1"), "");
  expect_rejected("quadnn 1 1 1 0 0\n1 11", 2,
                  "expected observation b_0 (a finite real number) (line 1 claims");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 1.0);  // each is rejected in microseconds; an allocation would fail or crawl
}

TEST(InstanceReader, RejectsNonNumbersNanAndInfinity) {
  // in the truth, in a sensing record, in the observations
  const std::vector<std::string> tokens = {"abc",
                                           "#",
                                           "1.5x",
                                           "0x10",
                                           "1,5",
                                           "--1",
                                           "+-1",
                                           "1e",
                                           "nan",
                                           "-nan",
                                           "NaN",
                                           "inf",
                                           "-inf",
                                           "infinity",
                                           "1e999",
                                           "-1e999",
                                           "1e-400",
                                           "1_0",
                                           std::string("1\0", 2)};
  for (const std::string& tok : tokens) {
    SCOPED_TRACE(tok);
    expect_rejected(mutate(kGaussian, 3, 1, tok), 3,
                    "expected M[1][1] (a finite real number), got '");
    expect_rejected(mutate(kGaussian, 5, 2, tok), 5,
                    "expected sensing record 1: A_1[1][0] (a finite real number), got '");
    expect_rejected(mutate(kBilinear, 4, 3, tok), 4,
                    "expected sensing record 0: b_0[1] (a finite real number)");
    expect_rejected(mutate(kQuadnn, 4, 0, tok), 4,
                    "expected sensing record 0: x_0[0] (a finite real number)");
    expect_rejected(mutate(kCompletion, 7, 2, tok), 7,
                    "expected observation b_2 (a finite real number)");
  }
  expect_rejected(mutate(kGaussian, 2, 0, "nan"), 2, "got 'nan'");
  expect_rejected(mutate(kGaussian, 2, 0, "1e999"), 2, "got '1e999'");
  // a binary token is shown escaped and shortened
  const std::string msg = rejection(mutate(kGaussian, 2, 0, "\x01\xff" + std::string(60, 'z')));
  EXPECT_NE(msg.find("got '\\x01\\xff" + std::string(38, 'z') + "...'"), std::string::npos) << msg;
}

TEST(InstanceReader, RejectsBadCompletionIndices) {
  const std::string row =
      "expected sensing record 1: row index j (an integer in [0, d1) = [0, 2)), got ";
  const std::string col =
      "expected sensing record 1: column index k (an integer in [0, d2) = [0, 3)), got ";
  expect_rejected(mutate(kCompletion, 5, 0, "-1"), 5, row + "'-1'");
  expect_rejected(mutate(kCompletion, 5, 0, "2"), 5, row + "'2'");
  expect_rejected(mutate(kCompletion, 5, 0, "0.0"), 5, row + "'0.0'");
  expect_rejected(mutate(kCompletion, 5, 0, "0e0"), 5, row + "'0e0'");
  expect_rejected(mutate(kCompletion, 5, 0, "+0"), 5, row + "'+0'");
  expect_rejected(mutate(kCompletion, 5, 0, "99999999999999999999999"), 5,
                  row + "'99999999999999999999999'");
  expect_rejected(mutate(kCompletion, 5, 1, "3"), 5, col + "'3'");
  expect_rejected(mutate(kCompletion, 5, 1, "x"), 5, col + "'x'");
  // duplicates and order
  expect_rejected(mutate(kCompletion, 5, 1, "0"), 5,
                  "duplicate completion index (0, 0) (sensing records 0 at line 4 and 1)");
  expect_rejected(mutate(mutate(kCompletion, 4, 1, "2"), 5, 1, "1"), 5,
                  "expected sensing record 1: an index after (0, 2) (completion records are in "
                  "row-major order), got '0 1'");
  expect_rejected(mutate(mutate(kCompletion, 6, 0, "0"), 6, 1, "1"), 6,
                  "after (0, 2) (completion records are in row-major order), got '0 1'");
}

TEST(InstanceReader, RejectsTrailingTokens) {
  expect_rejected(kGaussian + "5\n", 7,
                  "expected end of file after the m = 2 observations, got '5'");
  expect_rejected(mutate(kGaussian, 6, 1, "4 0"), 6, "after the m = 2 observations, got '0'");
  expect_rejected(kQuadnn + "# comment\n", 6, "got '#'");
  EXPECT_EQ(rejection(kGaussian + "\n \t\r\n"), "");  // trailing whitespace is fine
}

TEST(InstanceReader, ReadInstanceNamesThePath) {
  const fs::path dir = temp_dir();
  const std::string missing = (dir / "no-such-file.txt").string();
  try {
    read_instance(missing);
    ADD_FAILURE() << "read a missing file";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open '" + missing + "'"), std::string::npos)
        << e.what();
  }
  try {
    read_instance(dir.string());
    ADD_FAILURE() << "read a directory";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'" + dir.string() + "'"), std::string::npos) << e.what();
  }
  const std::string bad = (dir / "bad.txt").string();
  std::ofstream(bad) << mutate(kBilinear, 2, 1, "nan");
  try {
    read_instance(bad);
    ADD_FAILURE() << "read a bad file";
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()).rfind(
                  bad + ":2: expected M[0][1] (a finite real number), got 'nan'", 0),
              0u)
        << e.what();
  }
  fs::remove_all(dir);
}

TEST(InstanceReader, FailedWriteLeavesNothingBehind) {
  const fs::path dir = temp_dir();
  const RecoveryInstance x = small("gaussian");
  const std::string into_missing_dir = (dir / "missing" / "x.txt").string();
  try {
    write_instance(x, into_missing_dir);
    ADD_FAILURE() << "wrote into a missing directory";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("cannot write " + into_missing_dir + ": "),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "missing"));
  // the temporary file can be created but not renamed onto a directory: it is removed
  fs::create_directories(dir / "adir");
  EXPECT_THROW(write_instance(x, (dir / "adir").string()), InvalidArgument);
  EXPECT_TRUE(fs::is_directory(dir / "adir"));
  EXPECT_FALSE(has_temp_file(dir));
  // an instance that cannot be formatted never touches the disk
  RecoveryInstance y = x;
  y.b.conservativeResize(1);
  EXPECT_THROW(write_instance(y, (dir / "y.txt").string()), InvalidArgument);
  EXPECT_FALSE(fs::exists(dir / "y.txt"));
  EXPECT_FALSE(has_temp_file(dir));
  fs::remove_all(dir);
}

TEST(InstanceReader, RandomCorruptionsAreRejectedOrParsedNeverCrash) {
  // A deterministic small-scale fuzz (fuzz/fuzz_instance.cpp does this at scale): flip, insert
  // and delete bytes of valid files; the reader either accepts or throws InvalidArgument naming
  // the file, and whatever it accepts formats and reads back to the same bytes.
  Rng rng(2024);
  const std::string alphabet = " \n0123456789.-+eE#naif";
  const std::string hand[] = {kGaussian, kBilinear, kCompletion, kQuadnn};
  std::string generated[4];
  for (int f = 0; f < 4; ++f) generated[f] = format_instance(small(kFamilies[f], 1));
  int accepted = 0, rejected = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    std::string t = trial % 2 ? generated[(trial / 2) % 4] : hand[(trial / 2) % 4];
    const int edits = 1 + int(rng.below(3));
    for (int e = 0; e < edits && !t.empty(); ++e) {
      const std::size_t at = std::size_t(rng.below(t.size()));
      const char c = alphabet[std::size_t(rng.below(alphabet.size()))];
      switch (rng.below(3)) {
        case 0:
          t[at] = c;
          break;
        case 1:
          t.insert(at, 1, c);
          break;
        default:
          t.erase(at, 1);
          break;
      }
    }
    try {
      const RecoveryInstance x = parse_instance(t, "f.txt");
      const std::string once = format_instance(x);
      EXPECT_EQ(format_instance(parse_instance(once, "again")), once);
      ++accepted;
    } catch (const InvalidArgument& e) {
      EXPECT_EQ(std::string(e.what()).rfind("f.txt:", 0), 0u) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 1000);
  EXPECT_GT(accepted, 100);  // e.g. a digit changed into another digit
}
