// Channel registry: builds a recall channel by name with its options (the flags of
// `melograph eval --channel` and `melograph recall --channel`).
//   mostpop | itemcf | usercf | artist | genre-hot | kg-hop | mix
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "recall/scorer.h"

namespace melograph {

struct ChannelOptions {
  int item_neighbors = 0;                 // ItemCF: neighbours kept per item (0 = all)
  int user_neighbors = 50;                // UserCF: neighbours kept per user (0 = all)
  bool iuf = false;                       // IUF weighting of the cosine (ItemCF/UserCF)
  bool weighted = false;                  // use log(1 + weight) instead of binary interactions
  int hops = 3;                           // kg-hop: walk length
  std::vector<std::string> kg_relations;  // kg-hop relations (empty = defaults)
  std::string mix = "itemcf:10,usercf:5,artist:2,genre-hot:1,kg-hop:1,mostpop:1";
};

const std::vector<std::string>& ChannelNames();

// Throws UsageError for an unknown name or a bad mix spec. The channel may be not applicable()
// (missing relations); callers that need it applicable check that.
std::unique_ptr<Channel> MakeChannel(const std::string& name, ChannelContext context,
                                     const ChannelOptions& options);

}  // namespace melograph
