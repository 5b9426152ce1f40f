// reproductions/pipeline.hpp — regenerating figures end to end, as one function: which sweeps a
// request needs, computing their cells (threads, a shard, MPI ranks) or merging shard files,
// writing the figures' files, the manifest and comparing with it. `flatmin reproduce`
// (cli/cmd_reproduce.cpp) only parses its arguments into a Request and calls reproduce().
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace flatmin::repro {

struct Request {
  std::vector<std::string> figures;  // figure ids ("A-fig3", ...) or "all"; at least one
  std::string scale = "quick";       // quick or paper
  std::string out;                   // output folder; "" = figures/<scale>
  long long threads = 0;             // worker threads, 0 = all cores; 0 <= threads <= 1024
  // "i/n": compute only the cells of shard i of n and write one shard file per sweep into out.
  std::string shard;
  bool merge = false;                // read the n shard files in out instead of computing
  bool verify = false;               // compare the hashed files with the manifest
  std::string manifest;              // manifest file; "" = reproductions/manifest.sha256
  bool write_manifest = false;       // record the written files' hashes in the manifest
  bool draw = true;                  // run gnuplot on each figure's script
  std::string cell_times;            // if set, append each computed cell's wall seconds here
};

// Runs the request and returns the exit status of `flatmin reproduce`:
//   0 written (and, with verify, every hashed file equals its manifest entry);
//   1 a file differs from the manifest, a picture could not be drawn (the numbers are complete)
//     or a write failed (a full disk; nothing is left under a final name);
//   2 usage error: unknown figure or scale, bad shard, shard with merge or verify, threads out of
//     range, unwritable folder, an output name that is not a regular file, missing,
//     inconsistent or foreign shard files, unreadable manifest; out of memory;
//   3 internal error.
// Messages go to `err` prefixed "flatmin reproduce: ", the list of written files and the verify
// report to `out`. When the process was started by mpirun (and this build has MPI), the cells
// are dealt to the ranks, rank 0 gathers, writes and prints, and every rank returns rank 0's
// status; MPI is initialised and finalised here.
int reproduce(const Request& r, std::ostream& out, std::ostream& err);

}  // namespace flatmin::repro
