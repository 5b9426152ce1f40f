// Internal: each rows_*.cpp registers the catalogue rows of one section of the papers.
#pragma once

#include <vector>

#include "flatmin/catalogue.hpp"

namespace flatmin::catalogue::detail {
void register_rows_a2(std::vector<Row>& out);     // A (10), Lemma 2.1, Lemma 2.2
void register_rows_a3(std::vector<Row>& out);     // A Lemma 3.1, Thm 3.2, Lemma 3.4
void register_rows_a45(std::vector<Row>& out);    // A Lemmas 4.4-4.9, 5.2, 5.4 (RIP, D_i)
void register_rows_a6(std::vector<Row>& out);     // A section 6 (robust PCA local model)
void register_rows_a6_solver(std::vector<Row>& out);  // A Thm 6.1 (robust PCA, needs the solver)
void register_rows_a7(std::vector<Row>& out);     // A (59), Lemmas 7.2-7.6, Thm 7.5
void register_rows_b(std::vector<Row>& out);      // paper B (deep traces, induced regularizers)
void register_rows_b_rip(std::vector<Row>& out);  // paper B Lemmas 3 and 5 (need RIP estimates)
void register_rows_depth(std::vector<Row>& out);  // Hadamard-product depth model
void register_rows_solver(std::vector<Row>& out);  // A Thm 3.3, Lemma 5.3, B Thm 1 (need the solver)
}  // namespace flatmin::catalogue::detail
