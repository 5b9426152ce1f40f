// Catalogue rows: see registry.hpp. (Not yet implemented.)
#include "common.hpp"

namespace flatmin::catalogue::detail {
void register_rows_b_rip(std::vector<Row>&) {}
}  // namespace flatmin::catalogue::detail
