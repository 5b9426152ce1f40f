// flatmin/factors_io.hpp — a factor pair (L, R) as text, for `flatmin eval`: d1 rows of L, then
// d2 rows of R, k whitespace-separated reals a row (k >= 1, the same on every row; line breaks
// separate the rows). The rules of spec/instance-format.md for bad input apply: a missing or
// extra row, a row of another length, a token that is not a number, NaN or infinity is rejected
// with a message naming the file, the line and what was expected.
#pragma once

#include <string>

#include "flatmin/objective.hpp"

namespace flatmin {

Factors<double> parse_factors(const std::string& text, const std::string& name, Index d1, Index d2);
Factors<double> read_factors(const std::string& path, Index d1, Index d2);

}  // namespace flatmin
