#include "flatmin/factors_io.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "flatmin/number_syntax.hpp"
#include "flatmin/text_file.hpp"

namespace flatmin {

namespace {

// The whitespace-separated tokens of one line (whitespace as in instance files).
std::vector<std::string_view> tokens_of(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && text::is_space(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !text::is_space(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// A number by the syntax of instance files (flatmin/number_syntax.hpp).
double real_of(std::string_view tok, const std::string& where) {
  double v = 0;
  if (!text::parse_real(tok, v))
    throw InvalidArgument(where + ": expected a finite real number, got '" + text::shown(tok) +
                          "'");
  return v;
}

}  // namespace

Factors<double> parse_factors(const std::string& contents, const std::string& name, Index d1,
                              Index d2) {
  if (d1 < 1 || d2 < 1) throw InvalidArgument(name + ": the instance has a zero dimension");
  std::vector<std::vector<double>> rows;
  Index k = -1;
  std::size_t pos = 0;
  for (Index lineno = 1; pos < contents.size(); ++lineno) {
    const std::size_t eol = std::min(contents.find('\n', pos), contents.size());
    const std::vector<std::string_view> toks =
        tokens_of(std::string_view(contents).substr(pos, eol - pos));
    pos = eol + 1;
    if (toks.empty()) continue;  // blank lines carry nothing
    const std::string where = name + ":" + std::to_string(lineno);
    if (Index(rows.size()) == d1 + d2)
      throw InvalidArgument(where + ": expected end of file after " + std::to_string(d1) +
                            " rows of L and " + std::to_string(d2) + " rows of R, got '" +
                            text::shown(toks[0]) + "'");
    if (k < 0) k = Index(toks.size());
    if (Index(toks.size()) != k)
      throw InvalidArgument(where + ": expected " + std::to_string(k) +
                            " numbers (k, from the first row), got " + std::to_string(toks.size()));
    std::vector<double> row;
    for (const std::string_view t : toks) row.push_back(real_of(t, where));
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
  return parse_factors(read_text_file(path), path, d1, d2);
}

}  // namespace flatmin
