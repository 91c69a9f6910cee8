// Channel registry: see channel_registry.h.
#include "recall/channel_registry.h"

#include "common/error.h"
#include "common/text.h"
#include "recall/channel_attribute.h"
#include "recall/channel_itemcf.h"
#include "recall/channel_kg_hop.h"
#include "recall/channel_mix.h"
#include "recall/channel_mostpop.h"
#include "recall/channel_usercf.h"

namespace melograph {

const std::vector<std::string>& ChannelNames() {
  static const std::vector<std::string> names = {"mostpop",   "itemcf", "usercf", "artist",
                                                 "genre-hot", "kg-hop", "mix"};
  return names;
}

std::unique_ptr<Channel> MakeChannel(const std::string& name, ChannelContext context,
                                     const ChannelOptions& options) {
  if (!context.graph || !context.train) throw UsageError("channel needs a graph and interactions");
  CosineOptions cosine;
  cosine.iuf = options.iuf;
  cosine.weighted = options.weighted;
  cosine.threads = context.threads;
  if (name == "mostpop") return std::make_unique<MostPopChannel>(context);
  if (name == "itemcf") {
    cosine.neighbors = options.item_neighbors;
    return std::make_unique<ItemCfChannel>(context, cosine);
  }
  if (name == "usercf") {
    cosine.neighbors = options.user_neighbors;
    return std::make_unique<UserCfChannel>(context, cosine);
  }
  if (name == "artist")
    return std::make_unique<AttributeChannel>(context, "artist", "by_artist", options.weighted);
  if (name == "genre-hot")
    return std::make_unique<AttributeChannel>(context, "genre-hot", "has_genre", options.weighted);
  if (name == "kg-hop")
    return std::make_unique<KgHopChannel>(
        context, options.hops,
        options.kg_relations.empty() ? DefaultKgHopRelations() : options.kg_relations,
        options.weighted);
  if (name == "mix") {
    std::vector<MixChannel::Part> parts;
    for (const std::string& item : SplitList(options.mix, ',')) {
      const size_t colon = item.rfind(':');
      const auto quota =
          colon == std::string::npos ? std::nullopt : ParseInt64(item.substr(colon + 1));
      if (!quota || *quota <= 0 || *quota > 100000)
        throw UsageError("--mix: '" + item + "' is not channel:quota (e.g. itemcf:10)");
      const std::string sub = item.substr(0, colon);
      if (sub == "mix") throw UsageError("--mix cannot contain mix");
      parts.push_back({MakeChannel(sub, context, options), static_cast<int>(*quota)});
    }
    return std::make_unique<MixChannel>(context, std::move(parts));
  }
  std::string list;
  for (const std::string& n : ChannelNames()) list += (list.empty() ? "" : ", ") + n;
  throw UsageError("unknown channel '" + name + "' (expected one of: " + list + ")");
}

}  // namespace melograph
