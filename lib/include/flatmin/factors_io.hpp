// flatmin/factors_io.hpp — a factor pair (L, R) as text, for `flatmin eval`: d1 rows of L, then
// d2 rows of R, k whitespace-separated reals a row (k >= 1, the same on every row; line breaks
// separate the rows). Numbers follow the syntax of instance files (flatmin/number_syntax.hpp:
// decimal reals as std::from_chars reads them, subnormals included; no NaN, infinity, hex
// floats or reals beyond double's range), and read_factors reads the file as read_instance
// does (flatmin/text_file.hpp: regular files of at most 2 GiB). The rules of
// docs/instance-format.md for bad input apply: a missing or extra row, a row of another length,
// a token that is not a number (shown with its bytes outside printable ASCII as \xHH) is
// rejected with a message naming the file, the line and what was expected.
#pragma once

#include <string>

#include "flatmin/objective.hpp"

namespace flatmin {

Factors<double> parse_factors(const std::string& text, const std::string& name, Index d1, Index d2);
Factors<double> read_factors(const std::string& path, Index d1, Index d2);

}  // namespace flatmin
