#include "flatmin/factors_io.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace flatmin {

namespace {

std::vector<std::string> tokens_of(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

double real_of(const std::string& tok, const std::string& where) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(tok.c_str(), &end);
  if (tok.empty() || end != tok.c_str() + tok.size() || errno == ERANGE || !std::isfinite(v))
    throw InvalidArgument(where + ": expected a finite real number, got '" + tok + "'");
  return v;
}

}  // namespace

Factors<double> parse_factors(const std::string& text, const std::string& name, Index d1, Index d2) {
  if (d1 < 1 || d2 < 1) throw InvalidArgument(name + ": the instance has a zero dimension");
  std::istringstream in(text);
  std::vector<std::vector<double>> rows;
  Index k = -1;
  std::string line;
  for (Index lineno = 1; std::getline(in, line); ++lineno) {
    const std::vector<std::string> toks = tokens_of(line);
    if (toks.empty()) continue;  // blank lines carry nothing
    const std::string where = name + ":" + std::to_string(lineno);
    if (Index(rows.size()) == d1 + d2)
      throw InvalidArgument(where + ": expected end of file after " + std::to_string(d1) +
                            " rows of L and " + std::to_string(d2) + " rows of R, got '" +
                            toks[0] + "'");
    if (k < 0) k = Index(toks.size());
    if (Index(toks.size()) != k)
      throw InvalidArgument(where + ": expected " + std::to_string(k) +
                            " numbers (k, from the first row), got " + std::to_string(toks.size()));
    std::vector<double> row;
    for (const std::string& t : toks) row.push_back(real_of(t, where));
    rows.push_back(std::move(row));
  }
  if (Index(rows.size()) != d1 + d2)
    throw InvalidArgument(name + ": unexpected end of file, expected " + std::to_string(d1) +
                          " rows of L then " + std::to_string(d2) + " rows of R, got " +
                          std::to_string(rows.size()) + " rows");
  Factors<double> f{Mat<double>(d1, k), Mat<double>(d2, k)};
  for (Index i = 0; i < d1 + d2; ++i)
    for (Index j = 0; j < k; ++j) (i < d1 ? f.L(i, j) : f.R(i - d1, j)) = rows[std::size_t(i)][std::size_t(j)];
  return f;
}

Factors<double> read_factors(const std::string& path, Index d1, Index d2) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument(path + ": cannot open the factor file");
  std::ostringstream s;
  s << in.rdbuf();
  return parse_factors(s.str(), path, d1, d2);
}

}  // namespace flatmin
