// Importer for the Last.fm split published with LightGCN-PyTorch (data1.txt = train,
// test1.txt = test, trustnetwork.txt = friends), `melograph import lightgcn`. See
// docs/IMPORTERS.md.
//
// Produces, keeping the split's own 1-based ids and its train/test split exactly:
//   user:<u> listened artist:<i>   weight 1 + ln(listen count) (1 with binary_listens)
//   user:<a> friend user:<b>       each undirected pair once, a < b
// and, when a HetRec 2011 folder is given, artist tags mapped onto the split's items:
//   artist:<i> tagged tag:<HetRec tagValue>  weight = number of HetRec users who applied it.
//
// The item -> HetRec artist mapping follows the dataset README ("Mapping back to HetRec 2011
// ids"): LightGCN user u is the u-th smallest HetRec userID; every split line (u, i, w) votes
// for the artists that user u listened to exactly w times (within 1e-4 relative when w is
// written as a decimal or in scientific notation); each item takes its unique top-voted
// artist. Unresolved or tied items get no tags and are counted.
//
// Guarantees: train/test pairs are exactly the files' pairs (a repeated pair in one file or a
// pair in both is an InputError); output sorted by (user, item). Complexity O(R log R).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kg_builder/import_common.h"

namespace melograph {

struct LightgcnOptions {
  std::string dir;         // folder holding data1.txt, test1.txt, trustnetwork.txt
  bool friends = true;     // write `friend` triples from trustnetwork.txt
  std::string hetrec_dir;  // non-empty: attach HetRec artist tags through the id mapping
  bool binary_listens = false;
};

ImportResult ImportLightgcn(const LightgcnOptions& options);

struct LightgcnInteraction {
  int64_t user = 0;
  int64_t item = 0;
  double count = 0;      // listen count as written
  bool inexact = false;  // written as a decimal or in scientific notation
};

struct LightgcnItemMapping {
  std::vector<int64_t> artist_of_item;  // index: item id; 0 = unresolved
  std::vector<int64_t> user_of_user;    // index: split user id; HetRec userID (0 = none)
  int64_t unmatched_lines = 0;          // lines with no candidate artist
  int64_t ambiguous_items = 0;          // top vote tied
  int64_t unresolved_items = 0;         // no vote at all or tied
  int64_t artist_collisions = 0;        // artists chosen by more than one item
};

// Maps the split's items to HetRec artist ids by voting (see above).
LightgcnItemMapping MapLightgcnToHetrec(const std::vector<LightgcnInteraction>& interactions,
                                        const std::string& hetrec_dir);

}  // namespace melograph
