// Importer for the KGAT / KGIN data layout (`melograph import kgat`), see docs/IMPORTERS.md.
//
// Reads, whitespace-separated, 0-based ids:
//   train.txt, test.txt   `user item item ...` (one line per user; items may be absent)
//   kg_final.txt          `head relation tail` entity ids; items are entities 0..n_items-1
// with n_items = 1 + the largest item id in train.txt and test.txt (as KGAT computes it).
//
// Produces:
//   user:<u> listened item:<i>                weight 1 (the data is implicit feedback)
//   <E(h)> r<relation> <E(t)>                 E(e) = item:<e> if e < n_items, else entity:<e>
// and test pairs user:<u> / item:<i>. Duplicates are counted once, as KGAT/KGIN do: a repeated
// item on a train or test line, a repeated KG triple. A test pair that is also a training pair
// is dropped (test.tsv never overlaps training) and counted. A user on two lines of the same
// file is an InputError. Output sorted by numeric ids. Complexity O(R log R).
#pragma once

#include <string>

#include "kg_builder/import_common.h"

namespace melograph {

struct KgatOptions {
  std::string dir;  // folder holding train.txt, test.txt, kg_final.txt
  bool kg = true;   // false: interactions only (kg_final.txt not read)
};

ImportResult ImportKgat(const KgatOptions& options);

}  // namespace melograph
